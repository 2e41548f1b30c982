/**
 * Says when the list could not be read (no quorum for a linearizable read, most often) and
 * offers a stale read from any node's own database: the learner sees the trade-off directly.
 */
import { useStores, useTasks } from '../store/context.js';

export function LoadBanner() {
  const { tasks } = useStores();
  const load = useTasks((s) => s.load);
  if (load.status === 'error') {
    return (
      <div className="banner warn" role="alert">
        <span>{load.error}</span>
        <button type="button" onClick={() => void tasks.getState().loadTasks()}>
          Retry
        </button>
        <button type="button" onClick={() => void tasks.getState().loadTasks('stale')}>
          Read a stale copy
        </button>
      </div>
    );
  }
  if (load.status === 'loaded' && load.consistency === 'stale') {
    return (
      <div className="banner info" role="status">
        Showing a stale read (applied index {load.appliedIndex}): it may miss recent commits.
        <button type="button" onClick={() => void tasks.getState().loadTasks('linearizable')}>
          Read linearizably
        </button>
      </div>
    );
  }
  if (load.truncated) {
    return (
      <div className="banner info" role="status">
        Showing the first 10,000 tasks; search narrows within them.
      </div>
    );
  }
  return null;
}
