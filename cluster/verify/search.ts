/**
 * The search for a linearization of the operations on ONE task: Wing & Gong's algorithm with
 * Lowe's just-in-time linearization and memoization, as Porcupine implements it.
 *
 * The history is a doubly linked list of call and return events in time order (events.ts).
 * Walking from the head, any call seen before the first return may be linearized next ("just in
 * time": an operation is only placed when something forces a choice). Placing one lifts its call
 * and return out of the list; meeting a return means that operation had to be placed before now,
 * so the search backtracks. A (linearized set, state) pair already explored is never explored
 * again (memo.ts) — that cache is what makes dozens of concurrent operations tractable — and
 * branches that can no longer succeed are cut early (horizon.ts).
 *
 * Unknown outcomes have a call and no return: they never force a backtrack, and the search
 * succeeds once every answered operation is placed (the rest take effect "never", or at the end).
 */
import type { Op } from './history.js';
import { buildEvents, firstReturn, lift, type Node, unlift } from './events.js';
import { Horizon } from './horizon.js';
import { Memo } from './memo.js';
import { NO, TaskModel } from './model.js';

export type SearchResult = 'ok' | 'fail' | 'timeout';

/**
 * The order candidates are tried in, one walk of the candidate region per pass:
 * - OBSERVE: an answered operation that fits without changing the state (a read, a 404 or 409).
 *   Placing it at once is never wrong — it changes nothing and everything that had to precede it
 *   already has — so it is placed without branching, and if that fails, so does the whole
 *   configuration. This is what keeps 2^(concurrent reads) orders out of the search. (Unless it
 *   would shut out a write with an `until` before its call: then it is an ordinary choice.)
 * - WRITE: an answered write; the real choices.
 * - LOST: a write whose answer was lost. Only worth placing when no answered operation fits
 *   without it; trying it first (as plain list order would) would explore subsets of lost writes
 *   before every step.
 */
const OBSERVE = 0;
const WRITE = 1;
const LOST = 2;

interface Frame {
  readonly call: Node;
  readonly state: number;
  readonly pass: number;
  /** The latest call among the operations placed before this one. */
  readonly lastCall: number;
}

/**
 * Whether `ops` (all on one task) can be linearized from the model's initial state. `deadline`
 * is a `performance.now()` value after which the search gives up with 'timeout'.
 */
export function searchTask(ops: readonly Op[], model: TaskModel, deadline: number): SearchResult {
  const { main, lost } = buildEvents(ops);
  let pending = ops.filter((op) => op.ret !== null).length;
  const memo = new Memo(ops.length);
  const horizon = new Horizon(ops);
  const stack: Frame[] = [];
  let state = model.initial;
  let cur = main.next;
  let pass = OBSERVE;
  /** In the LOST pass: a lost write is a candidate if called by the first pending return. */
  let boundary = Infinity;
  /**
   * The latest call among placed operations: a write with an `until` earlier than that cannot go
   * next, since it must take effect before an operation that started after it ended.
   */
  let lastCall = -Infinity;
  let steps = 0;
  // Writes with an `until`, by it: the ones an observation placed now could shut out.
  const until = ops.map((op) => (op.out === null ? (op.until ?? Infinity) : Infinity));
  const bounded = ops
    .flatMap((_, i) => (until[i] < Infinity ? [i] : []))
    .sort((a, b) => until[a] - until[b]);
  /** Whether placing an operation called at `call` now would shut out an unplaced bounded write. */
  const shutsOut = (call: number): boolean =>
    bounded.some((i) => !memo.has(i) && until[i] >= lastCall && until[i] < call);

  /** The current configuration cannot be completed: undo choices up to the last real one. */
  const backtrack = (): boolean => {
    let top: Frame | undefined;
    do {
      top = stack.pop();
      if (top === undefined) return false;
      state = top.state;
      lastCall = top.lastCall;
      memo.toggle(top.call.op);
      horizon.unplace(top.call.op);
      unlift(top.call);
      if (top.call.match !== null) pending++;
      // An OBSERVE placement was forced: its failure is its parent configuration's failure.
    } while (top.pass === OBSERVE);
    cur = top.call.next;
    pass = top.pass;
    if (pass === LOST) boundary = firstReturn(main);
    return true;
  };

  while (pending > 0) {
    if ((++steps & 0x3ff) === 0 && performance.now() > deadline) return 'timeout';
    // The candidate region ends at the first return (in the main list; `pending > 0` means there
    // is one), or for lost writes at the first one called after it.
    const node = cur;
    if (pass === LOST ? node === null || node.time > boundary : !node!.isCall) {
      if (pass === OBSERVE) {
        pass = WRITE;
        cur = main.next;
      } else if (pass === WRITE && !horizon.frozen(model.state(state))) {
        pass = LOST;
        boundary = firstReturn(main);
        cur = lost.next;
      } else if (!backtrack()) {
        return 'fail';
      }
      continue;
    }
    cur = node!.next;
    if (node!.until < lastCall) continue;
    const next = model.step(state, node!.op);
    if (next === NO) continue;
    // Placing an observation is only free of choice if it shuts no write out; else it is a
    // choice like a write's, made in the WRITE pass.
    const forced = next === state && !(bounded.length > 0 && shutsOut(node!.time));
    if ((pass === OBSERVE) !== forced) continue;
    // The cheap test first: most refused candidates die here, before the memo is consulted.
    horizon.place(node!.op);
    memo.toggle(node!.op);
    if (horizon.dead(model.state(next)) || !memo.add(next)) {
      memo.toggle(node!.op);
      horizon.unplace(node!.op);
      // A forced placement that leads nowhere condemns the configuration itself.
      if (pass === OBSERVE && !backtrack()) return 'fail';
      continue;
    }
    stack.push({ call: node!, state, pass, lastCall });
    state = next;
    lastCall = Math.max(lastCall, node!.time);
    lift(node!);
    if (node!.match !== null) pending--;
    cur = main.next;
    pass = OBSERVE;
  }
  return 'ok';
}
