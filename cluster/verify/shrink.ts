/**
 * Shrinks a non-linearizable set of operations on one task to a minimal one that a person can
 * read: greedily drop operations (in large blocks first, then one at a time, as in delta
 * debugging) while what is left still cannot be linearized.
 *
 * Cutting operations out of a history can invent a contradiction that was not there: drop the
 * write that made v12, and the writes around it "contradict" each other whatever the real anomaly
 * was. So a cut must only ever make the history easier to linearize:
 * - An observation (a read, a 404 or 409 answer) changes nothing; dropping it only removes a
 *   constraint.
 * - A write is not dropped but relaxed: its answer is set aside, so it took effect at some point
 *   while it ran, or never. Writes whose answer was lost start out that way (with no end).
 * What still fails after such cuts fails for a reason inside the kept answered operations (the
 * core). The relaxed writes are left out of the counterexample at the end — a set that fails
 * with writes that may or may not happen also fails without them.
 * The result is 1-minimal: cutting any one more operation of the core makes it linearizable.
 * The start is ANY state when the set fails from there, so a cut-off prefix (the create) is never
 * what the counterexample complains about.
 */
import type { Op } from './history.js';
import { ANY, TaskModel, type State } from './model.js';
import { isObservation, relax } from './relax.js';
import { narrow } from './narrow.js';
import { searchTask } from './search.js';

export interface Shrunk {
  /** The core: answered operations that cannot be ordered. */
  readonly ops: readonly Op[];
  /** The writes relaxed to "outcome unknown" while shrinking (context, not part of the proof). */
  readonly relaxed: readonly Op[];
  /** The state the counterexample is checked (and explained) from. */
  readonly start: State;
  /** False when a trial or the deadline ran out: `ops` still fail, but may not be minimal. */
  readonly minimal: boolean;
}

interface Working {
  readonly core: readonly Op[];
  readonly relaxed: readonly Op[];
}

/**
 * Budget of one trial cut, scaled from how long the first check took. A cut is kept only when
 * its search proves failure; one that runs out of time is treated as "still linearizable" and
 * not made. That never makes the counterexample wrong — only perhaps not minimal — and keeps one
 * hard trial from eating the whole budget.
 */
const TRIAL_MIN_MS = 20;
const TRIAL_MAX_MS = 250;
/** The last pass, single cuts of a small core, is what makes it minimal: it gets more. */
const FINAL_TRIAL_FACTOR = 2;
/** Shrinking as a whole: past this, the counterexample is returned as it stands. */
const SHRINK_MS = 15_000;
/** A trial cut: true if it provably still fails. */
type Trial = boolean | 'timeout';

export function shrink(ops: readonly Op[], initial: State, deadline: number): Shrunk {
  const end = Math.min(deadline, performance.now() + SHRINK_MS);
  const check = (w: Working, start: State, ms: number): Trial => {
    const all = [...w.core, ...w.relaxed].sort((a, b) => a.call - b.call);
    const r = searchTask(all, new TaskModel(all, start), Math.min(end, performance.now() + ms));
    return r === 'timeout' ? 'timeout' : r === 'fail';
  };
  const t = performance.now();
  const fromAny = check(split(ops), ANY, TRIAL_MAX_MS) === true;
  const trialMs = Math.min(TRIAL_MAX_MS, Math.max(TRIAL_MIN_MS, 10 * (performance.now() - t)));
  const start = fromAny ? ANY : initial;
  // From ANY, windows apply: narrow to a failing window first — far fewer operations to cut.
  const set = fromAny ? narrow(ops, (w) => check(split(w), ANY, trialMs) === true) : ops;
  const fails = (w: Working, final: boolean): Trial =>
    check(w, start, final ? FINAL_TRIAL_FACTOR * trialMs : trialMs);
  // Observations first: cheap to cut, and fewer of them leave the writes fewer ways to matter.
  const observed = ddmin(split(set), isObservation, fails, end);
  const { w, exact } = ddmin(observed.w, () => true, fails, end);
  return { ops: w.core, relaxed: w.relaxed, start, minimal: exact };
}

/** Answered operations as the core; the rest (lost or set aside) as the relaxed writes. */
function split(set: readonly Op[]): Working {
  return {
    core: set.filter((op) => op.out !== null),
    relaxed: set.filter((op) => op.out === null),
  };
}

/** The working set with `block` cut from the core: observations dropped, writes relaxed. */
export function cut(w: Working, block: ReadonlySet<Op>): Working {
  const relaxed = [...block].filter((op) => !isObservation(op)).map(relax);
  return { core: w.core.filter((op) => !block.has(op)), relaxed: [...w.relaxed, ...relaxed] };
}

/**
 * Cuts blocks of `removable` core operations while `fails` holds, halving the block size down to
 * one, and repeats single cuts until none succeeds or the deadline passes. `exact`: the last pass
 * tried every single cut to the end, so the result is 1-minimal.
 */
function ddmin(
  w: Working,
  removable: (op: Op) => boolean,
  fails: (w: Working, final: boolean) => Trial,
  deadline: number,
): { w: Working; exact: boolean } {
  let cur = w;
  let chunk = Math.max(1, Math.floor(cur.core.filter(removable).length / 2));
  for (;;) {
    let removed = false;
    let exact = true;
    const targets = cur.core.filter(removable);
    for (let start = 0; start < targets.length; start += chunk) {
      if (performance.now() > deadline) return { w: cur, exact: false };
      const candidate = cut(cur, new Set(targets.slice(start, start + chunk)));
      const r = fails(candidate, chunk === 1);
      if (r === 'timeout') exact = false;
      if (r === true) {
        cur = candidate;
        removed = true;
      }
    }
    if (chunk > 1) chunk = Math.max(1, Math.floor(chunk / 2));
    else if (!removed) return { w: cur, exact };
  }
}
