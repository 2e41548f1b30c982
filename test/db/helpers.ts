/** Building Raft entries that carry task commands, for the state-machine tests. */
import type { SessionRef, TaskCommand, TaskInput, TaskPatch } from '../../cluster/api/task.js';
import type { ApplyEntry } from '../../db/statemachine.js';

/** A deterministic UUID-shaped id from a number (v4 layout). */
export function taskId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** `2025-01-01T00:00:00.000Z` plus `n` seconds and `n` milliseconds. */
export function at(n: number): string {
  return new Date(Date.UTC(2025, 0, 1) + n * 1_001).toISOString();
}

export function create(
  id: string,
  input: TaskInput,
  when: string,
  key?: string | SessionRef,
): Extract<TaskCommand, { op: 'create' }> {
  return {
    op: 'create',
    task: {
      id,
      title: input.title,
      description: input.description ?? '',
      status: input.status ?? 'todo',
      priority: input.priority ?? 'medium',
      dueDate: input.dueDate ?? null,
      dueTime: input.dueTime ?? null,
      projectId: input.projectId ?? null,
      tags: input.tags ?? [],
      parentId: input.parentId ?? null,
      recurrence: input.recurrence ?? null,
      position: input.position ?? Date.parse(when),
    },
    at: when,
    ...sessionOf(key),
  };
}

export function update(
  id: string,
  patch: TaskPatch,
  when: string,
  expectedVersion?: number,
  key?: string | SessionRef,
): TaskCommand {
  return {
    op: 'update',
    id,
    patch,
    at: when,
    ...(expectedVersion !== undefined && { expectedVersion }),
    ...sessionOf(key),
  };
}

export function remove(
  id: string,
  when: string,
  expectedVersion?: number,
  key?: string | SessionRef,
): TaskCommand {
  return {
    op: 'delete',
    id,
    at: when,
    ...(expectedVersion !== undefined && { expectedVersion }),
    ...sessionOf(key),
  };
}

/** A bare key is a session without a fingerprint (as entries written before fingerprints). */
function sessionOf(key: string | SessionRef | undefined): { session?: SessionRef } {
  if (key === undefined) return {};
  return { session: typeof key === 'string' ? { key } : key };
}

/** Entries `first, first+1, …` in `term`; a null command is a leader no-op (empty data). */
export function entries(
  first: number,
  commands: readonly (TaskCommand | null)[],
  term = 1,
): ApplyEntry[] {
  return commands.map((command, i) => ({
    index: first + i,
    term,
    type: 'normal',
    data: command === null ? '' : JSON.stringify(command),
  }));
}

/** A deterministic mixed workload of `count` commands over a handful of tasks. */
export function workload(count: number): TaskCommand[] {
  const commands: TaskCommand[] = [];
  const versions = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const id = taskId(i % 7);
    const version = versions.get(id);
    if (version === undefined) {
      commands.push(
        create(id, { title: `task ${i} 🚀`, description: `d${i}`, dueDate: '2025-06-30' }, at(i)),
      );
      versions.set(id, 1);
    } else if (i % 11 === 0) {
      commands.push(remove(id, at(i), version));
      versions.delete(id);
    } else {
      const status = (['todo', 'in_progress', 'done'] as const)[i % 3];
      commands.push(update(id, { status, title: `task ${i} ✓` }, at(i), version, `k${i}`));
      versions.set(id, version + 1);
    }
  }
  return commands;
}
