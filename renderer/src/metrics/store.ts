/**
 * The metrics slice: a sampler fed by every event batch and by this window's writes, and the
 * snapshot the charts draw. The snapshot is rebuilt on `tick` (once a second while the Metrics
 * tab is open), not per event: the series are per second, so faster would only cost renders.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ClusterEvent } from '../../../cluster/api/control.js';
import type { Change } from '../store/changes.js';
import type { TasksStore } from '../store/tasks.js';
import { MetricsSampler, WINDOW_S, type MetricsSnapshot } from './sampler.js';

export interface MetricsState {
  readonly snapshot: MetricsSnapshot;
  ingest(events: readonly ClusterEvent[]): void;
  recordLatency(ms: number): void;
  /** Rebuilds the snapshot as of now. */
  tick(): void;
}

export type MetricsStore = StoreApi<MetricsState>;

export function createMetricsStore(
  options: { now?: () => number; windowS?: number } = {},
): MetricsStore {
  const now = options.now ?? Date.now;
  const sampler = new MetricsSampler(options.windowS ?? WINDOW_S);
  return createStore<MetricsState>()((set) => ({
    snapshot: sampler.snapshot(now()),
    ingest: (events) => sampler.ingest(events, now()),
    recordLatency: (ms) => sampler.recordLatency(ms, now()),
    tick: () => set({ snapshot: sampler.snapshot(now()) }),
  }));
}

/**
 * Watches the tasks slice for changes going from pending to committed and reports how long each
 * took, measured from the first moment it was seen pending (so retries during a lost quorum count:
 * that is the wait the user had). Returns the unsubscribe function.
 */
export function watchWriteLatency(
  tasks: TasksStore,
  record: (ms: number) => void,
  now: () => number = Date.now,
): () => void {
  const since = new Map<string, number>();
  const look = (changes: readonly Change[]): void => {
    const present = new Set<string>();
    for (const c of changes) {
      present.add(c.id);
      const phase = c.state.phase;
      if (phase === 'pending') {
        if (!since.has(c.id)) since.set(c.id, now());
      } else if (phase === 'committed') {
        const start = since.get(c.id);
        if (start !== undefined) record(now() - start);
        since.delete(c.id);
      } else {
        since.delete(c.id); // scheduled (not sent yet) or failed: nothing to time
      }
    }
    // Undone or dropped changes never commit.
    for (const id of since.keys()) if (!present.has(id)) since.delete(id);
  };
  look(tasks.getState().changes);
  return tasks.subscribe((s, prev) => {
    if (s.changes !== prev.changes) look(s.changes);
  });
}
