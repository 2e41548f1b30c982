/**
 * A node's log as a strip: one block per run of entries of one term, coloured by the term;
 * the snapshot hatched; entries committed but not yet applied lighter; uncommitted entries
 * dashed; a marker at the commit index. Every node's strip shows the same index window.
 */
import type { ClusterNode } from '../../../cluster/api/control.js';
import { describeTerms, stripSegments, termHue, type StripWindow } from './strip.js';

export function LogStrip(props: { node: ClusterNode; window: StripWindow }) {
  const { node, window: w } = props;
  const span = Math.max(1, w.last - w.first + 1);
  const pct = (i: number): string => `${(Math.max(0, Math.min(span, i)) / span) * 100}%`;
  const terms = describeTerms(node);
  const label =
    `Log of node ${node.id}: last index ${node.lastLogIndex}, commit ${node.commitIndex}, ` +
    `applied ${node.appliedIndex}, snapshot ${node.snapshotIndex}, term ${node.term}` +
    (terms === '' ? '' : `; terms: ${terms}`);
  const commit = node.commitIndex;
  return (
    <div className="logstrip" role="img" aria-label={label} title={label}>
      <div className="logstrip-track">
        {stripSegments(node, w).map((s) => (
          <span
            key={`${s.kind}-${s.from}`}
            className={`seg seg-${s.kind}`}
            data-term={s.term === 0 ? undefined : s.term}
            style={{
              left: pct(s.from - w.first),
              width: pct(s.to - s.from + 1),
              ['--term-hue' as string]: String(termHue(s.term)),
            }}
          />
        ))}
        {commit >= w.first && commit <= w.last && (
          <span className="commit-marker" style={{ left: pct(commit - w.first + 1) }} />
        )}
      </div>
      <div className="logstrip-scale" aria-hidden="true">
        <span>{w.last >= w.first ? w.first : ''}</span>
        <span>{w.last >= w.first ? w.last : ''}</span>
      </div>
    </div>
  );
}
