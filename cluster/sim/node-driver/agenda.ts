/**
 * One agenda for a whole node-driver run: node timers, message deliveries, client actions and
 * faults are all timers of one VirtualClock (cluster/sim/io), fired in (virtual time, creation)
 * order. The run loop fires one, then lets the promises it started settle before the next one
 * (there is no real I/O, so that order is a function of the seed alone).
 *
 * `AgendaClock` is that clock plus what the simulator needs around it; `ScopedClock` is one node
 * process's view of it: when the process dies (crash, EIO, refusal) every timer it left behind
 * dies with it.
 */
import type { Clock, TimerHandle } from '../../node/clock.js';
import { VIRTUAL_EPOCH, VirtualClock } from '../io/virtual-clock.js';
import { EventQueue } from '../queue.js';

/** Thrown out of an event by a node's code: the process it belongs to dies of it. */
export type ProcessErrorHandler = (error: unknown) => void;

/** The network model's agenda (cluster/sim/network.ts pushes deliveries) on the clock. */
class ClockQueue extends EventQueue {
  constructor(private readonly clock: AgendaClock) {
    super();
  }

  override push(time: number, run: () => void): void {
    this.clock.schedule(time - this.clock.virtualNow, run);
  }
}

export class AgendaClock implements Clock {
  readonly clock = new VirtualClock();
  /** Where the network model schedules its deliveries. */
  readonly queue: EventQueue = new ClockQueue(this);

  /** Virtual milliseconds since the run started. */
  get virtualNow(): number {
    return this.clock.now() - VIRTUAL_EPOCH;
  }

  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` `delayMs` from now (the simulator's own events; at least 1 ms, as Node's). */
  schedule(delayMs: number, fn: () => void): void {
    this.clock.setTimeout(fn, Math.max(1, Math.round(delayMs)));
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.clock.setTimeout(fn, ms);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.clock.setInterval(fn, ms);
  }

  clearTimer(timer: TimerHandle | undefined): void {
    this.clock.clearTimer(timer);
  }

  soon(fn: () => void): void {
    this.clock.soon(fn);
  }

  /** When the next timer is due (virtual ms), or undefined when nothing is scheduled. */
  nextAt(): number | undefined {
    const at = this.clock.nextTimerAt();
    return at === undefined ? undefined : at - VIRTUAL_EPOCH;
  }

  /** Runs the pending `soon` callbacks, else the earliest timer; false when there is none. */
  runNext(): boolean {
    return this.clock.step();
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
    private readonly base: Clock,
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
