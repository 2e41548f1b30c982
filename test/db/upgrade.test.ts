/**
 * What existed before issue 14 still works: a database made by migrations 0001–0003 upgrades in
 * place (0004) and its rows read back with the defaults; snapshots of formats 1 and 2 restore
 * into both stores with the same defaults; stored HTTP-shaped session answers read back as
 * domain outcomes (legacy-result.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Task, TaskCommand } from '../../cluster/api/task.js';
import { createSequelize, ensureDatabase, withServerConnection } from '../../db/connection.js';
import { fromLegacy, readStoredResult } from '../../db/legacy-result.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';
import { migrate } from '../../db/migrate.js';
import { MIGRATIONS } from '../../db/migrations/index.js';
import { SNAPSHOT_FORMAT, parseSnapshot } from '../../db/snapshot-format.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, taskId, update } from './helpers.js';

const mysql = useTestMariaDb();
const opened: TaskStateMachine[] = [];
afterEach(async () => {
  for (const sm of opened.splice(0)) await sm.close();
});

/** Rows as the 0001–0003 schema held them. */
const OLD_ROWS = [
  {
    id: taskId(1),
    title: 'first',
    status: 'todo',
    created: '2025-01-01T00:00:00.000Z',
    updated: '2025-01-02T00:00:00.000Z',
    due: '2025-02-28',
  },
  {
    id: taskId(2),
    title: 'done',
    status: 'done',
    created: '2025-01-01T00:00:00.001Z',
    updated: '2025-03-04T05:06:07.089Z',
    due: null,
  },
  {
    id: taskId(3),
    title: 'old',
    status: 'in_progress',
    created: '1969-12-31T23:59:59.999Z',
    updated: '1970-01-01T00:00:00.000Z',
    due: null,
  },
  {
    id: 'ABCDEF00-0000-4000-8000-000000000001',
    title: 'upper',
    status: 'done',
    created: '2024-02-29T12:34:56.789Z',
    updated: '2024-03-01T00:00:00.000Z',
    due: '9999-12-31',
  },
] as const;

function expected(row: (typeof OLD_ROWS)[number]): Task {
  return {
    id: row.id,
    title: row.title,
    description: 'd',
    status: row.status,
    priority: 'medium',
    dueDate: row.due,
    dueTime: null,
    projectId: null,
    tags: [],
    parentId: null,
    recurrence: null,
    position: Date.parse(row.created),
    completedAt: row.status === 'done' ? row.updated : null,
    createdAt: row.created,
    updatedAt: row.updated,
    version: 2,
    raftIndex: 5,
  };
}

describe('an existing database', () => {
  it('upgrades in place: rows read back with defaults, in the old order', async () => {
    const database = mysql.freshDatabase('upg');
    await ensureDatabase(mysql.url, database);
    const sequelize = createSequelize(mysql.url, database);
    try {
      await migrate(sequelize, { migrations: MIGRATIONS.slice(0, 3) });
      for (const row of OLD_ROWS) {
        await sequelize.query(
          'INSERT INTO tasks (id, title, description, status, priority, due_date, created_at, ' +
            "updated_at, version, raft_index) VALUES (?, ?, 'd', ?, 'medium', ?, ?, ?, 2, 5)",
          { replacements: [row.id, row.title, row.status, row.due, row.created, row.updated] },
        );
      }
      await sequelize.query('UPDATE raft_meta SET applied_index = 5, applied_term = 1');
    } finally {
      await sequelize.close();
    }
    const lines: string[] = [];
    const sm = await TaskStateMachine.open(mysql.url, { database, log: (l) => lines.push(l) });
    opened.push(sm);
    expect(lines.some((l) => l.includes('applied migrations 0004-projects-tags-subtasks'))).toBe(
      true,
    );
    for (const row of OLD_ROWS) expect(await sm.get(row.id)).toEqual(expected(row));
    // The old order was (createdAt, id); position = ms of createdAt keeps it.
    expect((await sm.list({ limit: 10, offset: 0 })).map((t) => t.id)).toEqual([
      taskId(3),
      'ABCDEF00-0000-4000-8000-000000000001',
      taskId(1),
      taskId(2),
    ]);
    // The same state as a format-2 snapshot of those rows restored into the memory store.
    const mem = new MemoryTaskStore();
    const tasks = OLD_ROWS.map((row) => {
      const { dueTime, projectId, tags, parentId, recurrence, position, completedAt, ...old } =
        expected(row);
      void [dueTime, projectId, tags, parentId, recurrence, position, completedAt];
      return old;
    }).sort((a, b) => (a.id < b.id ? -1 : 1));
    await mem.restore(
      5,
      1,
      JSON.stringify({
        format: 'raftboard-tasks/2',
        index: 5,
        term: 1,
        sessionClock: '',
        tasks,
        sessions: [],
      }),
    );
    expect(await mem.checksum()).toEqual(await sm.checksum());
    // And it takes the new commands.
    const [changed] = await sm.applyBatch(
      entries(6, [update(taskId(1), { tags: ['New'], dueTime: '08:15' }, at(6), 2)]),
    );
    expect(changed).toMatchObject({
      outcome: 'updated',
      task: { tags: ['New'], dueTime: '08:15' },
    });
    expect(await sm.listTags()).toEqual([{ name: 'New', count: 1 }]);
    const [ddl] = await withServerConnection(mysql.url, async (connection) => {
      await connection.query(`USE \`${database}\``);
      const [rows] = await connection.query('SHOW CREATE TABLE tasks');
      return rows as { 'Create Table': string }[];
    });
    expect(ddl!['Create Table']).toMatch(/FOREIGN KEY \(`parent_id`\) REFERENCES `tasks`/);
    expect(ddl!['Create Table']).toMatch(/ON DELETE SET NULL/);
  });
});

describe('snapshot formats', () => {
  const legacyTask = {
    id: taskId(1),
    title: 'x',
    description: '',
    status: 'done',
    priority: 'low',
    dueDate: null,
    createdAt: at(1),
    updatedAt: at(2),
    version: 2,
    raftIndex: 2,
  };
  const session = {
    key: 'k',
    raftIndex: 2,
    createdAt: at(2),
    result: '{"ok":true,"status":200,"task":null}',
  };
  const v1 = JSON.stringify({
    format: 'raftboard-tasks/1',
    index: 2,
    term: 1,
    tasks: [legacyTask],
    sessions: [session],
  });
  const v2 = JSON.stringify({
    format: 'raftboard-tasks/2',
    index: 2,
    term: 1,
    sessionClock: at(2),
    tasks: [legacyTask],
    sessions: [{ ...session, fingerprint: '' }],
  });

  it('1 and 2 still restore, into both stores, with the defaults; 3 is written', async () => {
    for (const data of [v1, v2]) {
      const sql = await TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('snap') });
      opened.push(sql);
      const mem = new MemoryTaskStore();
      await sql.restore(2, 1, data);
      await mem.restore(2, 1, data);
      const task = await sql.get(taskId(1));
      expect(task).toEqual({
        ...legacyTask,
        dueTime: null,
        projectId: null,
        tags: [],
        parentId: null,
        recurrence: null,
        position: Date.parse(at(1)),
        completedAt: at(2),
      });
      expect(await mem.get(taskId(1))).toEqual(task);
      const snap = await sql.snapshot();
      expect(JSON.parse(snap.data).format).toBe(SNAPSHOT_FORMAT);
      expect((await mem.snapshot()).data).toBe(snap.data);
      expect(parseSnapshot(snap.data).tasks).toEqual([task]);
      expect(await mem.checksum()).toEqual(await sql.checksum());
    }
  });

  it('3 round-trips projects, tags and every new field between the stores', async () => {
    const mem = new MemoryTaskStore();
    const P = 'aaaaaaaa-0000-4000-8000-000000000001';
    await mem.applyBatch(
      entries(1, [
        {
          op: 'project.create',
          project: { id: P, name: 'Ünï', color: '#00ff00', position: 0.1 + 0.2 },
          at: at(1),
        },
        {
          op: 'create',
          task: {
            id: taskId(1),
            title: 'a',
            description: '',
            status: 'todo',
            priority: 'low',
            dueDate: '2025-01-01',
            dueTime: '23:59',
            projectId: P,
            tags: ['B', 'a'],
            parentId: null,
            recurrence: { rrule: 'FREQ=DAILY', from: 'completion' },
            position: -1e-9,
          },
          at: at(2),
        },
        {
          op: 'create',
          task: {
            id: taskId(2),
            title: 'b',
            description: '',
            status: 'done',
            priority: 'low',
            dueDate: null,
            dueTime: null,
            projectId: null,
            tags: ['b'],
            parentId: taskId(1),
            recurrence: null,
            position: 1e15, // POSITION_MAX
          },
          at: at(3),
        },
      ]),
    );
    const snap = await mem.snapshot();
    const sql = await TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('snap') });
    opened.push(sql);
    await sql.restore(snap.index, snap.term, snap.data);
    expect(await sql.snapshot()).toEqual(snap);
    expect(await sql.checksum()).toEqual(await mem.checksum());
    expect(await sql.listTags()).toEqual(await mem.listTags());
    expect(await sql.listTags()).toEqual([
      { name: 'a', count: 1 },
      { name: 'B', count: 2 },
    ]);
  });
});

describe('stored answers of older versions', () => {
  it('read back as domain outcomes', () => {
    const task = {
      id: taskId(1),
      title: 't',
      description: '',
      status: 'todo' as const,
      priority: 'low' as const,
      dueDate: null,
      createdAt: at(1),
      updatedAt: at(1),
      version: 1,
      raftIndex: 1,
    };
    const full = {
      ...task,
      dueTime: null,
      projectId: null,
      tags: [],
      parentId: null,
      recurrence: null,
      position: Date.parse(at(1)),
      completedAt: null,
    };
    const entry = { index: 4, term: 2 };
    expect(fromLegacy({ ok: true, status: 201, task, entry })).toEqual({
      ok: true,
      outcome: 'created',
      task: full,
      entry,
    });
    expect(fromLegacy({ ok: true, status: 200, task })).toEqual({
      ok: true,
      outcome: 'updated',
      task: full,
    });
    expect(fromLegacy({ ok: true, status: 200, task: null })).toEqual({
      ok: true,
      outcome: 'deleted',
      task: null,
      deletedIds: [],
    });
    const failures = [
      [404, 'not_found', 'not_found'],
      [409, 'version_conflict', 'version_conflict'],
      [422, 'idempotency_key_reused', 'key_reused'],
    ] as const;
    for (const [status, error, outcome] of failures) {
      expect(fromLegacy({ ok: false, status, error, message: 'm', entry })).toEqual({
        ok: false,
        outcome,
        message: 'm',
        entry,
      });
    }
    // Today's answers pass through untouched.
    const now = { ok: true, outcome: 'deleted', task: null, deletedIds: [taskId(1)] };
    expect(readStoredResult(JSON.stringify(now))).toEqual(now);
  });
});

describe('entries written before the upgrade', () => {
  // Written by a leader running the code before issue 14: no `v` mark on updates. The task is
  // done at at(2) and edited at at(3) while done.
  const oldEntries = entries(1, [
    create(taskId(7), { title: 'old' }, at(1)),
    update(taskId(7), { status: 'done' }, at(2)),
    update(taskId(7), { title: 'old, edited' }, at(3)),
  ]);

  it('give the same completedAt applied by the old code then migrated, or by the new code', async () => {
    // (a) A node that applied them with the old code (its rows as that code wrote them), then
    // upgraded: the migration sets completed_at = updated_at for done tasks.
    const database = mysql.freshDatabase('upg');
    await ensureDatabase(mysql.url, database);
    const sequelize = createSequelize(mysql.url, database);
    try {
      await migrate(sequelize, { migrations: MIGRATIONS.slice(0, 3) });
      await sequelize.query(
        'INSERT INTO tasks (id, title, description, status, priority, due_date, created_at, ' +
          "updated_at, version, raft_index) VALUES (?, 'old, edited', '', 'done', 'medium', " +
          'NULL, ?, ?, 3, 3)',
        { replacements: [taskId(7), at(1), at(3)] },
      );
      await sequelize.query(
        `UPDATE raft_meta SET applied_index = 3, applied_term = 1, session_clock = '${at(3)}'`,
      );
    } finally {
      await sequelize.close();
    }
    const migrated = await TaskStateMachine.open(mysql.url, { database });
    opened.push(migrated);
    // (b) A node that was lagging: it applies the same entries with the new code.
    const replayed = await TaskStateMachine.open(mysql.url, {
      database: mysql.freshDatabase('upg'),
    });
    opened.push(replayed);
    await replayed.applyBatch(oldEntries.slice(0, 1));
    await replayed.applyBatch(oldEntries.slice(1));
    const mem = new MemoryTaskStore();
    await mem.applyBatch(oldEntries);
    expect(await replayed.get(taskId(7))).toEqual(await migrated.get(taskId(7)));
    expect(await replayed.checksum()).toEqual(await migrated.checksum());
    expect(await mem.checksum()).toEqual(await migrated.checksum());
    expect((await migrated.get(taskId(7)))?.completedAt).toBe(at(3));
  });

  it('marked updates (v: 2, new leaders) keep the time the task was completed', async () => {
    const mark = (command: TaskCommand): TaskCommand => ({ ...command, v: 2 }) as TaskCommand;
    const log = entries(1, [
      create(taskId(7), { title: 'new' }, at(1)),
      mark(update(taskId(7), { status: 'done' }, at(2))),
      mark(update(taskId(7), { title: 'new, edited' }, at(3))),
    ]);
    const mem = new MemoryTaskStore();
    const results = await mem.applyBatch(log);
    expect(results[2]).toMatchObject({ task: { completedAt: at(2), updatedAt: at(3) } });
    const sql = await TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('upg') });
    opened.push(sql);
    await sql.applyBatch(log);
    expect(await sql.checksum()).toEqual(await mem.checksum());
  });
});
