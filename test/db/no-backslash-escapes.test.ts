/**
 * Review H3: on a server whose sql_mode has NO_BACKSLASH_ESCAPES, `\'` no longer escapes a quote,
 * so values escaped with backslashes became SQL on the applier's multi-statement connection.
 * Every connection pins its own sql_mode; this runs the applier against such a server with
 * quotes, backslashes and comment markers in every value and checks they come back byte for byte.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSequelize, withServerConnection } from '../../db/connection.js';
import { checkExternalTarget } from '../../db/provision/external.js';
import { freePort, startMariaDb, type MariaDbInstance } from '../../db/provision/mariadb.js';
import { RoundTrips } from '../../db/round-trips.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import type { CommandResult } from '../../cluster/api/task.js';
import { at, create, entries, remove, taskId, update } from './helpers.js';

/** Every string that means something to a SQL parser in one mode or the other. */
const NASTY = [
  "'",
  "''",
  '\\',
  "\\'",
  ';',
  '#',
  '--',
  "';DROP/**/TABLE/**/tasks;#",
  "Bob's \\task\\",
  "x\\'; DROP TABLE client_sessions; -- y",
  '"`%_!',
];

let dir = '';
let server: MariaDbInstance | undefined;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-nbe-'));
  server = await startMariaDb({
    dataDir: dir,
    port: await freePort(),
    extraArgs: ['--sql-mode=NO_BACKSLASH_ESCAPES'],
  });
});

afterAll(async () => {
  await server?.stop();
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

const url = (): string => server!.url;

async function tables(database: string): Promise<string[]> {
  return withServerConnection(url(), async (c) => {
    const [rows] = await c.query(`SHOW TABLES FROM \`${database}\``);
    return (rows as Record<string, string>[]).map((r) => Object.values(r)[0]).sort();
  });
}

describe('a server whose sql_mode has NO_BACKSLASH_ESCAPES', () => {
  it('is really in that mode (the premise of every test here)', async () => {
    const mode = await withServerConnection(url(), async (c) => {
      const [rows] = await c.query('SELECT @@GLOBAL.sql_mode AS m');
      return (rows as { m: string }[])[0].m;
    });
    expect(mode).toContain('NO_BACKSLASH_ESCAPES');
  });

  it('pins sql_mode on the applier connection and on every pool connection', async () => {
    const rt = new RoundTrips(url(), 'mysql');
    try {
      const [rows] = (await rt.run(['SELECT @@SESSION.sql_mode AS m'])) as { m: string }[][];
      expect(rows[0].m).not.toContain('NO_BACKSLASH_ESCAPES');
    } finally {
      await rt.close();
    }
    const sequelize = createSequelize(url(), 'mysql', { maxConnections: 3 });
    try {
      // Three at once: three pool connections, each must have been pinned.
      const modes = await Promise.all(
        [1, 2, 3].map(() =>
          sequelize.transaction(async (transaction) => {
            const [rows] = await sequelize.query('SELECT @@SESSION.sql_mode AS m', {
              transaction,
            });
            return (rows as { m: string }[])[0].m;
          }),
        ),
      );
      for (const m of modes) expect(m).not.toContain('NO_BACKSLASH_ESCAPES');
    } finally {
      await sequelize.close();
    }
  });

  it('applies creates, updates and deletes with quotes everywhere; values round-trip', async () => {
    const database = `nbe_${process.pid}`;
    const sm = await TaskStateMachine.open(url(), { database });
    try {
      const before = await tables(database);
      expect(before).toContain('tasks');

      // One task per nasty string: created with it, updated with it, and (for every third one)
      // deleted; each command carries a key made of it.
      const commands = NASTY.flatMap((s, i) => [
        create(taskId(i), { title: s, description: `${s}\n${s}` }, at(i), `c${s}${i}`),
        update(taskId(i), { title: `${s}!`, description: `!${s}` }, at(i + 100), 1, `u${s}${i}`),
        ...(i % 3 === 2 ? [remove(taskId(i), at(i + 200), 2, `${s}d${i}`)] : []),
      ]);
      // The review's key, exactly.
      commands.push(create(taskId(99), { title: 'k' }, at(99), "';DROP/**/TABLE/**/tasks;#"));
      const batch = entries(1, commands);
      const results = await sm.applyBatch(batch);
      expect(results.map((r) => r?.ok === true && r.outcome)).toEqual(
        commands.map((c) =>
          c.op === 'create' ? 'created' : c.op === 'update' ? 'updated' : 'deleted',
        ),
      );
      expect(await tables(database)).toEqual(before);

      for (const [i, s] of NASTY.entries()) {
        const task = await sm.get(taskId(i));
        if (i % 3 === 2) {
          expect(task).toBeNull();
          continue;
        }
        expect(task?.title).toBe(`${s}!`);
        expect(task?.description).toBe(`!${s}`);
        // The search takes the string as literal text.
        const found = await sm.list({ q: `${s}!`, limit: 100, offset: 0 });
        expect(found.map((t) => t.id)).toContain(taskId(i));
      }

      // The sessions were stored under those keys: a retry is answered from them.
      const again = await sm.applyBatch(entries(batch.length + 1, [commands[0]]));
      expect(again[0]).toEqual({
        ...(results[0] as CommandResult),
        entry: { index: 1, term: 1 },
      });
      expect(await tables(database)).toEqual(before);
      expect((await sm.appliedIndex()).index).toBe(batch.length + 1);
    } finally {
      await sm.close();
    }
  });

  it('is accepted by the external-mode check (Raftboard pins its own sql_mode)', async () => {
    await expect(
      checkExternalTarget({ nodeId: 1, serverUrl: url(), database: `nbe_check_${process.pid}` }),
    ).resolves.toBeUndefined();
  });
});
