/**
 * A Clock for tests: time stands still until `advance` moves it, and callbacks run in a fixed
 * order (`soon` ones first, then timers by due time, then by creation).
 */
import type { Clock, TimerHandle } from '../../cluster/node/clock.js';

interface FakeTimer extends TimerHandle {
  at: number;
  readonly seq: number;
  readonly fn: () => void;
  readonly every: number | undefined;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];
  private soonQueue: (() => void)[] = [];

  constructor(start = 1_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearTimer(timer: TimerHandle | undefined): void {
    this.timers = this.timers.filter((t) => t !== timer);
  }

  soon(fn: () => void): void {
    this.soonQueue.push(fn);
  }

  /** Timers and `soon` callbacks waiting. */
  get pending(): number {
    return this.timers.length + this.soonQueue.length;
  }

  /** Moves time forward by `ms`, running everything that falls due on the way. */
  advance(ms = 0): void {
    const end = this.t + ms;
    for (;;) {
      this.runSoon();
      const next = this.nextTimer();
      if (!next || next.at > end) break;
      this.t = next.at;
      if (next.every === undefined) this.clearTimer(next);
      else next.at += next.every;
      next.fn();
    }
    this.t = end;
  }

  private runSoon(): void {
    while (this.soonQueue.length > 0) this.soonQueue.shift()?.();
  }

  private nextTimer(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private add(fn: () => void, ms: number, every: number | undefined): TimerHandle {
    const timer: FakeTimer = {
      at: this.t + Math.max(0, ms),
      seq: this.seq++,
      fn,
      every,
      unref: () => undefined,
    };
    this.timers.push(timer);
    return timer;
  }
}
