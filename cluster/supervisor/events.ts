/**
 * The supervisor's event stream: numbered, time-stamped, fanned out to every subscriber (the
 * WebSocket clients, the Electron window, the CLI's progress printer). Recent events other than
 * status snapshots and message traces (both are a live view, and many a second) are kept so a
 * client that connects late still sees what just happened.
 */
import type { ClusterEvent } from '../api/control.js';

/** An event before the bus numbers and stamps it (distributes over the union). */
export type EventBody = ClusterEvent extends infer E
  ? E extends ClusterEvent
    ? Omit<E, 'seq' | 'at'>
    : never
  : never;

export type Listener = (event: ClusterEvent) => void;

export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<Listener>();
  private readonly recentEvents: ClusterEvent[] = [];

  constructor(private readonly keep = 500) {}

  emit(body: EventBody): ClusterEvent {
    this.seq += 1;
    const event = { ...body, seq: this.seq, at: new Date().toISOString() } as ClusterEvent;
    if (event.type !== 'status' && event.type !== 'message') {
      this.recentEvents.push(event);
      if (this.recentEvents.length > this.keep) this.recentEvents.shift();
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not silence the others.
      }
    }
    return event;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events other than status snapshots and message traces, oldest first. */
  recent(): readonly ClusterEvent[] {
    return this.recentEvents;
  }
}
