/**
 * Summaries of latency samples. Pure, so the numbers in every report can be checked by unit
 * tests. Percentiles use the nearest-rank method (the sample at rank ceil(p/100 · n)): every
 * reported value is a latency that was actually observed, never an interpolation.
 */

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** Nearest-rank percentile of ascending `sorted`; NaN for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is 0..100, got ${p}`);
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The median (nearest rank, so an observed value). */
export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    meanMs: sorted.length === 0 ? NaN : sum / sorted.length,
  };
}
