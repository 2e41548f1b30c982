/**
 * Where each operation of a counterexample goes on the timeline: one row per client, a bar from
 * its call to its answer. An operation without an answer runs to the right edge: it may have
 * taken effect at any time after its call.
 */
import type { Op } from '../../../cluster/verify/history.js';

export interface Bar {
  readonly op: Op;
  readonly row: number;
  readonly x: number;
  /** Null: no answer, the bar is open-ended. */
  readonly width: number | null;
}

export interface Layout {
  readonly clients: readonly string[];
  readonly bars: readonly Bar[];
  /** The time at the left and right edges (ms since the recording started). */
  readonly from: number;
  readonly to: number;
}

/** Scales the operations into `width` pixels (a small margin keeps open ends visible). */
export function layoutOps(ops: readonly Op[], width: number): Layout {
  const clients = [...new Set(ops.map((o) => o.client))].sort();
  if (ops.length === 0) return { clients, bars: [], from: 0, to: 0 };
  const from = Math.min(...ops.map((o) => o.call));
  const ends = ops.map((o) => o.ret ?? o.call);
  const last = Math.max(...ends);
  // Room after the last event for the open ends to show that they go on.
  const span = Math.max(1, (last - from) * 1.15);
  const to = from + span;
  const x = (t: number) => ((t - from) / span) * width;
  const bars = ops.map((op) => ({
    op,
    row: clients.indexOf(op.client),
    x: x(op.call),
    width: op.ret === null ? null : Math.max(2, x(op.ret) - x(op.call)),
  }));
  return { clients, bars, from, to };
}
