/**
 * The longest write outage caused by a single fault (issue 12): the longest interval of a run
 * in which no write was acknowledged, and the fault it is blamed on. Target: at most 10 s.
 *
 * A write is acknowledged when its answer says it took effect (create 201, update or delete
 * 200); an answer that refused it (404, 409) or no answer at all (unknown outcome) does not end
 * an outage. The intervals are the gaps between consecutive acknowledgements, from the moment
 * clients started writing to the moment they stopped. A gap is blamed on the fault it overlaps
 * most; one that overlaps none began while the cluster was recovering from the fault that had
 * just healed, and is blamed on that one. A gap before any fault is nobody's (start-up).
 */
import type { Op } from '../history.js';
import type { FaultRecord } from './faults.js';

/** The target the report prints next to the figure. */
export const WRITE_OUTAGE_TARGET_MS = 10_000;

export interface WriteOutage {
  /** Milliseconds without an acknowledged write (the history's clock). */
  readonly ms: number;
  readonly from: number;
  readonly to: number;
  /** The fault blamed (null: none was in force or had been). */
  readonly fault: { readonly kind: string; readonly detail: string; readonly start: number } | null;
}

function acknowledged(op: Op): boolean {
  if (op.ret === null || op.out === null) return false;
  switch (op.f) {
    case 'create':
      return op.out.status === 201;
    case 'update':
    case 'delete':
      return op.out.status === 200;
    case 'read':
      return false;
  }
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/** The fault a gap [from, to] is blamed on (see the file comment). */
export function blame(
  faults: readonly FaultRecord[],
  from: number,
  to: number,
  endedAt: number,
): FaultRecord | null {
  const injected = faults.filter((f) => f.ok);
  let best: FaultRecord | null = null;
  let bestOverlap = 0;
  for (const f of injected) {
    const o = overlap(from, to, f.start, f.end ?? endedAt);
    if (o > bestOverlap) {
      best = f;
      bestOverlap = o;
    }
  }
  if (best !== null) return best;
  // Recovering from the fault healed last before the gap began.
  const before = injected.filter((f) => (f.end ?? endedAt) <= from);
  return before.length === 0 ? null : before[before.length - 1];
}

/**
 * Every gap between acknowledged writes in [start, endedAt], longest first, each with the fault
 * it is blamed on. `start` is when the clients began (0 in a run's history).
 */
export function writeGaps(
  history: readonly Op[],
  faults: readonly FaultRecord[],
  endedAt: number,
  start = 0,
): WriteOutage[] {
  const acks = history
    .filter(acknowledged)
    .map((op) => op.ret as number)
    .filter((t) => t >= start && t <= endedAt)
    .sort((a, b) => a - b);
  const edges = [start, ...acks, endedAt];
  const gaps: WriteOutage[] = [];
  for (let i = 1; i < edges.length; i++) {
    const from = edges[i - 1];
    const to = edges[i];
    if (to <= from) continue;
    const f = blame(faults, from, to, endedAt);
    gaps.push({
      ms: to - from,
      from,
      to,
      fault: f === null ? null : { kind: f.kind, detail: f.detail, start: f.start },
    });
  }
  return gaps.sort((a, b) => b.ms - a.ms);
}

/** The longest gap blamed on a fault (null when no fault had an outage to its name). */
export function longestWriteOutage(
  history: readonly Op[],
  faults: readonly FaultRecord[],
  endedAt: number,
  start = 0,
): WriteOutage | null {
  return writeGaps(history, faults, endedAt, start).find((g) => g.fault !== null) ?? null;
}

/** One line for the CLI summary and the report: the figure, its fault and the target. */
export function outageLine(o: WriteOutage | null): string {
  const target = `target ≤ ${WRITE_OUTAGE_TARGET_MS / 1000} s`;
  if (o === null) return `longest write outage caused by a single fault: none (${target})`;
  const verdict = o.ms <= WRITE_OUTAGE_TARGET_MS ? 'met' : 'MISSED';
  const fault = o.fault as NonNullable<WriteOutage['fault']>;
  return (
    `longest write outage caused by a single fault: ${(o.ms / 1000).toFixed(1)} s ` +
    `(${fault.kind}: ${fault.detail}, from ${(o.from / 1000).toFixed(1)} s to ` +
    `${(o.to / 1000).toFixed(1)} s) — ${target}: ${verdict}`
  );
}
