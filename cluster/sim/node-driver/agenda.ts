/**
 * One agenda for a whole node-driver run: node timers, message deliveries, client actions and
 * faults are all events on the simulator's EventQueue, keyed by (virtual time, scheduling order).
 * The run loop pops one event, runs it, then lets the promises it started settle before the next
 * one (there is no real I/O, so that order is a function of the seed alone).
 *
 * `AgendaClock` is the node layer's Clock over that queue. `ScopedClock` is one node process's
 * view of it: when the process dies (crash, EIO, refusal) every timer it left behind dies with it.
 */
import type { Clock, TimerHandle } from '../../node/clock.js';
import { EventQueue } from '../queue.js';

/** Virtual time 0 as wall time: entries and sessions carry timestamps from here on. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1);

class AgendaTimer implements TimerHandle {
  cancelled = false;
  constructor(readonly repeatMs: number | undefined) {}
  unref(): void {}
}

/** Thrown out of an event by a node's code: the process it belongs to dies of it. */
export type ProcessErrorHandler = (error: unknown) => void;

export class AgendaClock implements Clock {
  /** The agenda itself: the network model pushes its deliveries here directly. */
  readonly queue = new EventQueue();
  private time = 0;

  /** Virtual milliseconds since the run started. */
  get virtualNow(): number {
    return this.time;
  }

  get pending(): number {
    return this.queue.size;
  }

  now(): number {
    return SIM_EPOCH_MS + this.time;
  }

  /** Runs `fn` at virtual time now + `delayMs` (the simulator's own events). */
  schedule(delayMs: number, fn: () => void): void {
    this.queue.push(this.time + Math.max(0, Math.round(delayMs)), fn);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = new AgendaTimer(undefined);
    this.schedule(ms, () => {
      if (!t.cancelled) fn();
    });
    return t;
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const period = Math.max(1, Math.round(ms));
    const t = new AgendaTimer(period);
    const fire = (): void => {
      if (t.cancelled) return;
      // Re-armed first, as Node does: a callback that throws does not stop its interval.
      this.schedule(period, fire);
      fn();
    };
    this.schedule(period, fire);
    return t;
  }

  clearTimer(timer: TimerHandle | undefined): void {
    if (timer instanceof AgendaTimer) timer.cancelled = true;
  }

  soon(fn: () => void): void {
    this.schedule(0, fn);
  }

  /** When the next event is due, or undefined when nothing is scheduled. */
  nextAt(): number | undefined {
    return this.queue.peek()?.time;
  }

  /** Pops and runs the earliest event; false when the agenda is empty. */
  runNext(): boolean {
    const ev = this.queue.pop();
    if (ev === undefined) return false;
    this.time = ev.time;
    ev.run();
    return true;
  }
}

/**
 * A process's clock: the shared one, with every timer and `soon` tracked so that `kill()` stops
 * them all, and every callback's exception handed to `onError` (the process dies of it, as an
 * uncaught exception kills a real node).
 */
export class ScopedClock implements Clock {
  private alive = true;
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly base: AgendaClock,
    private readonly onError: ProcessErrorHandler,
  ) {}

  get isAlive(): boolean {
    return this.alive;
  }

  now(): number {
    return this.base.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = this.base.setTimeout(() => {
      this.timers.delete(t);
      this.guard(fn);
    }, ms);
    this.timers.add(t);
    return t;
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = this.base.setInterval(() => this.guard(fn), ms);
    this.timers.add(t);
    return t;
  }

  clearTimer(timer: TimerHandle | undefined): void {
    if (timer === undefined) return;
    this.timers.delete(timer);
    this.base.clearTimer(timer);
  }

  soon(fn: () => void): void {
    this.base.soon(() => this.guard(fn));
  }

  /** Runs `fn` for this process if it is still alive (deliveries, completions). */
  guard(fn: () => void): void {
    if (!this.alive) return;
    try {
      fn();
    } catch (e) {
      this.onError(e);
    }
  }

  /** The process is gone: nothing it scheduled runs any more. */
  kill(): void {
    this.alive = false;
    for (const t of this.timers) this.base.clearTimer(t);
    this.timers.clear();
  }
}
