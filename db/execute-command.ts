/**
 * One task command applied to the in-memory view of a batch (apply-plan.ts): pure, so every
 * replica and every store implementation computes the same rows and answers.
 */
import type { CommandResult, Task, TaskCommand } from '../cluster/api/task.js';

/** Applies `command` at log `index`; `tasks` maps ids to rows (null: deleted in this batch). */
export function execute(
  command: TaskCommand,
  index: number,
  tasks: Map<string, Task | null>,
  dirty: Set<string>,
): CommandResult {
  if (command.op === 'create') {
    const { id } = command.task;
    if (tasks.get(id)) {
      return conflict(`task ${id} already exists`);
    }
    const task: Task = {
      id,
      title: command.task.title,
      description: command.task.description,
      status: command.task.status,
      priority: command.task.priority,
      dueDate: command.task.dueDate,
      createdAt: command.at,
      updatedAt: command.at,
      version: 1,
      raftIndex: index,
    };
    tasks.set(id, task);
    dirty.add(id);
    return { ok: true, status: 201, task };
  }
  const current = tasks.get(command.id);
  if (!current) {
    return { ok: false, status: 404, error: 'not_found', message: `no task ${command.id}` };
  }
  if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
    return conflict(
      `task ${command.id} is at version ${current.version}, not ${command.expectedVersion}`,
    );
  }
  if (command.op === 'delete') {
    tasks.set(command.id, null);
    dirty.add(command.id);
    return { ok: true, status: 200, task: null };
  }
  const { patch } = command;
  const task: Task = {
    ...current,
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.priority !== undefined && { priority: patch.priority }),
    ...(patch.dueDate !== undefined && { dueDate: patch.dueDate }),
    updatedAt: command.at,
    version: current.version + 1,
    raftIndex: index,
  };
  tasks.set(command.id, task);
  dirty.add(command.id);
  return { ok: true, status: 200, task };
}

function conflict(message: string): CommandResult {
  return { ok: false, status: 409, error: 'version_conflict', message };
}
