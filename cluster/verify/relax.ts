/**
 * Setting answers aside: the one way the checker weakens a history (windows, shrinking) without
 * ever inventing an anomaly. A relaxed write took effect at some point while it ran, or never;
 * an observation is simply dropped. Any linearization of the original is one of the relaxed
 * history, so if the relaxed history fails, so did the original.
 */
import type { Op } from './history.js';

/** An answered operation that changes nothing whatever the order: a read, a 404 or a 409. */
export function isObservation(op: Op): boolean {
  return op.f === 'read' || (op.out !== null && (op.out.status === 404 || op.out.status === 409));
}

/** The same write with its answer set aside: it took effect while it ran, or never. */
export function relax(op: Op): Op {
  return op.ret === null ? op : { ...op, ret: null, out: null, until: op.ret };
}
