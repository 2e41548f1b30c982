/**
 * Puts each node in group A, B or C; "Apply" cuts every link between groups, "Heal" restores
 * them all. Radio buttons rather than drag and drop, so it works from the keyboard as is.
 */
import { useState } from 'react';
import type { ClusterStatus } from '../../../cluster/api/control.js';
import { busyKey } from '../store/cluster.js';
import { useCluster, useStores } from '../store/context.js';
import {
  GROUPS,
  describePartitions,
  groupsFromPartitions,
  partitionsFromGroups,
  type Group,
} from './partition.js';

export function PartitionEditor(props: { status: ClusterStatus }) {
  const { cluster } = useStores();
  const busy = useCluster((s) => s.busy);
  const ids = props.status.nodes.map((n) => n.id);
  const current = props.status.network.partitions;
  // Edits are local until applied; a node the editor has not seen yet starts in its live group.
  const [edits, setEdits] = useState<Record<number, Group>>({});
  const assigned = { ...groupsFromPartitions(ids, current), ...pick(edits, ids) };
  const planned = partitionsFromGroups(assigned);

  return (
    <section className="partition-editor" aria-labelledby="partition-heading">
      <h2 id="partition-heading">Network partition</h2>
      <p>
        Now: <span className="partition-now">{describePartitions(current)}</span>
      </p>
      <div className="partition-grid">
        {ids.map((id) => (
          <fieldset key={id} className="partition-node">
            <legend>Node {id}</legend>
            {GROUPS.map((g) => (
              <label key={g}>
                <input
                  type="radio"
                  name={`partition-node-${id}`}
                  value={g}
                  aria-label={`Node ${id} in group ${g}`}
                  checked={assigned[id] === g}
                  onChange={() => setEdits((e) => ({ ...e, [id]: g }))}
                />
                {g}
              </label>
            ))}
          </fieldset>
        ))}
      </div>
      <p>
        Planned: <span className="partition-plan">{describePartitions(planned)}</span>
      </p>
      <div className="partition-buttons">
        <button
          type="button"
          className="primary"
          disabled={busy[busyKey(0, 'network')] === true}
          onClick={() => {
            // Edits stay: once applied they match the live partition anyway.
            void cluster.getState().applyPartitions(planned);
          }}
        >
          Apply partition
        </button>
        <button
          type="button"
          disabled={busy[busyKey(0, 'heal')] === true}
          onClick={() => {
            void cluster.getState().heal();
            setEdits({});
          }}
        >
          Heal network
        </button>
      </div>
    </section>
  );
}

function pick(
  edits: Readonly<Record<number, Group>>,
  ids: readonly number[],
): Record<number, Group> {
  const out: Record<number, Group> = {};
  for (const id of ids) if (edits[id] !== undefined) out[id] = edits[id];
  return out;
}
