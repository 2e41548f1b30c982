/**
 * The search's view of a history: call and return events in time order, as doubly linked lists
 * an operation can be lifted out of and put back into in O(1) (Porcupine's representation).
 * Answered operations go in the main list, both events; lost-answer writes, which have no return
 * and stay pending for ever, in a list of their own — walking past hundreds of them on every step
 * of the main list would cost more than everything else.
 */
import type { Op } from './history.js';

export interface Node {
  /** Index of the operation; -1 for a list's sentinel head. */
  readonly op: number;
  readonly isCall: boolean;
  readonly time: number;
  /** For a lost-answer write: the latest time it can take effect (see `Unanswered.until`). */
  readonly until: number;
  /** For a call: its return event (null when the outcome is unknown). */
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

export interface Events {
  /** Answered operations: calls and returns. */
  readonly main: Node;
  /** Lost-answer writes: calls only. */
  readonly lost: Node;
}

export function buildEvents(ops: readonly Op[]): Events {
  const main: Node[] = [];
  const lost: Node[] = [];
  ops.forEach((op, i) => {
    const call = node(i, true, op.call, op.out === null ? (op.until ?? Infinity) : Infinity);
    if (op.ret === null) {
      lost.push(call);
      return;
    }
    call.match = node(i, false, op.ret);
    main.push(call, call.match);
  });
  // Equal times: calls first, so operations that only touch at one millisecond count as
  // concurrent. The clock's resolution cannot order them, and a false alarm is worse than a miss.
  const order = (a: Node, b: Node): number =>
    a.time - b.time || Number(b.isCall) - Number(a.isCall);
  return { main: chain(main.sort(order)), lost: chain(lost.sort(order)) };
}

function node(op: number, isCall: boolean, time: number, until = Infinity): Node {
  return { op, isCall, time, until, match: null, prev: null, next: null };
}

/** Links the nodes behind a fresh sentinel head and returns the head. */
function chain(nodes: readonly Node[]): Node {
  const head = node(-1, false, -Infinity);
  let last = head;
  for (const n of nodes) {
    n.prev = last;
    last.next = n;
    last = n;
  }
  return head;
}

/** The time of the first return in the main list; +∞ if there is none. */
export function firstReturn(main: Node): number {
  for (let n = main.next; n !== null; n = n.next) if (!n.isCall) return n.time;
  return Infinity;
}

export function lift(call: Node): void {
  unlink(call);
  if (call.match !== null) unlink(call.match);
}

export function unlift(call: Node): void {
  // Reverse order of lift: the return goes back first, so the call's neighbours are intact.
  if (call.match !== null) relink(call.match);
  relink(call);
}

function unlink(n: Node): void {
  n.prev!.next = n.next;
  if (n.next !== null) n.next.prev = n.prev;
}

function relink(n: Node): void {
  n.prev!.next = n;
  if (n.next !== null) n.next.prev = n;
}
