/**
 * The control room: a card per node (state, election timer, log strip, fault buttons), the live
 * message flow, the replicas' checksums, the partition editor and link matrix, the timeline.
 */
import { SlowMotionControl } from '../shell/SlowMotion.js';
import { busyKey } from '../store/cluster.js';
import { useCluster, useEvents, useStores } from '../store/context.js';
import { ChecksumsPanel } from './ChecksumsPanel.js';
import { EventTimeline } from './EventTimeline.js';
import { LinkMatrix } from './LinkMatrix.js';
import { MessageFlow } from './MessageFlow.js';
import { NodeCard } from './NodeCard.js';
import { PartitionEditor } from './PartitionEditor.js';
import { stripWindow } from './strip.js';

/** Beyond this the supervisor refuses to add (cluster.json holds at most 9 members). */
const MAX_NODES = 9;

export function ClusterView() {
  const { cluster } = useStores();
  const status = useCluster((s) => s.status);
  const error = useCluster((s) => s.error);
  const outcome = useCluster((s) => s.lastOutcome);
  const busy = useCluster((s) => s.busy);
  const connection = useEvents((s) => s.connection);

  if (status === null) {
    return (
      <div className="cluster-view">
        <p role="status">{error ?? 'Reading the cluster status…'}</p>
      </div>
    );
  }
  // One window for every strip, so a lagging node's shorter log is visible at a glance.
  const strip = stripWindow(status.nodes);
  const adding = busy[busyKey(0, 'add-node')] === true;
  return (
    <div className="cluster-view">
      <div className="cluster-top">
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
        <SlowMotionControl />
        <button
          type="button"
          className="primary"
          disabled={adding || status.nodes.length >= MAX_NODES}
          title={status.nodes.length >= MAX_NODES ? `at most ${MAX_NODES} nodes` : undefined}
          onClick={() => void cluster.getState().addNode()}
        >
          {adding ? 'Adding node…' : 'Add node'}
        </button>
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
          <NodeCard
            key={n.id}
            node={n}
            leaderId={status.leaderId}
            window={strip}
            members={status.nodes.length}
          />
        ))}
      </div>
      <div className="cluster-lower">
        <MessageFlow status={status} />
        <EventTimeline />
        <PartitionEditor status={status} />
        <LinkMatrix status={status} />
      </div>
      <ChecksumsPanel />
    </div>
  );
}
