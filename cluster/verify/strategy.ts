/**
 * How one task's history is checked within a time budget.
 *
 * The exhaustive search settles a linearizable history fast: it only has to find one order. A
 * failing history it must exhaust, and with many lost answers on one hot task the orders to rule
 * out can be astronomically many. Windows (window.ts) cannot prove a history linearizable, but a
 * failing window proves it is not, cheaply. So: a long history gets the full search on a share of
 * the budget, then windows, then the full search again with what is left.
 */
import type { Op } from './history.js';
import { ANY, TaskModel, type State } from './model.js';
import { searchTask } from './search.js';
import { windows } from './window.js';

/** The verdict on one task: linearizable, out of time, or the operations that fail (and from where). */
export type Found = 'ok' | 'timeout' | { readonly ops: readonly Op[]; readonly start: State };

/** Operations per window: small enough that a failing window is searched exhaustively fast. */
const WINDOW = 200;
/** A window that takes longer is given up as inconclusive. */
const WINDOW_BUDGET_MS = 250;
/**
 * What the first full search may use on a long history: a share of the remaining time, capped.
 * A linearizable 10,000-operation history on one hot task takes up to ~1.5 s here.
 */
const FIRST_SHARE = 0.25;
const FIRST_CAP_MS = 2_000;

export function checkTask(part: readonly Op[], initial: State, deadline: number): Found {
  if (part.length < 2 * WINDOW) return searchAll(part, initial, deadline);
  const now = performance.now();
  const first = searchAll(
    part,
    initial,
    now + Math.min((deadline - now) * FIRST_SHARE, FIRST_CAP_MS),
  );
  if (first !== 'timeout') return first;
  return searchWindows(part, deadline) ?? searchAll(part, initial, deadline);
}

function searchAll(part: readonly Op[], initial: State, deadline: number): Found {
  const r = searchTask(part, new TaskModel(part, initial), deadline);
  return r === 'fail' ? { ops: part, start: initial } : r;
}

/** A failing window, 'timeout' if the deadline passed, or undefined: no window failed. */
function searchWindows(part: readonly Op[], deadline: number): Found | undefined {
  for (const w of windows(part, WINDOW)) {
    const budget = Math.min(deadline, performance.now() + WINDOW_BUDGET_MS);
    if (searchTask(w, new TaskModel(w, ANY), budget) === 'fail') return { ops: w, start: ANY };
    if (performance.now() > deadline) return 'timeout';
  }
  return undefined;
}
