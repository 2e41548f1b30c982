import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResult, Task } from '../../cluster/api/task.js';
import { createSequelize, ensureDatabase, withServerConnection } from '../../db/connection.js';
import { migrate } from '../../db/migrate.js';
import * as initialSchema from '../../db/migrations/0001-initial-schema.js';
import { StateMachineError } from '../../db/errors.js';
import { MIGRATIONS } from '../../db/migrations/index.js';
import { TaskStateMachine, type OpenOptions } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, remove, taskId, update, workload } from './helpers.js';

const mysql = useTestMariaDb();
const open: TaskStateMachine[] = [];

async function fresh(options: Omit<OpenOptions, 'database'> = {}): Promise<TaskStateMachine> {
  const sm = await TaskStateMachine.open(mysql.url, {
    ...options,
    database: mysql.freshDatabase('sm'),
  });
  open.push(sm);
  return sm;
}

afterEach(async () => {
  for (const sm of open.splice(0)) await sm.close();
});

function taskOf(result: CommandResult | null | undefined): Task {
  if (!result?.ok || !('task' in result) || result.task === null) {
    throw new Error(`expected a task, got ${JSON.stringify(result)}`);
  }
  return result.task;
}

async function query<T>(database: string, sql: string): Promise<T[]> {
  return withServerConnection(mysql.url, async (connection) => {
    await connection.query(`USE \`${database}\``);
    const [rows] = await connection.query(sql);
    return rows as T[];
  });
}

describe('migrations', () => {
  it('create the schema (utf8mb4_bin, indexes) and are a no-op on a second open', async () => {
    const lines: string[] = [];
    const database = mysql.freshDatabase('mig');
    const first = await TaskStateMachine.open(mysql.url, { database, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes('applied migrations 0001-initial-schema'))).toBe(true);
    expect(await first.appliedIndex()).toEqual({ index: 0, term: 0 });
    await first.applyBatch(entries(1, [create(taskId(1), { title: 'kept' }, at(1))]));
    await first.close();

    const tables = (await query<Record<string, string>>(database, 'SHOW TABLES')).map(
      (row) => Object.values(row)[0],
    );
    expect(tables.sort()).toEqual([
      'client_sessions',
      'projects',
      'raft_meta',
      'schema_migrations',
      'tags',
      'task_tags',
      'tasks',
    ]);
    const [ddl] = await query<{ 'Create Table': string }>(database, 'SHOW CREATE TABLE tasks');
    const createTasks = ddl!['Create Table'];
    expect(createTasks).toMatch(/CHARSET=utf8mb4 COLLATE=utf8mb4_bin/);
    expect(createTasks).toMatch(/`title` varchar\(255\)/);
    expect(createTasks).toMatch(/`status` enum\('todo','in_progress','done'\)/);
    expect(createTasks).toMatch(/`created_at` char\(24\)/);
    expect(createTasks).toMatch(/`raft_index` bigint\(20\) unsigned NOT NULL/);
    for (const index of ['tasks_status', 'tasks_due_date', 'tasks_updated_at']) {
      expect(createTasks).toContain(`KEY \`${index}\``);
    }
    const [meta] = await query<{ n: number }>(database, 'SELECT COUNT(*) AS n FROM raft_meta');
    expect(Number(meta!.n)).toBe(1);

    lines.length = 0;
    const second = await TaskStateMachine.open(mysql.url, { database, log: (l) => lines.push(l) });
    open.push(second);
    expect(lines.filter((l) => l.includes('applied migrations'))).toEqual([]);
    expect(await second.appliedIndex()).toEqual({ index: 1, term: 1 });
    expect((await second.get(taskId(1)))?.title).toBe('kept');
    const migrations = await query<{ name: string }>(
      database,
      'SELECT name FROM schema_migrations',
    );
    // Every migration ran once, in order (0002 stamps whose database it is: cluster-identity.test).
    expect(migrations.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(migrations.map((m) => m.name).slice(0, 2)).toEqual([
      '0001-initial-schema',
      '0002-cluster-identity',
    ]);
  });

  it('upgrade a 0001 database: its sessions keep answering, with no fingerprint to compare', async () => {
    const database = mysql.freshDatabase('up');
    await ensureDatabase(mysql.url, database);
    const sequelize = createSequelize(mysql.url, database);
    try {
      await migrate(sequelize, { migrations: [initialSchema] });
    } finally {
      await sequelize.close();
    }
    // The HTTP-shaped answer of the older versions, read back as a domain outcome.
    const old = {
      id: taskId(1),
      title: 'old',
      description: '',
      status: 'done',
      priority: 'low',
      dueDate: null,
      createdAt: at(7),
      updatedAt: at(7),
      version: 1,
      raftIndex: 7,
    };
    const first = { ok: true, status: 201, task: old, entry: { index: 7, term: 2 } };
    await query(
      database,
      'INSERT INTO client_sessions (`key`, raft_index, result, created_at) ' +
        `VALUES ('old', 7, '${JSON.stringify(first)}', '${at(7)}')`,
    );
    await query(database, 'UPDATE raft_meta SET applied_index = 7, applied_term = 2');
    const sm = await TaskStateMachine.open(mysql.url, { database });
    open.push(sm);
    const retry = { key: 'old', fingerprint: 'c'.repeat(64) };
    const [answer] = await sm.applyBatch(entries(8, [remove(taskId(1), at(8), undefined, retry)]));
    expect(answer).toEqual({
      ok: true,
      outcome: 'created',
      task: {
        ...old,
        dueTime: null,
        projectId: null,
        tags: [],
        parentId: null,
        recurrence: null,
        position: Date.parse(at(7)),
        completedAt: at(7),
      },
      entry: { index: 7, term: 2 },
    });
  });
});

describe('applyBatch', () => {
  it('keeps a due date exactly when a later batch reads the task back from MySQL', async () => {
    const sm = await fresh();
    const a = taskId(1);
    await sm.applyBatch(entries(1, [create(a, { title: 'due', dueDate: '2025-02-28' }, at(1))]));
    // A separate batch: the task comes from MySQL (a DATE column), is changed, and is written back.
    const [changed] = await sm.applyBatch(
      entries(2, [update(a, { title: 'still due' }, at(2), 1)]),
    );
    expect(taskOf(changed)).toMatchObject({
      title: 'still due',
      dueDate: '2025-02-28',
      version: 2,
    });
    expect((await sm.get(a))?.dueDate).toBe('2025-02-28');
  });

  it('creates, updates and deletes with versions; 404 and 409', async () => {
    const sm = await fresh();
    const a = taskId(1);
    const results = await sm.applyBatch(
      entries(1, [
        create(a, { title: 'write docs', priority: 'high', dueDate: '2025-02-28' }, at(1)),
        update(a, { status: 'in_progress' }, at(2), 1),
        update(a, { title: 'stale' }, at(3), 1),
        update(a, { description: 'no version check' }, at(4)),
        update(taskId(9), { title: 'x' }, at(5)),
        remove(taskId(9), at(6)),
        remove(a, at(7), 2),
        create(a, { title: 'dup' }, at(8)),
      ]),
    );
    const created = taskOf(results[0]);
    expect(results[0]).toMatchObject({ ok: true, outcome: 'created' });
    expect(created).toEqual({
      id: a,
      title: 'write docs',
      description: '',
      status: 'todo',
      priority: 'high',
      dueDate: '2025-02-28',
      dueTime: null,
      projectId: null,
      tags: [],
      parentId: null,
      recurrence: null,
      position: Date.parse(at(1)),
      completedAt: null,
      createdAt: at(1),
      updatedAt: at(1),
      version: 1,
      raftIndex: 1,
    });
    expect(results[1]).toMatchObject({ ok: true, outcome: 'updated' });
    expect(taskOf(results[1])).toMatchObject({ status: 'in_progress', version: 2, raftIndex: 2 });
    expect(results[2]).toMatchObject({ ok: false, outcome: 'version_conflict' });
    expect(taskOf(results[3])).toMatchObject({
      title: 'write docs',
      description: 'no version check',
      status: 'in_progress',
      version: 3,
      raftIndex: 4,
      createdAt: at(1),
      updatedAt: at(4),
    });
    expect(results[4]).toMatchObject({ ok: false, outcome: 'not_found' });
    expect(results[5]).toMatchObject({ ok: false, outcome: 'not_found' });
    expect(results[6]).toMatchObject({ ok: false, outcome: 'version_conflict' });
    expect(results[7]).toMatchObject({ ok: false, outcome: 'version_conflict' });
    expect(await sm.get(a)).toEqual(taskOf(results[3]));

    const [deleted, again] = await sm.applyBatch(
      entries(9, [remove(a, at(9), 3), update(a, { title: 'gone' }, at(10))], 2),
    );
    expect(deleted).toEqual({ ok: true, outcome: 'deleted', task: null, deletedIds: [a] });
    expect(again).toMatchObject({ ok: false, outcome: 'not_found' });
    expect(await sm.get(a)).toBeNull();
    expect(await sm.appliedIndex()).toEqual({ index: 10, term: 2 });

    // Re-create after delete; patch dueDate to null.
    const [recreated, cleared] = await sm.applyBatch(
      entries(11, [
        create(a, { title: 'back', dueDate: '2026-01-01' }, at(11)),
        update(a, { dueDate: null }, at(12), 1),
      ]),
    );
    expect(taskOf(recreated).version).toBe(1);
    expect(taskOf(cleared)).toMatchObject({ dueDate: null, version: 2 });
    expect(await sm.get(a)).toMatchObject({ dueDate: null, version: 2, raftIndex: 12 });
  });

  it('skips no-ops, conf entries and malformed commands but advances the index', async () => {
    const lines: string[] = [];
    const sm = await fresh({ log: (l) => lines.push(l) });
    const results = await sm.applyBatch([
      { index: 1, term: 3, type: 'normal', data: '' },
      { index: 2, term: 3, type: 'conf', data: '{"type":"add","node":4}' },
      { index: 3, term: 3, type: 'normal', data: 'not json' },
      { index: 4, term: 3, type: 'normal', data: JSON.stringify({ op: 'drop', id: taskId(1) }) },
      {
        index: 5,
        term: 3,
        type: 'normal',
        data: JSON.stringify(create(taskId(1), { title: 'x'.repeat(256) }, at(1))),
      },
      {
        index: 6,
        term: 3,
        type: 'normal',
        data: JSON.stringify(create(taskId(1), { title: 'bad clock' }, 'yesterday')),
      },
    ]);
    expect(results).toEqual([null, null, null, null, null, null]);
    expect(await sm.appliedIndex()).toEqual({ index: 6, term: 3 });
    expect(await sm.list({ limit: 10, offset: 0 })).toEqual([]);
    expect(lines.filter((l) => l.includes('ignored'))).toHaveLength(4);
  });

  it('applies every entry exactly once across retries and restarts', async () => {
    const database = mysql.freshDatabase('once');
    const batch = entries(1, workload(40));
    let sm = await TaskStateMachine.open(mysql.url, { database });
    await sm.applyBatch(batch.slice(0, 25));
    const mid = await sm.checksum();
    expect(mid.appliedIndex).toBe(25);

    // The node crashed after COMMIT but before it learned the result: it re-applies 1..25.
    await sm.close();
    sm = await TaskStateMachine.open(mysql.url, { database });
    open.push(sm);
    const replay = await sm.applyBatch(batch.slice(0, 25));
    expect(await sm.checksum()).toEqual(mid);
    // Keyed commands are answered from their session; the rest have no answer to give.
    replay.forEach((result, i) => {
      const keyed = (JSON.parse(batch[i]!.data) as { session?: unknown }).session !== undefined;
      if (keyed) expect(result).not.toBeNull();
      else expect(result).toBeNull();
    });

    // An overlapping batch applies only what is new.
    await sm.applyBatch(batch.slice(20, 40));
    expect((await sm.checksum()).appliedIndex).toBe(40);

    const reference = await fresh();
    await reference.applyBatch(batch);
    expect(await sm.checksum()).toEqual(await reference.checksum());

    // A gap is refused and changes nothing.
    await expect(sm.applyBatch(entries(42, [null]))).rejects.toBeInstanceOf(StateMachineError);
    await expect(
      sm.applyBatch([...entries(41, [null]), ...entries(43, [null])]),
    ).rejects.toBeInstanceOf(StateMachineError);
    expect((await sm.appliedIndex()).index).toBe(40);
  });

  it('answers a retried command (same session key) with its first result, applied once', async () => {
    const sm = await fresh();
    const a = taskId(1);
    const [first] = await sm.applyBatch(entries(1, [create(a, { title: 'once' }, at(1), 'key-1')]));
    // The client retried: the leader proposed the same command again (different id/at even).
    const [retry, otherRetry] = await sm.applyBatch(
      entries(2, [
        create(taskId(2), { title: 'twice?' }, at(2), 'key-1'),
        create(taskId(2), { title: 'twice?' }, at(2), 'key-1'),
      ]),
    );
    expect(retry).toEqual({ ...first, entry: { index: 1, term: 1 } });
    expect(otherRetry).toEqual({ ...first, entry: { index: 1, term: 1 } });
    expect(await sm.get(taskId(2))).toBeNull();

    // Failures are remembered too, and a retry inside the same batch is answered in order.
    const [conflict, conflictRetry, bump, bumpRetry] = await sm.applyBatch(
      entries(4, [
        update(a, { title: 'v9' }, at(4), 9, 'key-2'),
        update(a, { title: 'v9' }, at(4), 9, 'key-2'),
        update(a, { status: 'done' }, at(5), 1, 'key 3 ✓ with spaces and unicode'),
        update(a, { status: 'done' }, at(5), 1, 'key 3 ✓ with spaces and unicode'),
      ]),
    );
    expect(conflict).toMatchObject({ ok: false, outcome: 'version_conflict' });
    expect(conflictRetry).toEqual({ ...conflict, entry: { index: 4, term: 1 } });
    expect(taskOf(bump).version).toBe(2);
    expect(bumpRetry).toEqual({ ...bump, entry: { index: 6, term: 1 } });
    expect((await sm.get(a))?.version).toBe(2);
    const long = 'k'.repeat(500);
    const [l1] = await sm.applyBatch(entries(8, [update(a, { title: 'long' }, at(8), 2, long)]));
    const [l2] = await sm.applyBatch(entries(9, [update(a, { title: 'long' }, at(9), 2, long)]));
    // The replay is the first answer, and says which entry produced it.
    expect(l2).toEqual({ ...l1, entry: { index: 8, term: 1 } });
    expect((await sm.get(a))?.version).toBe(3);
  });

  it('forgets sessions after sessionRetentionEntries entries, whatever the batching', async () => {
    const commands = [
      create(taskId(1), { title: 'a' }, at(1), 'k'),
      null,
      null,
      create(taskId(2), { title: 'b' }, at(4), 'k'), // 3 entries later: still remembered
      create(taskId(3), { title: 'c' }, at(5), 'k'), // 4 entries later: forgotten, applied
    ];
    const one = await fresh({ sessionRetentionEntries: 4 });
    const many = await fresh({ sessionRetentionEntries: 4 });
    const all = entries(1, commands);
    const resultsOne = await one.applyBatch(all);
    const resultsMany: (CommandResult | null)[] = [];
    for (const entry of all) resultsMany.push(...(await many.applyBatch([entry])));
    expect(resultsMany).toEqual(resultsOne);
    expect(resultsOne[3]).toEqual({ ...resultsOne[0], entry: { index: 1, term: 1 } });
    expect(resultsOne[4]).toMatchObject({ ok: true, outcome: 'created' });
    expect((await one.list({ limit: 10, offset: 0 })).map((t) => t.id)).toEqual([
      taskId(1),
      taskId(3),
    ]);
    expect((await one.snapshot()).data).toBe((await many.snapshot()).data);
    await one.applyBatch(entries(6, [null, null, null, null, null, null, null, null, null]));
    const sessions = await query<{ n: number }>(
      one.database,
      'SELECT COUNT(*) AS n FROM client_sessions',
    );
    expect(Number(sessions[0]!.n)).toBe(0);
  });
  it('forgets a session after sessionRetentionMs of entry time, alike on every replica', async () => {
    const t0 = Date.UTC(2025, 0, 1);
    const t = (ms: number): string => new Date(t0 + ms).toISOString();
    const commands = [
      create(taskId(1), { title: 'a' }, t(0), 'k'),
      create(taskId(2), { title: 'a' }, t(999), 'k'), // 999 ms later: the first answer
      null,
      create(taskId(3), { title: 'x' }, t(5_000), 'other'), // the entries' time passes 1 s
      // A proposer whose clock is behind: the entries' time never goes back, so k stays
      // forgotten (a replica that evicted it after entry 4 must agree with one that did not).
      create(taskId(4), { title: 'a' }, t(500), 'k'),
      create(taskId(5), { title: 'y' }, t(5_600), 'other'), // still within 1 s of entry 4
    ];
    const all = entries(1, commands);
    const replicas = [
      await fresh({ sessionRetentionMs: 1_000 }),
      await fresh({ sessionRetentionMs: 1_000 }),
      await fresh({ sessionRetentionMs: 1_000 }),
    ];
    const results: (CommandResult | null)[][] = [];
    for (const [i, size] of [all.length, 1, 2].entries()) {
      const out: (CommandResult | null)[] = [];
      for (let at = 0; at < all.length; at += size) {
        out.push(...(await replicas[i]!.applyBatch(all.slice(at, at + size))));
      }
      results.push(out);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    const r = results[0]!;
    expect(r[1]).toEqual({ ...r[0], entry: { index: 1, term: 1 } });
    expect(taskOf(r[4]).id).toBe(taskId(4)); // forgotten: applied as a new write
    expect(r[5]).toEqual({ ...r[3], entry: { index: 4, term: 1 } });
    const snapshots = await Promise.all(replicas.map(async (sm) => (await sm.snapshot()).data));
    expect(snapshots[1]).toBe(snapshots[0]);
    expect(snapshots[2]).toBe(snapshots[0]);
    const rows = await query<{ key: string; created_at: string }>(
      replicas[0]!.database,
      'SELECT `key`, `created_at` FROM client_sessions ORDER BY `key`',
    );
    // k was stored again at entry 5, at the entries' time then (5 s), not its proposer's 0.5 s.
    expect(rows).toEqual([
      { key: 'k', created_at: t(5_000) },
      { key: 'other', created_at: t(5_000) },
    ]);

    // A restored replica carries the entries' time on: entry 7 at 5.8 s still finds k.
    const snap = await replicas[0]!.snapshot();
    const restored = await fresh({ sessionRetentionMs: 1_000 });
    await restored.restore(snap.index, snap.term, snap.data);
    const next = entries(7, [create(taskId(6), { title: 'a' }, t(100), 'k')]);
    const [fromRestored] = await restored.applyBatch(next);
    const [fromOriginal] = await replicas[0]!.applyBatch(next);
    expect(fromRestored).toEqual(fromOriginal);
    expect(fromRestored).toEqual({ ...r[4], entry: { index: 5, term: 1 } });
  });

  it('refuses a key reused for another request (fingerprint) with 422 and applies nothing', async () => {
    const sm = await fresh();
    const A = { key: 'K', fingerprint: 'a'.repeat(64) };
    const B = { key: 'K', fingerprint: 'b'.repeat(64) };
    const batch = entries(1, [
      create(taskId(1), { title: 'A' }, at(1), A),
      create(taskId(2), { title: 'A' }, at(2), A), // the retry: same fingerprint
      remove(taskId(1), at(3), undefined, B), // the key on another request, same batch
    ]);
    const [first, same, other] = await sm.applyBatch(batch);
    expect(first).toMatchObject({ ok: true, outcome: 'created' });
    expect(same).toEqual({ ...first, entry: { index: 1, term: 1 } });
    expect(other).toEqual({
      ok: false,
      outcome: 'key_reused',
      message: expect.stringContaining('Idempotency-Key'),
    });
    expect((await sm.get(taskId(1)))?.title).toBe('A');
    expect(await sm.get(taskId(2))).toBeNull();

    // In a later batch, and on a replica restored from a snapshot: the same refusal.
    const later = entries(4, [update(taskId(1), { title: 'B' }, at(4), undefined, B)]);
    const snap = await sm.snapshot();
    const restored = await fresh();
    await restored.restore(snap.index, snap.term, snap.data);
    const [laterHere] = await sm.applyBatch(later);
    const [laterThere] = await restored.applyBatch(later);
    expect(laterHere).toEqual(other);
    expect(laterThere).toEqual(other);
    expect((await sm.get(taskId(1)))?.title).toBe('A');
    expect(await restored.checksum()).toEqual(await sm.checksum());

    // A retried batch (already applied) is answered as it was the first time.
    const again = await sm.applyBatch(batch);
    expect(again).toEqual([{ ...first, entry: { index: 1, term: 1 } }, same, other]);
  });
});

describe('determinism, checksums and snapshots', () => {
  it('gives replicas fed the same entries (batched differently) the same checksum', async () => {
    const log = entries(1, workload(120));
    const a = await fresh();
    const b = await fresh();
    await a.applyBatch(log);
    for (let i = 0; i < log.length; i += 7) await b.applyBatch(log.slice(i, i + 7));
    const sa = await a.checksum();
    expect(sa.appliedIndex).toBe(120);
    expect(sa.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await b.checksum()).toEqual(sa);
    expect((await b.snapshot()).data).toBe((await a.snapshot()).data);

    await a.applyBatch(entries(121, [update(taskId(6), { title: 'diverge' }, at(121))]));
    expect((await a.checksum()).checksum).not.toBe(sa.checksum);
  });

  it('restores a snapshot into a fresh database with the same checksum and sessions', async () => {
    const source = await fresh();
    await source.applyBatch(entries(1, workload(60), 4));
    const snapshot = await source.snapshot();
    expect(snapshot).toMatchObject({ index: 60, term: 4 });
    const target = await fresh();
    await target.applyBatch(entries(1, [create(taskId(99), { title: 'replaced' }, at(1))]));
    await target.restore(snapshot.index, snapshot.term, snapshot.data);
    expect(await target.appliedIndex()).toEqual({ index: 60, term: 4 });
    expect(await target.checksum()).toEqual(await source.checksum());
    expect(await target.get(taskId(99))).toBeNull();
    expect((await target.snapshot()).data).toBe(snapshot.data);

    // Sessions came along: a retry of an applied keyed command gets its first answer.
    const commands = workload(60);
    const keyed = commands.findLast((c) => c.session !== undefined)!;
    const firstIndex = commands.lastIndexOf(keyed) + 1;
    const original = await source.applyBatch(entries(firstIndex, [keyed]));
    const [retried] = await target.applyBatch(entries(61, [keyed]));
    expect(retried).toEqual(original[0]);
    expect((await target.appliedIndex()).index).toBe(61);

    await expect(target.restore(61, 4, snapshot.data)).rejects.toBeInstanceOf(StateMachineError);
    await expect(target.restore(1, 1, '{"format":"nope"}')).rejects.toBeInstanceOf(
      StateMachineError,
    );
    expect((await target.appliedIndex()).index).toBe(61);
  });
});

describe('values round-trip exactly', () => {
  it('stores any Unicode and SQL text as plain text', async () => {
    const sm = await fresh();
    const title = "Ünïcødé 🚀 ' OR 1=1; --";
    const description =
      'emoji 👩🏽‍💻🇺🇦, combining é (e\u0301), RTL עברית, CJK 漢字, quotes \' " `, ' +
      'backslash \\ \\n, percent %, underscore _, NUL \u0000, tab\t, newline\n, ' +
      "'); DROP TABLE tasks; -- and trailing spaces   ";
    const [result] = await sm.applyBatch(
      entries(1, [create(taskId(1), { title, description }, at(1))]),
    );
    expect(taskOf(result).title).toBe(title);
    const stored = await sm.get(taskId(1));
    expect(stored?.title).toBe(title);
    expect(stored?.description).toBe(description);
    expect((await sm.list({ q: "' OR 1=1", limit: 10, offset: 0 })).map((t) => t.id)).toEqual([
      taskId(1),
    ]);
    const restoredInto = await fresh();
    const snapshot = await sm.snapshot();
    await restoredInto.restore(snapshot.index, snapshot.term, snapshot.data);
    expect(await restoredInto.get(taskId(1))).toEqual(stored);
    // The table is still there.
    expect(await sm.list({ limit: 10, offset: 0 })).toHaveLength(1);
  });

  it('returns timestamps and dates exactly as the command carried them', async () => {
    const sm = await fresh();
    const times = [
      '2025-03-04T05:06:07.089Z',
      '1999-12-31T23:59:59.999Z',
      '2038-01-19T03:14:08.000Z',
    ];
    await sm.applyBatch(
      entries(1, [
        create(taskId(1), { title: 't', dueDate: '2024-02-29' }, times[0]!),
        update(taskId(1), { title: 'u' }, times[1]!, 1),
        create(taskId(2), { title: 'offset', dueDate: '1000-01-01' }, '2025-03-04T07:06:07+02:00'),
        create(taskId(3), { title: 'far', dueDate: '9999-12-31' }, times[2]!),
      ]),
    );
    expect(await sm.get(taskId(1))).toMatchObject({
      createdAt: times[0],
      updatedAt: times[1],
      dueDate: '2024-02-29',
    });
    // A zone offset is normalised to the canonical UTC form, the same on every replica.
    expect(await sm.get(taskId(2))).toMatchObject({
      createdAt: '2025-03-04T05:06:07.000Z',
      dueDate: '1000-01-01',
    });
    expect(await sm.get(taskId(3))).toMatchObject({ createdAt: times[2], dueDate: '9999-12-31' });
  });
});

describe('list', () => {
  it('filters by status and by a literal, case-insensitive substring', async () => {
    const sm = await fresh();
    const titles = [
      'Pay 100% of rent',
      'Pay 100 euros',
      'file_name fix',
      'filename fix',
      'ÜNÏCØDÉ shout',
      'quiet ünïcødé',
      'back\\slash and !bang',
    ];
    await sm.applyBatch(
      entries(
        1,
        titles.map((title, i) =>
          create(
            taskId(i + 1),
            {
              title,
              status: i % 2 === 0 ? 'todo' : 'done',
              description: i === 3 ? 'MIXED Case' : '',
            },
            at(i),
          ),
        ),
      ),
    );
    const ids = async (q: string | undefined, status?: 'todo' | 'done') =>
      (await sm.list({ q, status, limit: 100, offset: 0 })).map((t) => t.title);

    expect(await ids(undefined)).toEqual(titles);
    expect(await ids('100%')).toEqual(['Pay 100% of rent']);
    expect(await ids('%')).toEqual(['Pay 100% of rent']);
    expect(await ids('_')).toEqual(['file_name fix']);
    expect(await ids('_name')).toEqual(['file_name fix']);
    expect(await ids('ünïcødé')).toEqual(['ÜNÏCØDÉ shout', 'quiet ünïcødé']);
    expect(await ids('mixed case')).toEqual(['filename fix']);
    expect(await ids('\\s')).toEqual(['back\\slash and !bang']);
    expect(await ids('!b')).toEqual(['back\\slash and !bang']);
    expect(await ids("' OR '1'='1")).toEqual([]);
    expect(await ids('pay', 'done')).toEqual(['Pay 100 euros']);
    expect(await ids(undefined, 'todo')).toEqual(titles.filter((_, i) => i % 2 === 0));
    expect((await sm.list({ limit: 2, offset: 3 })).map((t) => t.title)).toEqual(
      titles.slice(3, 5),
    );
    expect(await sm.list({ limit: 0, offset: 0 })).toEqual([]);
    expect(await sm.get('not-a-uuid')).toBeNull();
    expect(await sm.get("' OR 1=1 --")).toBeNull();
  });
});
