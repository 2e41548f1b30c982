/**
 * Before shrinking a long failing history operation by operation, cut it down in time: find a
 * short window (window.ts) that still fails. Every window is a relaxation, so a failing one is a
 * proof on its own — and a few dozen operations shrink far faster than thousands.
 *
 * Two binary searches: the earliest end t1 at which the history up to t1 fails, then the latest
 * start t0 at which [t0, t1] still fails. A longer window is only harder to linearize, so both
 * predicates are monotone. A trial that runs out of time counts as "does not fail", which can
 * only leave the window larger, never wrong.
 */
import type { Op } from './history.js';
import { windowAt } from './window.js';

export function narrow(ops: readonly Op[], fails: (w: Op[]) => boolean): readonly Op[] {
  const byCall = ops.slice().sort((a, b) => a.call - b.call);
  const answered = byCall.filter((op) => op.ret !== null);
  const relaxed = new Map<Op, Op>();
  const at = (t0: number, t1: number): Op[] => windowAt(byCall, t0, t1, relaxed);
  const ends = distinct(answered.map((op) => op.ret ?? op.call));
  const t1 = ends[firstTrue(ends.length, (k) => fails(at(-Infinity, ends[k])))];
  if (t1 === undefined) return ops;
  const starts = distinct(answered.map((op) => op.call).filter((t) => t <= t1)).reverse();
  const t0 = starts[firstTrue(starts.length, (k) => fails(at(starts[k], t1)))] ?? -Infinity;
  const w = at(t0, t1);
  return w.length < ops.length && fails(w) ? w : ops;
}

function distinct(times: readonly number[]): number[] {
  return [...new Set(times)].sort((a, b) => a - b);
}

/** The least k in [0, n) with `p(k)`, for a monotone p; n if there is none. */
function firstTrue(n: number, p: (k: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
