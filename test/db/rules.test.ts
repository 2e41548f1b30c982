/**
 * The apply rules of issue 14 (execute-command.ts), on both stores: every batch goes to the
 * MySQL state machine and to the memory store, and their answers, reads and checksums must be
 * equal, besides being what the rules say.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResult, Task, TaskCommand } from '../../cluster/api/task.js';
import { derivedId } from '../../db/execute-command.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';
import { TaskStateMachine, type ListQuery } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, remove, taskId, update } from './helpers.js';

const mysql = useTestMariaDb();
const P1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const P2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const NEXT = 'bbbbbbbb-0000-4000-8000-000000000001';
const WEEKLY = { rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'due' as const };

interface Both {
  apply(commands: readonly (TaskCommand | null)[]): Promise<(CommandResult | null)[]>;
  get(id: string): Promise<Task | null>;
  list(query: Partial<ListQuery>): Promise<Task[]>;
  tags(): Promise<{ name: string; count: number }[]>;
  sql: TaskStateMachine;
  mem: MemoryTaskStore;
}

const opened: TaskStateMachine[] = [];
afterEach(async () => {
  for (const sm of opened.splice(0)) await sm.close();
});

async function both(): Promise<Both> {
  const sql = await TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('rules') });
  opened.push(sql);
  const mem = new MemoryTaskStore();
  let next = 1;
  return {
    sql,
    mem,
    async apply(commands) {
      const batch = entries(next, commands);
      next += commands.length;
      const results = await sql.applyBatch(batch);
      expect(await mem.applyBatch(batch)).toEqual(results);
      expect(await mem.checksum()).toEqual(await sql.checksum());
      return results;
    },
    async get(id) {
      const task = await sql.get(id);
      expect(await mem.get(id)).toEqual(task);
      return task;
    },
    async list(query) {
      const q = { limit: 100, offset: 0, ...query };
      const tasks = await sql.list(q);
      expect(await mem.list(q)).toEqual(tasks);
      return tasks;
    },
    async tags() {
      const tags = await sql.listTags();
      expect(await mem.listTags()).toEqual(tags);
      return tags;
    },
  };
}

const projectCreate = (id: string, name: string, when: string): TaskCommand => ({
  op: 'project.create',
  project: { id, name, color: '#112233', position: 1 },
  at: when,
});

describe('subtasks', () => {
  it('one batch creates a subtask and then deletes its parent: both go', async () => {
    const s = await both();
    const [, , deleted] = await s.apply([
      create(taskId(1), { title: 'parent' }, at(1)),
      create(taskId(2), { title: 'child', parentId: taskId(1) }, at(2)),
      remove(taskId(1), at(3)),
    ]);
    expect(deleted).toEqual({
      ok: true,
      outcome: 'deleted',
      task: null,
      deletedIds: [taskId(1), taskId(2)],
    });
    expect(await s.get(taskId(2))).toBeNull();
  });

  it('deleting a task deletes its whole subtree, read from the database', async () => {
    const s = await both();
    await s.apply([
      create(taskId(1), { title: 'root' }, at(1)),
      create(taskId(2), { title: 'child', parentId: taskId(1), tags: ['x'] }, at(2)),
    ]);
    // 20 levels: deeper than InnoDB's 15 nested cascades.
    const chain = Array.from({ length: 20 }, (_, i) =>
      create(taskId(10 + i), { title: `level ${i}`, parentId: taskId(i === 0 ? 2 : 9 + i) }, at(3)),
    );
    await s.apply(chain);
    await s.apply([create(taskId(50), { title: 'other', tags: ['X'] }, at(4))]);
    expect(await s.tags()).toEqual([{ name: 'x', count: 2 }]);
    const [deleted] = await s.apply([remove(taskId(1), at(5))]);
    expect(deleted).toMatchObject({ outcome: 'deleted' });
    const ids = (deleted as unknown as { deletedIds: string[] }).deletedIds;
    expect(ids).toHaveLength(22);
    expect(new Set(ids)).toEqual(
      new Set([taskId(1), taskId(2), ...chain.map((c) => (c as { task: { id: string } }).task.id)]),
    );
    expect((await s.list({})).map((t) => t.id)).toEqual([taskId(50)]);
    expect(await s.tags()).toEqual([{ name: 'x', count: 1 }]);
  });

  it('refuses a missing parent and cycles, with the field at fault', async () => {
    const s = await both();
    await s.apply([
      create(taskId(1), { title: 'a' }, at(1)),
      create(taskId(2), { title: 'b', parentId: taskId(1) }, at(2)),
    ]);
    await s.apply([create(taskId(3), { title: 'c', parentId: taskId(2) }, at(3))]);
    const results = await s.apply([
      create(taskId(4), { title: 'd', parentId: taskId(9) }, at(4)),
      update(taskId(1), { parentId: taskId(3) }, at(5)),
      update(taskId(1), { parentId: taskId(1) }, at(6)),
      // Moved in this batch, then the old ancestor under it: a cycle through the batch's view.
      update(taskId(3), { parentId: null }, at(7)),
      update(taskId(1), { parentId: taskId(3) }, at(8)),
      update(taskId(3), { parentId: taskId(2) }, at(9)),
    ]);
    expect(results.map((r) => r?.outcome)).toEqual([
      'invalid_reference',
      'invalid_reference',
      'invalid_reference',
      'updated',
      'updated',
      'invalid_reference',
    ]);
    expect(results.map((r) => (r?.ok === false ? r.field : undefined))).toEqual([
      'parentId',
      'parentId',
      'parentId',
      undefined,
      undefined,
      'parentId',
    ]);
    expect((await s.list({ parentId: 'none' })).map((t) => t.id)).toEqual([taskId(3)]);
    expect((await s.list({ parentId: taskId(3) })).map((t) => t.id)).toEqual([taskId(1)]);
  });
});

describe('completion and recurrence', () => {
  it('sets completedAt on done and clears it when reopened', async () => {
    const s = await both();
    await s.apply([create(taskId(1), { title: 'a' }, at(1))]);
    // Updates as leaders build them since issue 14 (v: 2): the completion time is kept.
    const marked = (command: TaskCommand): TaskCommand => ({ ...command, v: 2 }) as TaskCommand;
    const [done] = await s.apply([marked(update(taskId(1), { status: 'done' }, at(2)))]);
    expect(done).toMatchObject({ task: { completedAt: at(2) } });
    const [same] = await s.apply([marked(update(taskId(1), { title: 'b' }, at(3)))]);
    expect(same).toMatchObject({ task: { completedAt: at(2) } });
    const [open] = await s.apply([marked(update(taskId(1), { status: 'todo' }, at(4)))]);
    expect(open).toMatchObject({ task: { completedAt: null } });
    // Older entries (unmarked): the entry time while done, as migration 0004 set it.
    await s.apply([update(taskId(1), { status: 'done' }, at(5))]);
    const [legacy] = await s.apply([update(taskId(1), { title: 'c' }, at(6))]);
    expect(legacy).toMatchObject({ task: { completedAt: at(6) } });
  });

  it('completing a recurring task creates the next occurrence and copies its subtasks', async () => {
    const s = await both();
    await s.apply([
      {
        op: 'project.create',
        project: { id: P1, name: 'Home', color: null, position: 0 },
        at: at(0),
      },
      create(
        taskId(1),
        {
          title: 'bins',
          dueDate: '2025-06-27',
          dueTime: '07:00',
          projectId: P1,
          tags: ['chores'],
          recurrence: WEEKLY,
          priority: 'high',
        },
        at(1),
      ),
      create(taskId(2), { title: 'green bin', parentId: taskId(1), status: 'done' }, at(2)),
      create(taskId(3), { title: 'lid', parentId: taskId(2) }, at(3)),
    ]);
    const complete = (forVersion: number | undefined, when: string): TaskCommand => ({
      op: 'update',
      id: taskId(1),
      patch: { status: 'done' },
      ...(forVersion !== undefined && {
        next: { id: NEXT, dueDate: '2025-07-04', forVersion },
      }),
      at: when,
    });
    const [missing, stale] = await s.apply([complete(undefined, at(4)), complete(7, at(5))]);
    expect(missing).toMatchObject({ ok: false, outcome: 'version_conflict' });
    expect(stale).toMatchObject({ ok: false, outcome: 'version_conflict' });
    const [result] = await s.apply([complete(1, at(6))]);
    expect(result).toMatchObject({
      ok: true,
      outcome: 'updated',
      task: { id: taskId(1), status: 'done', recurrence: null, completedAt: at(6), version: 2 },
      next: {
        id: NEXT,
        title: 'bins',
        status: 'todo',
        dueDate: '2025-07-04',
        dueTime: '07:00',
        projectId: P1,
        tags: ['chores'],
        recurrence: WEEKLY,
        priority: 'high',
        position: Date.parse(at(6)),
        completedAt: null,
        version: 1,
      },
    });
    const green = derivedId(NEXT, taskId(2));
    expect(await s.get(green)).toMatchObject({
      title: 'green bin',
      status: 'todo',
      parentId: NEXT,
    });
    expect(await s.get(derivedId(NEXT, taskId(3)))).toMatchObject({
      title: 'lid',
      parentId: green,
    });
    expect(green).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Reopened and completed again: the rule moved on, no second occurrence.
    const [reopen, again] = await s.apply([
      update(taskId(1), { status: 'todo' }, at(7)),
      update(taskId(1), { status: 'done' }, at(8)),
    ]);
    expect(reopen).toMatchObject({ outcome: 'updated' });
    expect(again).toMatchObject({ outcome: 'updated' });
    expect(again).not.toHaveProperty('next');
    expect(await s.tags()).toEqual([{ name: 'chores', count: 2 }]);
  });
});

describe('projects', () => {
  it('names are unique ignoring case; tasks need a project that exists', async () => {
    const s = await both();
    const results = await s.apply([
      projectCreate(P1, 'Work', at(1)),
      projectCreate(P2, 'WORK', at(2)),
      projectCreate(P2, 'Home', at(3)),
      { op: 'project.update', id: P2, patch: { name: 'work' }, at: at(4) },
      // A swap through a free name, in one batch: the unique key never clashes midway.
      { op: 'project.update', id: P1, patch: { name: 'tmp' }, at: at(5) },
      { op: 'project.update', id: P2, patch: { name: 'Work' }, at: at(6) },
      { op: 'project.update', id: P1, patch: { name: 'Home' }, expectedVersion: 2, at: at(7) },
      create(taskId(1), { title: 'a', projectId: taskId(9) }, at(8)),
    ]);
    expect(results.map((r) => r?.outcome)).toEqual([
      'project_created',
      'invalid_reference',
      'project_created',
      'invalid_reference',
      'project_updated',
      'project_updated',
      'project_updated',
      'invalid_reference',
    ]);
    expect(results.map((r) => (r?.ok === false ? r.field : undefined))).toEqual([
      undefined,
      'name',
      undefined,
      'name',
      undefined,
      undefined,
      undefined,
      'projectId',
    ]);
    const projects = await s.sql.listProjects();
    expect(await s.mem.listProjects()).toEqual(projects);
    expect(projects.map((p) => [p.id, p.name, p.version])).toEqual([
      [P1, 'Home', 3],
      [P2, 'Work', 2],
    ]);
  });

  it('deleting a project keeps its tasks (moved to no project) or deletes them with subtasks', async () => {
    const s = await both();
    await s.apply([
      projectCreate(P1, 'One', at(1)),
      projectCreate(P2, 'Two', at(2)),
      create(taskId(1), { title: 'kept', projectId: P1 }, at(3)),
      create(taskId(2), { title: 'gone', projectId: P2 }, at(4)),
      create(taskId(3), { title: 'sub, inbox', parentId: taskId(2) }, at(5)),
      create(taskId(4), { title: 'inbox' }, at(6)),
    ]);
    const [keep, drop, again] = await s.apply([
      { op: 'project.delete', id: P1, tasks: 'keep', at: at(7) },
      { op: 'project.delete', id: P2, tasks: 'delete', expectedVersion: 1, at: at(8) },
      { op: 'project.delete', id: P2, tasks: 'delete', at: at(9) },
    ]);
    expect(keep).toEqual({
      ok: true,
      outcome: 'project_deleted',
      project: null,
      deletedIds: [],
      movedIds: [taskId(1)],
    });
    expect(drop).toMatchObject({ deletedIds: [taskId(2), taskId(3)], movedIds: [] });
    expect(again).toMatchObject({ ok: false, outcome: 'not_found' });
    expect(await s.get(taskId(1))).toMatchObject({ projectId: null, version: 2, raftIndex: 7 });
    expect((await s.list({ projectId: 'none' })).map((t) => t.id)).toEqual([taskId(1), taskId(4)]);
    expect(await s.sql.listProjects()).toEqual([]);
  });
});

describe('tags', () => {
  it('keep the first spelling, filter ignoring case, and go when unused', async () => {
    const s = await both();
    await s.apply([
      create(taskId(1), { title: 'a', tags: ['Work', 'urgent'] }, at(1)),
      create(taskId(2), { title: 'b', tags: ['WORK'] }, at(2)),
    ]);
    expect((await s.get(taskId(2)))?.tags).toEqual(['Work']);
    expect(await s.tags()).toEqual([
      { name: 'urgent', count: 1 },
      { name: 'Work', count: 2 },
    ]);
    expect((await s.list({ tags: ['work'] })).map((t) => t.id)).toEqual([taskId(1), taskId(2)]);
    expect((await s.list({ tags: ['WORK', 'Urgent'] })).map((t) => t.id)).toEqual([taskId(1)]);
    // Gone from every task, then used again: the new spelling.
    await s.apply([
      update(taskId(1), { tags: ['urgent'] }, at(3)),
      remove(taskId(2), at(4)),
      create(taskId(3), { title: 'c', tags: ['work'] }, at(5)),
    ]);
    expect(await s.tags()).toEqual([
      { name: 'urgent', count: 1 },
      { name: 'work', count: 1 },
    ]);
  });
});

describe('import', () => {
  it('skips present and broken rows, maps projects by name, waits for parents', async () => {
    const s = await both();
    await s.apply([projectCreate(P1, 'Work', at(1)), create(taskId(1), { title: 'here' }, at(2))]);
    const row = (id: string, fields: Partial<Task>) => ({
      id,
      title: 't',
      description: '',
      status: 'todo' as const,
      priority: 'medium' as const,
      dueDate: null,
      dueTime: null,
      projectId: null,
      tags: [],
      parentId: null,
      recurrence: null,
      position: 1,
      completedAt: null,
      createdAt: at(0),
      updatedAt: at(0),
      ...fields,
    });
    const [result] = await s.apply([
      {
        op: 'import',
        projects: [
          {
            id: P2,
            name: 'work',
            color: null,
            position: 3,
            version: 9,
            createdAt: at(0),
            updatedAt: at(0),
          },
        ],
        tasks: [
          row(taskId(3), { parentId: taskId(2), projectId: P2 }),
          row(taskId(2), { title: 'parent', status: 'done' }),
          row(taskId(1), { title: 'present' }),
          row(taskId(4), { parentId: taskId(8) }),
          row(taskId(5), { projectId: 'cccccccc-0000-4000-8000-000000000001' }),
        ],
        at: at(3),
      },
    ]);
    expect(result).toEqual({
      ok: true,
      outcome: 'imported',
      projects: 0,
      tasks: 2,
      skipped: 4,
      taskIds: [taskId(2), taskId(3)],
      projectIds: [],
    });
    expect(await s.get(taskId(3))).toMatchObject({ parentId: taskId(2), projectId: P1 });
    expect(await s.get(taskId(2))).toMatchObject({ completedAt: at(0), version: 1, raftIndex: 3 });
    expect((await s.get(taskId(1)))?.title).toBe('here');
  });
});
