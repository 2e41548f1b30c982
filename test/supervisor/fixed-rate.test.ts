import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { everyFixedRate } from '../../cluster/supervisor/fixed-rate.js';

// The fake timers fire callbacks; `now()` is the fake clock plus `late`, the time the runs
// themselves (or a busy event loop) took, which a plain setInterval would add to every period.
describe('everyFixedRate', () => {
  let late = 0;
  const now = (): number => Date.now() + late;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    late = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('keeps the average rate when every run is 40 ms late', () => {
    const at: number[] = [];
    const timer = everyFixedRate(
      () => {
        at.push(now());
        late += 40;
      },
      100,
      now,
    );
    while (now() < 1_000) vi.advanceTimersByTime(1);
    timer.stop();
    // Runs land on the deadlines 100, 200, …, 1000; setInterval would have run at 100, 240, 380, …
    expect(at).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('after a long stall starts again from now instead of firing a burst of stale runs', () => {
    const at: number[] = [];
    const timer = everyFixedRate(() => at.push(now()), 100, now);
    vi.advanceTimersByTime(300);
    late = 10_000; // the process was stopped for ten seconds
    vi.advanceTimersByTime(400);
    timer.stop();
    expect(at.slice(0, 3)).toEqual([100, 200, 300]);
    // One run when the timer wakes, then the normal period from there: no 100-run catch-up.
    expect(at.slice(3)).toEqual([10_400, 10_500, 10_600, 10_700]);
  });

  it('stops', () => {
    let runs = 0;
    const timer = everyFixedRate(() => runs++, 50, now);
    vi.advanceTimersByTime(120);
    timer.stop();
    vi.advanceTimersByTime(1_000);
    expect(runs).toBe(2);
  });

  it('refuses a period that is not positive', () => {
    expect(() => everyFixedRate(() => undefined, 0)).toThrow(/period must be positive/);
  });
});
