/**
 * Migration 0004 runs DDL, which MariaDB does not roll back: if the node stops (or a statement
 * times out) midway, the next start runs the migration again from its first statement over a
 * half-migrated schema. Every step must then be skipped or redone harmlessly, and the result
 * must be the schema a clean migration makes.
 */
import type { QueryInterface, Sequelize } from 'sequelize';
import { afterAll, describe, expect, it } from 'vitest';
import { createSequelize, ensureDatabase, withServerConnection } from '../../db/connection.js';
import { migrate } from '../../db/migrate.js';
import { MIGRATIONS, type Migration } from '../../db/migrations/index.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, taskId, update } from './helpers.js';

const mysql = useTestMariaDb();
const open: Sequelize[] = [];
afterAll(async () => {
  for (const s of open.splice(0)) await s.close();
});

const TABLES = ['tasks', 'projects', 'tags', 'task_tags', 'raft_meta', 'client_sessions'];
const WRAPPED = ['createTable', 'addIndex', 'addColumn', 'addConstraint', 'bulkInsert'];

class Stop extends Error {}

/** 0004 that stops (throws) right after its `stopAfter`-th statement; counts them in `seen`. */
function stoppingAfter(stopAfter: number, seen: { count: number }): Migration {
  const real = MIGRATIONS[3]!;
  const step = async <T>(run: () => Promise<T>): Promise<T> => {
    const result = await run();
    seen.count += 1;
    if (seen.count === stopAfter) throw new Stop(`stopped after statement ${stopAfter}`);
    return result;
  };
  const wrap = (qi: QueryInterface): QueryInterface => {
    const sequelize = new Proxy(qi.sequelize, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'query' || typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          step(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
    return new Proxy(qi, {
      get(target, prop, receiver) {
        if (prop === 'sequelize') return sequelize;
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof prop !== 'string' || !WRAPPED.includes(prop) || typeof value !== 'function') {
          return value;
        }
        return (...args: unknown[]) =>
          step(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  };
  return { name: real.name, up: (qi) => real.up(wrap(qi)), down: (qi) => real.down(qi) };
}

async function schemaOf(database: string): Promise<Record<string, string>> {
  return withServerConnection(mysql.url, async (connection) => {
    await connection.query(`USE \`${database}\``);
    const out: Record<string, string> = {};
    for (const table of TABLES) {
      const [rows] = await connection.query(`SHOW CREATE TABLE \`${table}\``);
      out[table] = (rows as { 'Create Table': string }[])[0]!['Create Table'];
    }
    return out;
  });
}

/** A 0001–0003 database with a few rows (one done), as a node before the upgrade has it. */
async function oldDatabase(): Promise<{ database: string; sequelize: Sequelize }> {
  const database = mysql.freshDatabase('resume');
  await ensureDatabase(mysql.url, database);
  const sequelize = createSequelize(mysql.url, database);
  open.push(sequelize);
  await migrate(sequelize, { migrations: MIGRATIONS.slice(0, 3) });
  const rows = [
    [taskId(1), 'todo', at(1), at(2)],
    [taskId(2), 'done', at(3), at(4)],
  ];
  for (const [id, status, created, updated] of rows) {
    await sequelize.query(
      'INSERT INTO tasks (id, title, description, status, priority, due_date, created_at, ' +
        "updated_at, version, raft_index) VALUES (?, 't', '', ?, 'medium', NULL, ?, ?, 2, 2)",
      { replacements: [id, status, created, updated] },
    );
  }
  await sequelize.query('UPDATE raft_meta SET applied_index = 2, applied_term = 1');
  return { database, sequelize };
}

describe('migration 0004 stopped midway', () => {
  it('completes when run again, with the schema and rows of a clean migration', async () => {
    const clean = await oldDatabase();
    await migrate(clean.sequelize);
    const expected = await schemaOf(clean.database);
    const cleanSm = await TaskStateMachine.open(mysql.url, { database: clean.database });
    const expectedChecksum = await cleanSm.checksum();
    const expectedRows = [await cleanSm.get(taskId(1)), await cleanSm.get(taskId(2))];
    await cleanSm.close();

    const counted = { count: 0 };
    {
      const probe = await oldDatabase();
      await migrate(probe.sequelize, {
        migrations: [...MIGRATIONS.slice(0, 3), stoppingAfter(Number.POSITIVE_INFINITY, counted)],
      });
    }
    const statements = counted.count;
    expect(statements).toBeGreaterThan(3);

    for (let stopAfter = 1; stopAfter < statements; stopAfter++) {
      const half = await oldDatabase();
      await expect(
        migrate(half.sequelize, {
          migrations: [...MIGRATIONS.slice(0, 3), stoppingAfter(stopAfter, { count: 0 })],
        }),
        `stopping after statement ${stopAfter}`,
      ).rejects.toThrow(/stopped after statement/);
      // The next start: the state machine opens (runs 0004 again) and works.
      const sm = await TaskStateMachine.open(mysql.url, { database: half.database });
      try {
        expect(await schemaOf(half.database), `stopped after ${stopAfter}`).toEqual(expected);
        expect(await sm.checksum()).toEqual(expectedChecksum);
        expect([await sm.get(taskId(1)), await sm.get(taskId(2))]).toEqual(expectedRows);
        const [made, changed] = await sm.applyBatch(
          entries(3, [
            create(taskId(3), { title: 'new', parentId: taskId(1), tags: ['A'] }, at(5)),
            update(taskId(2), { tags: ['a', 'B'] }, at(6)),
          ]),
        );
        expect(made).toMatchObject({ outcome: 'created' });
        expect(changed).toMatchObject({ outcome: 'updated', task: { tags: ['A', 'B'] } });
      } finally {
        await sm.close();
      }
    }
  }, 120_000);
});
