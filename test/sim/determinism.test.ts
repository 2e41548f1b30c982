import { describe, expect, it } from 'vitest';
import { runSeed } from '../../cluster/sim/fuzz.js';

describe('the same seed always gives the same trace', () => {
  it('replays a seed exactly, trace and all', () => {
    for (const seed of [1, 2, 77]) {
      const a = runSeed({ seed, nodes: 5, steps: 3000, trace: true });
      const b = runSeed({ seed, nodes: 5, steps: 3000, trace: true });
      expect(a.trace!.length).toBeGreaterThan(1000);
      expect(b.trace).toEqual(a.trace);
      expect(b.steps).toBe(a.steps);
      expect(b.simMs).toBe(a.simMs);
      expect(b.stats).toEqual(a.stats);
      expect(a.violations).toEqual([]);
    }
  });

  it('takes the same path with tracing off (a sweep finds what the replay shows)', () => {
    const traced = runSeed({ seed: 5, steps: 3000, trace: true });
    const quiet = runSeed({ seed: 5, steps: 3000 });
    expect(quiet.steps).toBe(traced.steps);
    expect(quiet.stats).toEqual(traced.stats);
    expect(quiet.trace).toBeUndefined();
  });

  it('gives different runs for different seeds', () => {
    const a = runSeed({ seed: 10, steps: 2000, trace: true });
    const b = runSeed({ seed: 11, steps: 2000, trace: true });
    expect(b.trace).not.toEqual(a.trace);
  });
});
