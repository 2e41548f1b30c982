/**
 * Terse builders for hand-made histories: `[call, ret]` intervals (ret null = outcome unknown)
 * and answers given as (version, fields) instead of full Task objects.
 */
import type { Task, TaskInput, TaskPatch } from '../../cluster/api/task.js';
import type { CreateOp, DeleteOp, Op, ReadOp, UpdateOp } from '../../cluster/verify/index.js';

export type Span = readonly [call: number, ret: number | null];

/** A task as the API would answer it; unspecified fields take the create defaults. */
export function task(id: string, version: number, fields: Partial<TaskInput> = {}): Task {
  const at = '2030-01-01T00:00:00.000Z';
  return {
    id,
    title: fields.title ?? 'a',
    description: fields.description ?? '',
    status: fields.status ?? 'todo',
    priority: fields.priority ?? 'medium',
    dueDate: fields.dueDate ?? null,
    dueTime: null,
    projectId: null,
    tags: [],
    parentId: null,
    recurrence: null,
    position: 0,
    completedAt: null,
    createdAt: at,
    updatedAt: at,
    version,
    raftIndex: version,
  };
}

export function create(
  client: string,
  [call, ret]: Span,
  id: string,
  input: TaskInput,
  answer: 'ok' | 409 = 'ok',
): CreateOp {
  if (ret === null) return { f: 'create', client, call, taskId: id, input, ret: null, out: null };
  if (answer === 409) {
    return { f: 'create', client, call, taskId: id, input, ret, out: { status: 409 } };
  }
  // The server trims the title; the answer shows what it stored.
  const t = task(id, 1, { ...input, title: input.title.trim() });
  return { f: 'create', client, call, input, ret, out: { status: 201, task: t } };
}

export function read(client: string, [call, ret]: Span, id: string, seen: Task | 404): ReadOp {
  if (ret === null) return { f: 'read', client, call, taskId: id, ret: null, out: null };
  const out = seen === 404 ? { status: 404 as const } : { status: 200 as const, task: seen };
  return { f: 'read', client, call, taskId: id, ret, out };
}

export function update(
  client: string,
  [call, ret]: Span,
  id: string,
  patch: TaskPatch,
  expectedVersion: number | undefined,
  answer: Task | 404 | 409 | null,
): UpdateOp {
  const base = { f: 'update' as const, client, call, taskId: id, patch, expectedVersion };
  if (ret === null || answer === null) return { ...base, ret: null, out: null };
  return {
    ...base,
    ret,
    out: typeof answer === 'number' ? { status: answer } : { status: 200, task: answer },
  };
}

export function del(
  client: string,
  [call, ret]: Span,
  id: string,
  expectedVersion: number | undefined,
  answer: 200 | 404 | 409 | null,
): DeleteOp {
  const base = { f: 'delete' as const, client, call, taskId: id, expectedVersion };
  if (ret === null || answer === null) return { ...base, ret: null, out: null };
  return { ...base, ret, out: { status: answer } };
}

/** The ops of a result's counterexample, by identity, for `toContain` checks. */
export function opsOf(result: { counterexample?: Op[] }): Op[] {
  return result.counterexample ?? [];
}
