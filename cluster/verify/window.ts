/**
 * Time windows of one task's history, for finding an anomaly in a long, hot history where the
 * exhaustive search is too slow to prove the whole history wrong.
 *
 * A window [t0, t1] keeps the operations that ran entirely inside it as they are, relaxes the
 * ones that straddle an edge (and the lost-answer writes called by t1) to "answer set aside",
 * drops the rest, and starts from ANY state. That is a relaxation: if the history is
 * linearizable, so is every window. (Take a linearization; everything that returned before t0
 * precedes everything called from t0 on, so it folds into the start state; everything called
 * after t1 follows everything that returned by t1, so it can be cut; a straddling operation is
 * placed where it was, or "never" if its effect is already in the start state.) So a window that
 * fails is a proof that the history fails — and a short one to shrink and explain.
 * The converse does not hold: an anomaly wider than every window is left to the full search.
 *
 * One tightening: when an answer before t0 showed the task present and no delete was called by
 * t1, the task exists throughout the window, so a create there cannot take effect and is left
 * out, and so is a lost write expecting a version older than one already shown. Without it, a
 * lost create from the very start of the history sits in every window and lets the search
 * imagine the task absent, recreated, and pumped back up by lost updates.
 */
import type { Op } from './history.js';
import { needs } from './horizon.js';
import { relax } from './relax.js';

/**
 * Sub-histories of about `size` operations (by call time), each overlapping the next by half.
 * Each window reaches at least to the last return of its first half, so every answered operation
 * lies wholly inside some window (an operation kept whole is one the window can contradict).
 */
export function windows(ops: readonly Op[], size: number): Op[][] {
  const byCall = ops.slice().sort((a, b) => a.call - b.call);
  const out: Op[][] = [];
  const step = Math.max(1, Math.floor(size / 2));
  const relaxed = new Map<Op, Op>();
  for (let i = 0; i < byCall.length; i += step) {
    const t0 = byCall[i].call;
    let t1 = byCall[Math.min(byCall.length, i + size) - 1].call;
    for (const op of byCall.slice(i, i + step)) t1 = Math.max(t1, op.ret ?? op.call);
    out.push(windowAt(byCall, t0, t1, relaxed));
    if (i + step >= byCall.length) break;
  }
  return out;
}

/** The window [t0, t1] of `ops` (sorted by call). `relaxed`: a cache shared between windows. */
export function windowAt(
  ops: readonly Op[],
  t0: number,
  t1: number,
  relaxed = new Map<Op, Op>(),
): Op[] {
  const firstDelete = Math.min(...ops.map((op) => (op.f === 'delete' ? op.call : Infinity)));
  const floor = firstDelete > t1 ? shownBefore(ops, t0) : undefined;
  return window(ops, t0, t1, floor, relaxed);
}

/**
 * The highest version an answer that ended before t0 showed (0: present, version unknown), or
 * undefined if none showed the task present.
 */
function shownBefore(ops: readonly Op[], t0: number): number | undefined {
  let floor: number | undefined;
  for (const op of ops) {
    if (op.ret === null || op.ret >= t0) continue;
    const need = needs(op);
    if (need === undefined) continue;
    let v = need.version ?? 0;
    if (op.out !== null && 'task' in op.out) v = Math.max(v, op.out.task.version);
    floor = Math.max(floor ?? 0, v);
  }
  return floor;
}

/**
 * `floor`: when no delete was called by t1 and an answer before t0 showed the task at version
 * `floor` (or just present), the task exists throughout the window at a version of at least that.
 * Then a create cannot take effect, nor a write expecting an older version: both are left out.
 */
function window(
  ops: readonly Op[],
  t0: number,
  t1: number,
  floor: number | undefined,
  relaxed: Map<Op, Op>,
): Op[] {
  const out: Op[] = [];
  for (const op of ops) {
    const end = op.ret ?? (op.out === null ? op.until : undefined) ?? Infinity;
    if (op.call > t1 || end < t0) continue;
    if (floor !== undefined && cannotApply(op, floor)) continue;
    const inside = op.call >= t0 && op.ret !== null && op.ret <= t1;
    if (inside) out.push(op);
    else if (op.f !== 'read') {
      // One relaxed copy per operation, shared by the windows it straddles.
      let r = relaxed.get(op);
      if (r === undefined) relaxed.set(op, (r = relax(op)));
      out.push(r);
    }
  }
  return out;
}

/** A write that cannot take effect on a task that exists at version `floor` or later. */
function cannotApply(op: Op, floor: number): boolean {
  if (op.f === 'create') return true;
  if (op.f === 'read' || op.out !== null) return false;
  return op.expectedVersion !== undefined && op.expectedVersion < floor;
}
