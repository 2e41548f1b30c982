import type { TaskListResponse } from '../../../cluster/api/node.js';
import type { Task } from '../../../cluster/api/task.js';
import type { Change } from './changes.js';

/**
 * The list as read, except where this window knows newer: a task written, or a delete
 * committed, after the index the list was read at (the read may have raced our own write).
 */
export function mergeList(
  list: TaskListResponse,
  known: Readonly<Record<string, Task>>,
  changes: readonly Change[],
): Record<string, Task> {
  const out: Record<string, Task> = {};
  for (const t of list.tasks) out[t.id] = t;
  for (const t of Object.values(known)) if (t.raftIndex > list.appliedIndex) out[t.id] = t;
  for (const c of changes) {
    if (
      c.kind === 'delete' &&
      c.state.phase === 'committed' &&
      c.state.raftIndex > list.appliedIndex
    ) {
      delete out[c.taskId];
    }
  }
  return out;
}
