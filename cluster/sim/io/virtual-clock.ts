/**
 * A Clock whose time moves only when the simulation (or a test) says so. Deterministic: timers
 * due at the same time fire in the order they were created, and `soon` callbacks run before any
 * timer due at the current time (and before time moves). Promise continuations are not its
 * business: a caller that awaits between events drains them itself (between `step()`s).
 */
import type { Clock, TimerHandle } from '../../node/clock.js';

/** 2025-01-01T00:00:00.000Z: a start time whose instants have the canonical 24-character form. */
export const VIRTUAL_EPOCH = Date.UTC(2025, 0, 1);

class VirtualTimer implements TimerHandle {
  /** In the heap (pending, possibly cancelled). */
  armed = false;

  constructor(
    readonly fn: () => void,
    /** Re-armed after firing when set (setInterval). */
    readonly every: number | undefined,
    public at: number,
    public seq: number,
  ) {}

  unref(): void {}
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  /** Pending timers, a binary min-heap on (at, seq). */
  private heap: VirtualTimer[] = [];
  private readonly cancelled = new Set<VirtualTimer>();
  private soonQueue: (() => void)[] = [];

  constructor(start: number = VIRTUAL_EPOCH) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.arm(new VirtualTimer(fn, undefined, this.time + delay(ms), this.seq++));
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, delay(ms));
    return this.arm(new VirtualTimer(fn, every, this.time + every, this.seq++));
  }

  clearTimer(timer: TimerHandle | undefined): void {
    if (timer instanceof VirtualTimer && timer.armed) this.cancelled.add(timer);
  }

  soon(fn: () => void): void {
    this.soonQueue.push(fn);
  }

  /** Timers not yet fired or cleared. */
  pendingTimers(): number {
    return this.heap.length - this.cancelled.size;
  }

  /** When the next timer is due (undefined: none). */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Runs the queued `soon` callbacks, and those they queue; how many ran. */
  runSoon(): number {
    let ran = 0;
    while (this.soonQueue.length > 0) {
      const batch = this.soonQueue;
      this.soonQueue = [];
      for (const fn of batch) {
        fn();
        ran++;
      }
    }
    return ran;
  }

  /**
   * One event: the queued `soon` callbacks if there are any, else the next timer due at or
   * before `until` (time moves to it). False when there was nothing to do.
   */
  step(until: number = Number.POSITIVE_INFINITY): boolean {
    if (this.runSoon() > 0) return true;
    const next = this.nextTimerAt();
    if (next === undefined || next > until) return false;
    const timer = this.pop();
    this.time = Math.max(this.time, timer.at);
    if (timer.every !== undefined) {
      timer.at = this.time + timer.every;
      timer.seq = this.seq++;
      this.push(timer);
    }
    timer.fn();
    return true;
  }

  /** Moves time forward by `ms`, firing everything due on the way, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): time only moves forward`);
    const until = this.time + ms;
    while (this.step(until));
    this.time = until;
  }

  private arm(timer: VirtualTimer): TimerHandle {
    this.push(timer);
    return timer;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0]!)) {
      this.cancelled.delete(this.pop());
    }
  }

  private push(timer: VirtualTimer): void {
    const h = this.heap;
    timer.armed = true;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): VirtualTimer {
    const h = this.heap;
    const top = h[0]!;
    top.armed = false;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Node's rule: a delay below 1 ms, above 2^31 - 1 ms or not a number is 1 ms. */
function delay(ms: number): number {
  return ms >= 1 && ms <= 2_147_483_647 ? ms : 1;
}
