/**
 * Where a task stands in the log: pending (with why, when it is waiting), committed at an
 * index, failed, or simply the index that last wrote it.
 */
import type { Task } from '../../../cluster/api/task.js';
import type { Change } from '../store/changes.js';

export function badgeText(task: Task, change: Change | undefined): string {
  switch (change?.state.phase) {
    case 'pending':
      return change.state.message === null ? 'pending' : 'pending: no commit yet';
    case 'scheduled':
      return 'deleting';
    case 'failed':
      return 'failed';
    case 'committed':
      return `committed at index ${change.state.raftIndex}`;
    default:
      return task.raftIndex > 0 ? `log index ${task.raftIndex}` : 'pending';
  }
}

export function ChangeBadge(props: { task: Task; change: Change | undefined }) {
  const { change } = props;
  const phase = change?.state.phase ?? 'settled';
  const title =
    change?.state.phase === 'pending'
      ? (change.state.message ?? 'sent; waiting for the cluster to commit it')
      : change?.state.phase === 'failed'
        ? change.state.error.message
        : change?.state.phase === 'committed'
          ? `term ${change.state.term}, served by node ${change.state.servedBy}`
          : 'the log index of the entry that last wrote this task';
  return (
    <span className={`badge badge-${phase}`} title={title} data-phase={phase}>
      {badgeText(props.task, change)}
    </span>
  );
}
