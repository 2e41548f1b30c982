/**
 * A timer that keeps a fixed rate. Node's `setInterval` schedules each run one period after the
 * previous run started, so a busy event loop stretches every period and a "10 Hz" status stream
 * drifts to 9 Hz under load. This one aims at absolute deadlines (start + k × period): a late run
 * is followed by a shorter wait, so the average rate stays the period's. After a long stall (the
 * machine slept, a debugger paused) it does not fire a burst of stale runs; it starts counting
 * again from now.
 */
export interface FixedRateTimer {
  stop(): void;
}

/** More than this many missed periods is a stall, not lateness: skip them instead of catching up. */
const MAX_CATCH_UP_PERIODS = 5;

export function everyFixedRate(
  run: () => void,
  periodMs: number,
  now: () => number = Date.now,
): FixedRateTimer {
  if (!(periodMs > 0)) throw new RangeError(`period must be positive, got ${periodMs}`);
  let next = now() + periodMs;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    timer = setTimeout(fire, Math.max(0, next - now()));
    timer.unref();
  };
  const fire = (): void => {
    if (stopped) return;
    try {
      run();
    } finally {
      next += periodMs;
      const t = now();
      if (t - next > MAX_CATCH_UP_PERIODS * periodMs) next = t + periodMs;
      if (!stopped) schedule();
    }
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
