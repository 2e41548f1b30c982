/**
 * A node's log as one bar: snapshot, applied, committed-but-not-applied, and the uncommitted
 * tail (dashed), with a marker at the commit index. The status carries indexes but not the term
 * of each entry, so the bar takes the node's current term's colour rather than one per entry.
 */
import type { ClusterNode } from '../../../cluster/api/control.js';

/** A stable, distinct hue per term, so a new term is visibly a new colour. */
export function termHue(term: number): number {
  return (term * 137) % 360;
}

export function LogBar(props: { node: ClusterNode; scale: number }) {
  const { node } = props;
  const scale = Math.max(1, props.scale);
  const pct = (i: number): string => `${(Math.min(i, scale) / scale) * 100}%`;
  const snap = node.snapshotIndex;
  const applied = Math.max(snap, node.appliedIndex);
  const commit = Math.max(applied, node.commitIndex);
  const last = Math.max(commit, node.lastLogIndex);
  const label =
    `Log of node ${node.id}: last index ${node.lastLogIndex}, commit ${node.commitIndex}, ` +
    `applied ${node.appliedIndex}, snapshot ${node.snapshotIndex}, term ${node.term}`;
  return (
    <div className="logbar" role="img" aria-label={label} title={label}>
      <div
        className="logbar-track"
        style={{ ['--term-hue' as string]: String(termHue(node.term)) }}
      >
        <span className="seg seg-snapshot" style={{ left: 0, width: pct(snap) }} />
        <span className="seg seg-applied" style={{ left: pct(snap), width: pct(applied - snap) }} />
        <span
          className="seg seg-committed"
          style={{ left: pct(applied), width: pct(commit - applied) }}
        />
        <span
          className="seg seg-uncommitted"
          style={{ left: pct(commit), width: pct(last - commit) }}
        />
        <span className="commit-marker" style={{ left: pct(commit) }} />
      </div>
    </div>
  );
}
