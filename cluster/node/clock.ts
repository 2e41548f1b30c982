/**
 * Time as the node layer sees it. Production uses the system's clock and timers; the simulator
 * passes a virtual clock whose timers fire only when the simulation advances time, so a whole
 * run is a function of its seed.
 *
 * Invariant: everything in the node layer that waits or measures time goes through a Clock
 * (never `setTimeout`, `setInterval`, `setImmediate`, `Date.now` or `performance.now`
 * directly), or the simulator cannot reproduce it.
 */

/** A pending timer: only ever handed back to the Clock that made it. */
export interface TimerHandle {
  /** Lets the process exit while the timer is pending (no-op in a simulation). */
  unref(): void;
}

export interface Clock {
  /**
   * Milliseconds on a monotonic clock, for durations only (timeouts, leases, delays): it never
   * steps back when the wall clock is set, as Date.now does after NTP or a sleeping laptop.
   * Entry timestamps are wall time and come from the HTTP layer, not from here.
   */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearTimer(timer: TimerHandle | undefined): void;
  /** Runs `fn` after the current turn: what has arrived by then is handled together. */
  soon(fn: () => void): void;
}

type NodeTimer = ReturnType<typeof setTimeout>;

/** The real thing: Node's timers and its monotonic clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearTimer: (timer) => {
    // One function clears both kinds in Node; the handle came from this clock.
    if (timer !== undefined) clearTimeout(timer as unknown as NodeTimer);
  },
  soon: (fn) => {
    setImmediate(fn);
  },
};
