/**
 * The log strip's geometry, kept pure so it is tested without a DOM: which stretch of indexes
 * every strip shows (one window for all nodes, so a lagging log is visibly shorter), and the
 * segments of one node's log in it, split by term and by applied / committed / uncommitted.
 */
import type { ClusterNode } from '../../../cluster/api/control.js';

/** Entries shown: what the nodes report terms for (cluster/node/log-terms.ts). */
export const STRIP_ENTRIES = 200;

export interface StripWindow {
  /** First and last index shown (inclusive); empty when `last < first`. */
  readonly first: number;
  readonly last: number;
}

export type SegmentKind = 'snapshot' | 'untold' | 'applied' | 'committed' | 'uncommitted';

export interface Segment {
  readonly kind: SegmentKind;
  /** The entries' term; 0 for the snapshot and for entries whose term was not reported. */
  readonly term: number;
  readonly from: number;
  readonly to: number;
}

export function stripWindow(nodes: readonly ClusterNode[]): StripWindow {
  const last = Math.max(0, ...nodes.map((n) => n.lastLogIndex));
  return { first: Math.max(1, last - STRIP_ENTRIES + 1), last };
}

/** A stable, distinct hue per term, so a new term is visibly a new colour. */
export function termHue(term: number): number {
  return (term * 137) % 360;
}

export function stripSegments(n: ClusterNode, w: StripWindow): Segment[] {
  const out: Segment[] = [];
  const push = (kind: SegmentKind, term: number, from: number, to: number): void => {
    const a = Math.max(from, w.first);
    const b = Math.min(to, w.last);
    if (a <= b) out.push({ kind, term, from: a, to: b });
  };
  const snap = n.snapshotIndex;
  push('snapshot', 0, 1, snap);
  const told = n.logTerms[0]?.from ?? n.lastLogIndex + 1;
  // Stored entries older than the reported runs (a log longer than the strip): no term known.
  push('untold', 0, snap + 1, Math.min(told - 1, n.lastLogIndex));
  const applied = n.appliedIndex;
  const commit = Math.max(n.commitIndex, applied);
  for (const r of n.logTerms) {
    push('applied', r.term, r.from, Math.min(r.to, applied));
    push('committed', r.term, Math.max(r.from, applied + 1), Math.min(r.to, commit));
    push('uncommitted', r.term, Math.max(r.from, commit + 1), r.to);
  }
  return out;
}

/** The runs in words, for the strip's accessible name: "2 for 11–30, 3 for 31–42". */
export function describeTerms(n: ClusterNode): string {
  return n.logTerms.map((r) => `${r.term} for ${r.from}–${r.to}`).join(', ');
}
