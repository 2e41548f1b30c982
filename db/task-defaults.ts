/**
 * A task written before projects, tags, subtasks and recurrence existed (an old snapshot, an
 * old stored answer) gets the same defaults migration 0004 gives the rows of an upgraded
 * database: no project, tags, parent, recurrence or due time; position = the ms of createdAt
 * (the old list order stays); completedAt = updatedAt when it is done.
 */
import type { Task } from '../cluster/api/task.js';

export type LegacyTask = Omit<
  Task,
  'dueTime' | 'projectId' | 'tags' | 'parentId' | 'recurrence' | 'position' | 'completedAt'
> &
  Partial<Task>;

export function withTaskDefaults(task: LegacyTask): Task {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    dueDate: task.dueDate,
    dueTime: task.dueTime ?? null,
    projectId: task.projectId ?? null,
    tags: task.tags ?? [],
    parentId: task.parentId ?? null,
    recurrence: task.recurrence ?? null,
    position: task.position ?? Date.parse(task.createdAt),
    completedAt: task.completedAt ?? (task.status === 'done' ? task.updatedAt : null),
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    version: task.version,
    raftIndex: task.raftIndex,
  };
}
