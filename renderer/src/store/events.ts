/**
 * The events slice. Events arrive at 10 Hz or more (status snapshots, commits, traces); putting
 * each into React state would re-render per event, so they are buffered and applied once per
 * animation frame, as one batch.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ClusterEvent } from '../../../cluster/api/control.js';
import type { ConnectionState } from '../api/types.js';

export interface EventsState {
  readonly connection: ConnectionState;
  /** The newest events other than status snapshots and message traces, oldest first. */
  readonly recent: readonly ClusterEvent[];
  /** How many events arrived in all (status included). */
  readonly received: number;
  /** Buffers one event; cheap, may be called per WebSocket frame. */
  push(event: ClusterEvent): void;
  setConnection(state: ConnectionState): void;
  /** Applies the buffer now (the frame callback calls this). */
  flush(): void;
}

export interface EventsStoreOptions {
  /** requestAnimationFrame, or a stand-in for tests and background tabs. */
  readonly schedule?: (fn: () => void) => void;
  /** Handed each batch in arrival order, to update the other slices once per frame. */
  readonly onBatch?: (events: readonly ClusterEvent[]) => void;
  readonly keep?: number;
}

export type EventsStore = StoreApi<EventsState>;

function defaultSchedule(fn: () => void): void {
  // A hidden tab gets no frames; fall back to a timer so the buffer cannot grow unbounded.
  if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
    requestAnimationFrame(() => fn());
  } else {
    setTimeout(fn, 50);
  }
}

export function createEventsStore(options: EventsStoreOptions = {}): EventsStore {
  const schedule = options.schedule ?? defaultSchedule;
  const keep = options.keep ?? 300;
  let buffer: ClusterEvent[] = [];
  let scheduled = false;

  return createStore<EventsState>()((set, get) => ({
    connection: 'closed',
    recent: [],
    received: 0,

    push(event) {
      buffer.push(event);
      if (scheduled) return;
      scheduled = true;
      schedule(() => get().flush());
    },

    setConnection(connection) {
      set({ connection });
    },

    flush() {
      scheduled = false;
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      options.onBatch?.(batch);
      // Sampled Raft messages arrive by the dozen a second: they feed the message flow (the
      // cluster slice), and would push every other event out of the timeline's window here.
      const shown = batch.filter((e) => e.type !== 'status' && e.type !== 'message');
      set((s) => ({
        received: s.received + batch.length,
        recent: shown.length === 0 ? s.recent : [...s.recent, ...shown].slice(-keep),
      }));
    },
  }));
}
