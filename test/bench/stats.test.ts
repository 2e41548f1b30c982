/** The benchmark's latency summaries: nearest-rank percentiles of observed values. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from '../../cluster/bench/load/stats.js';

describe('percentile (nearest rank)', () => {
  it('picks the observed sample at rank ceil(p·n)', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    // 20 failover trials: p99 is the worst one, the median the 10th.
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(percentile(twenty, 99)).toBe(200);
    expect(percentile(twenty, 50)).toBe(100);
  });

  it('is NaN without samples and refuses a p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('always returns a sample, monotone in p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (xs, p, q) => {
          const sorted = [...xs].sort((a, b) => a - b);
          const a = percentile(sorted, Math.min(p, q));
          const b = percentile(sorted, Math.max(p, q));
          expect(xs).toContain(a);
          expect(a).toBeLessThanOrEqual(b);
        },
      ),
    );
  });
});

describe('summarize', () => {
  it('sorts unsorted samples and reports count, p50, p99, max and mean', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toEqual({ count: 5, p50Ms: 3, p99Ms: 5, maxMs: 5, meanMs: 3 });
    expect(median([9, 1, 5])).toBe(5);
  });

  it('gives NaN figures for no samples rather than zeros', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(s.p50Ms).toBeNaN();
    expect(s.meanMs).toBeNaN();
  });
});
