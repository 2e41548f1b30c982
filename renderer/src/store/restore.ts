/**
 * Writes deleted tasks back as they were, ids included: one import of a Raftboard document
 * (the node writes each row as given and skips an id that exists), then a fresh read.
 */
import type { ExportDocument } from '../../../cluster/api/node.js';
import type { Task } from '../../../cluster/api/task.js';
import type { RaftboardApi } from '../api/types.js';
import type { TasksStore } from './tasks.js';

/** `tasks` parents first; `key` fresh for this undo. */
export async function restoreTasks(
  api: RaftboardApi,
  tasks: TasksStore,
  gone: readonly Task[],
  key: string,
): Promise<void> {
  const document: ExportDocument = {
    format: 'raftboard/1',
    exportedAt: new Date().toISOString(),
    projects: [],
    // As an export carries them: the node takes an export back as it is.
    tasks: gone,
  };
  const res = await api.importData({ kind: 'json', document }, { idempotencyKey: key });
  await tasks.getState().loadTasks();
  if (res.tasks < gone.length) {
    throw new Error(
      `Restored ${res.tasks} of ${gone.length} tasks: ${res.skipped} could not be written back.`,
    );
  }
}
