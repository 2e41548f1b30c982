/**
 * The closest attempt at ordering a counterexample, for its explanation: the order that places
 * the most answered operations before getting stuck, and what is stuck. Writes whose answers were
 * set aside while shrinking may fill in between (they may have happened), so the attempt gets
 * stuck on the real contradiction rather than on a write the shrinking cut out.
 */
import type { Op } from './history.js';
import { apply, type State } from './model.js';

/** Enough for any shrunk counterexample; a bigger one just gets a shorter attempt. */
const MAX_EXPLORED = 20_000;
/** Set-aside writes offered to the attempt: the ones nearest the counterexample in time. */
const MAX_RELAXED = 24;

export interface Attempt {
  /** Placed operations, in order. */
  readonly placed: Op[];
  readonly state: State;
  /** Core operations that could come next in real time, none of which fits. */
  readonly blocked: number[];
}

export function closestAttempt(core: readonly Op[], relaxed: readonly Op[], start: State): Attempt {
  const ops = [...core, ...nearest(core, relaxed)];
  const isCore = (i: number): boolean => i < core.length;
  const done = new Array<boolean>(ops.length).fill(false);
  const placed: number[] = [];
  let best: Attempt = { placed: [], state: start, blocked: [] };
  let bestScore = -1;
  let explored = 0;
  const ready = (i: number): boolean => {
    if (done[i]) return false;
    // Everything that returned before this was called must already be placed...
    if (ops.some((p, j) => !done[j] && p.ret !== null && p.ret < ops[i].call)) return false;
    // ...and a set-aside write cannot follow something called after it ended.
    const op = ops[i];
    const until = op.out === null ? (op.until ?? Infinity) : Infinity;
    return !ops.some((p, j) => done[j] && p.call > until);
  };
  const visit = (s: State, used: number): void => {
    if (++explored > MAX_EXPLORED) return;
    // More answered operations placed is better; at equal, fewer set-aside writes used.
    const score = placed.filter(isCore).length * 1000 - used;
    if (score > bestScore) {
      bestScore = score;
      const blocked = core.flatMap((_, i) => (ready(i) ? [i] : []));
      best = { placed: placed.map((i) => ops[i]), state: s, blocked };
    }
    const moves = (pick: (i: number) => boolean): boolean => {
      let any = false;
      ops.forEach((op, i) => {
        if (!pick(i) || !ready(i)) return;
        const next = apply(s, op);
        if (next === undefined) return;
        any = true;
        done[i] = true;
        placed.push(i);
        visit(next, used + (isCore(i) ? 0 : 1));
        placed.pop();
        done[i] = false;
      });
      return any;
    };
    // A set-aside write only where no answered operation fits: it is there to fill a gap.
    if (!moves(isCore)) moves((i) => !isCore(i));
  };
  visit(start, 0);
  return best;
}

/** The set-aside writes that could matter, nearest first: called by the core's last return. */
function nearest(core: readonly Op[], relaxed: readonly Op[]): Op[] {
  const first = Math.min(...core.map((op) => op.call));
  const last = Math.max(...core.map((op) => op.ret ?? op.call));
  const distance = (op: Op): number => Math.max(0, first - op.call);
  return relaxed
    .filter((op) => op.call <= last && (op.out !== null || (op.until ?? Infinity) >= first))
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, MAX_RELAXED);
}
