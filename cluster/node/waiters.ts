/**
 * Requests waiting on the Raft loop: proposals waiting for their entry to be applied, reads
 * waiting for a ReadIndex answer, anyone waiting for the applied index to reach a point. Each
 * has a deadline, so a request never hangs when the cluster has no quorum.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';

interface Timed<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

/** Waiters keyed by something (a log index, a read context), each settled once. */
export class WaiterMap<K, T> {
  private readonly map = new Map<K, Timed<T>>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Waits for `settle(key)`; after `timeoutMs`, rejects with `onTimeout()`. */
  wait(key: K, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.map.delete(key);
        reject(onTimeout());
      }, timeoutMs);
      this.map.set(key, { resolve, reject, timer });
    });
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  resolve(key: K, value: T): boolean {
    const w = this.take(key);
    w?.resolve(value);
    return w !== undefined;
  }

  reject(key: K, error: Error): boolean {
    const w = this.take(key);
    w?.reject(error);
    return w !== undefined;
  }

  keys(): K[] {
    return [...this.map.keys()];
  }

  rejectAll(error: Error): void {
    for (const key of this.keys()) this.reject(key, error);
  }

  get size(): number {
    return this.map.size;
  }

  private take(key: K): Timed<T> | undefined {
    const w = this.map.get(key);
    if (w === undefined) return undefined;
    this.clock.clearTimer(w.timer);
    this.map.delete(key);
    return w;
  }
}

/** Waiters for a number (the applied index) to reach a target. */
export class ThresholdWaiters {
  private waiters: {
    target: number;
    resolve(): void;
    reject(e: Error): void;
    timer: TimerHandle;
  }[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  wait(current: number, target: number, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (current >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w = {
        target,
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(onTimeout());
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** The value moved to `value`: release everyone it reached. */
  reached(value: number): void {
    if (this.waiters.length === 0) return;
    const keep = [];
    for (const w of this.waiters) {
      if (w.target <= value) {
        this.clock.clearTimer(w.timer);
        w.resolve();
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  rejectAll(error: Error): void {
    for (const w of this.waiters) {
      this.clock.clearTimer(w.timer);
      w.reject(error);
    }
    this.waiters = [];
  }
}
