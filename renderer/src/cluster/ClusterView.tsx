/** The control room: a card per node, the partition editor, the event timeline. */
import { useCluster, useEvents } from '../store/context.js';
import { EventTimeline } from './EventTimeline.js';
import { NodeCard } from './NodeCard.js';
import { PartitionEditor } from './PartitionEditor.js';

export function ClusterView() {
  const status = useCluster((s) => s.status);
  const error = useCluster((s) => s.error);
  const outcome = useCluster((s) => s.lastOutcome);
  const connection = useEvents((s) => s.connection);

  if (status === null) {
    return (
      <div className="cluster-view">
        <p role="status">{error ?? 'Reading the cluster status…'}</p>
      </div>
    );
  }
  // One scale for every bar, so a lagging node's shorter log is visible at a glance.
  const scale = Math.max(1, ...status.nodes.map((n) => n.lastLogIndex));
  return (
    <div className="cluster-view">
      <div className="cluster-summary" role="status" aria-label="Cluster summary">
        <span>
          {status.leaderId === 0
            ? 'No leader: writes wait until a majority elects one.'
            : `Leader: node ${status.leaderId}, term ${status.term}.`}
        </span>
        {status.slow !== 1 && <span>Slow motion ×{status.slow}.</span>}
        {connection !== 'open' && <span>Live events disconnected; polling.</span>}
        {error !== null && <span>{error}</span>}
      </div>
      {outcome !== null && (
        <p
          className={`outcome ${outcome.ok ? 'ok' : 'bad'}`}
          role={outcome.ok ? 'status' : 'alert'}
        >
          {outcome.text}
        </p>
      )}
      <div className="node-grid">
        {status.nodes.map((n) => (
          <NodeCard key={n.id} node={n} leaderId={status.leaderId} scale={scale} />
        ))}
      </div>
      <div className="cluster-lower">
        <PartitionEditor status={status} />
        <EventTimeline />
      </div>
    </div>
  );
}
