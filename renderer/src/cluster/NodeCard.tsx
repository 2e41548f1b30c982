/** One node of the cluster: its Raft state, its process and MySQL, and the faults to inject. */
import { useState } from 'react';
import type { ClusterNode, MySqlAction, NodeAction } from '../../../cluster/api/control.js';
import { busyKey } from '../store/cluster.js';
import { useCluster, useStores } from '../store/context.js';
import { LogStrip } from './LogStrip.js';
import type { StripWindow } from './strip.js';
import { TimerRing } from './TimerRing.js';

interface ActionButton {
  readonly label: string;
  readonly run: () => void;
  readonly busy: string;
  readonly enabled: boolean;
  readonly why?: string;
  readonly danger?: boolean;
}

function actionsFor(
  n: ClusterNode,
  node: (a: NodeAction) => void,
  mysql: (a: MySqlAction) => void,
  remove: () => void,
  members: number,
): ActionButton[] {
  const alive = n.status === 'running' || n.status === 'starting' || n.status === 'paused';
  const managed = n.mysql.mode !== 'external';
  const server = n.mysql.server;
  // A paused server still runs (frozen): it can be stopped or resumed, not started.
  const dbUp = server === 'running' || server === 'starting' || server === 'paused';
  const external = 'an external MySQL server is not Raftboard’s to stop, start or pause';
  return [
    {
      label: 'Pause',
      run: () => node('pause'),
      busy: 'pause',
      enabled: n.status === 'running',
      why: 'only a running node can be paused',
    },
    {
      label: 'Resume',
      run: () => node('resume'),
      busy: 'resume',
      enabled: n.status === 'paused',
      why: 'only a paused node can be resumed',
    },
    {
      label: 'Kill',
      run: () => node('kill'),
      busy: 'kill',
      enabled: alive,
      why: 'the process is not running',
      danger: true,
    },
    { label: 'Restart', run: () => node('restart'), busy: 'restart', enabled: true },
    {
      label: 'Stop MySQL',
      run: () => mysql('stop'),
      busy: 'mysql-stop',
      enabled: managed && dbUp,
      why: managed ? 'MySQL is not running' : external,
      danger: true,
    },
    {
      label: 'Start MySQL',
      run: () => mysql('start'),
      busy: 'mysql-start',
      enabled: managed && !dbUp,
      why: managed ? 'MySQL is already running' : external,
    },
    {
      label: 'Pause MySQL',
      run: () => mysql('pause'),
      busy: 'mysql-pause',
      enabled: managed && server === 'running',
      why: managed ? 'only a running MySQL can be paused' : external,
      danger: true,
    },
    {
      label: 'Resume MySQL',
      run: () => mysql('resume'),
      busy: 'mysql-resume',
      enabled: managed && server === 'paused',
      why: managed ? 'only a paused MySQL can be resumed' : external,
    },
    {
      label: 'Remove',
      run: remove,
      busy: 'remove',
      enabled: members > 1,
      why: 'the last node cannot be removed',
      danger: true,
    },
  ];
}

/** The leader this node follows, as it sees it: a cut-off node shows it has none. */
export function leaderText(n: ClusterNode): string {
  if (n.status === 'stopped' || n.status === 'crashed') return '—';
  if (n.leaderId === 0) return 'none';
  return n.leaderId === n.id ? 'itself' : `node ${n.leaderId}`;
}

export function NodeCard(props: {
  node: ClusterNode;
  leaderId: number;
  window: StripWindow;
  members: number;
}) {
  const { cluster } = useStores();
  const busy = useCluster((s) => s.busy);
  const n = props.node;
  const headingId = `node-${n.id}-heading`;
  // Removing deletes the node's data: the button asks first, in place.
  const [confirming, setConfirming] = useState(false);
  const buttons = actionsFor(
    n,
    (a) => void cluster.getState().nodeAction(n.id, a),
    (a) => void cluster.getState().mysqlAction(n.id, a),
    () => setConfirming(true),
    props.members,
  );
  return (
    <article className={`node-card role-${n.role} status-${n.status}`} aria-labelledby={headingId}>
      <header>
        <h3 id={headingId}>Node {n.id}</h3>
        <span className={`role-badge role-${n.role}`}>
          {n.id === props.leaderId ? '★ ' : ''}
          {n.role}
        </span>
        <span className={`process process-${n.status}`}>{n.status}</span>
        <TimerRing node={n} />
      </header>
      <dl className="node-facts">
        <dt>Term</dt>
        <dd>{n.term}</dd>
        <dt>Voted for</dt>
        <dd>{n.votedFor === 0 ? 'nobody' : `node ${n.votedFor}`}</dd>
        <dt>Leader</dt>
        <dd className={n.leaderId === 0 ? 'no-leader' : undefined}>{leaderText(n)}</dd>
        <dt>Last index</dt>
        <dd>{n.lastLogIndex}</dd>
        <dt>Commit</dt>
        <dd>{n.commitIndex}</dd>
        <dt>Applied</dt>
        <dd>{n.appliedIndex}</dd>
        <dt>Snapshot</dt>
        <dd>{n.snapshotIndex}</dd>
        <dt className="fact-wide">MySQL</dt>
        <dd className={`fact-wide mysql mysql-${n.mysql.status}`}>
          {n.mysql.status} ({n.mysql.mode}, server {n.mysql.server})
        </dd>
      </dl>
      {n.mysql.error !== undefined && <p className="node-error">{n.mysql.error}</p>}
      <LogStrip node={n} window={props.window} />
      <div className="node-actions" role="group" aria-label={`Node ${n.id} actions`}>
        {buttons.map((b) => (
          <button
            key={b.label}
            type="button"
            className={b.danger ? 'danger' : undefined}
            aria-label={`${b.label} ${b.busy.startsWith('mysql') ? 'on ' : ''}node ${n.id}`}
            title={b.enabled ? undefined : b.why}
            disabled={!b.enabled || busy[busyKey(n.id, b.busy)] === true}
            onClick={b.run}
          >
            {b.label}
          </button>
        ))}
      </div>
      {confirming && (
        <div className="remove-confirm" role="group" aria-label={`Confirm removal of node ${n.id}`}>
          <span>Remove node {n.id} from the cluster and delete its data?</span>
          <button
            type="button"
            className="danger"
            onClick={() => {
              setConfirming(false);
              void cluster.getState().removeNode(n.id);
            }}
          >
            Yes, remove node {n.id}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {(n.status === 'crashed' || n.status === 'stopped') && n.lastLines.length > 0 && (
        <details className="last-lines">
          <summary>Last output of node {n.id}</summary>
          <pre>{n.lastLines.join('\n')}</pre>
        </details>
      )}
    </article>
  );
}
