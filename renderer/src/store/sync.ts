/**
 * Keeps the stores in step with the cluster while the window is open: the event stream, polling
 * the status while the stream is down, and re-reading the task list when the log has moved past
 * what the list was read at (another client wrote, or a retried write landed).
 */
import type { Stores } from './stores.js';

export interface SyncOptions {
  /** How often to look at whether the task list is behind. */
  readonly taskCheckMs?: number;
}

export function startSync(stores: Stores, options: SyncOptions = {}): () => void {
  const { api, tasks, cluster, events, settings } = stores;
  const taskCheckMs = options.taskCheckMs ?? 2000;

  const unsubscribe = api.subscribeEvents({
    onEvent: (e) => events.getState().push(e),
    onConnection: (state) => events.getState().setConnection(state),
  });

  void cluster.getState().refresh();
  void tasks.getState().loadTasks();

  let pollTimer: ReturnType<typeof setTimeout> | null = null;
  const poll = (): void => {
    if (events.getState().connection !== 'open') void cluster.getState().refresh();
    pollTimer = setTimeout(poll, settings.getState().pollMs);
  };
  pollTimer = setTimeout(poll, settings.getState().pollMs);

  const taskTimer = setInterval(() => {
    const { load } = tasks.getState();
    if (load.status === 'loading') return;
    const status = cluster.getState().status;
    const leader = status?.nodes.find((n) => n.id === status.leaderId);
    const behind = leader !== undefined && leader.commitIndex > load.appliedIndex;
    if (behind || load.status === 'error') void tasks.getState().loadTasks();
  }, taskCheckMs);

  return () => {
    unsubscribe();
    if (pollTimer !== null) clearTimeout(pollTimer);
    clearInterval(taskTimer);
  };
}
