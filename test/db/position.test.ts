/**
 * `position` is a DOUBLE in MariaDB. The decoder (db/command.ts) must refuse every value a
 * replica could not store and read back exactly, with the same rule the API's schema uses
 * (`isStorablePosition`, cluster/api/task.ts): else MariaDB refuses or alters the value and
 * the replicas' checksums differ from the memory store's, or the batch fails forever.
 */
import { describe, expect, it } from 'vitest';
import {
  isStorablePosition,
  POSITION_MAX,
  POSITION_MIN_MAGNITUDE,
} from '../../cluster/api/task.js';
import { decodeCommand } from '../../db/command.js';
import { withServerConnection } from '../../db/connection.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, taskId, update } from './helpers.js';

const mysql = useTestMariaDb();

const BAD = [
  5e-324,
  2.2250738585072014e-308,
  1e-10,
  -1e-10,
  1e308,
  -1e308,
  1e16,
  -1e16,
  POSITION_MAX * 1.5,
];
const GOOD = [
  0,
  1,
  -1,
  POSITION_MAX,
  -POSITION_MAX,
  POSITION_MIN_MAGNITUDE,
  -POSITION_MIN_MAGNITUDE,
  0.1,
  1 / 3,
  1735689601001.5,
  123456789.12345679,
];

/** The entry data with `position` written as the literal text (JSON.stringify loses -0). */
const withPosition = (command: object, literal: string): string =>
  JSON.stringify(command).replace('"position":0', `"position":${literal}`);

describe('position', () => {
  it('the rule: finite, |x| ≤ POSITION_MAX, and 0 or |x| ≥ POSITION_MIN_MAGNITUDE', () => {
    for (const x of BAD) expect(isStorablePosition(x), String(x)).toBe(false);
    for (const x of [...GOOD, -0]) expect(isStorablePosition(x), String(x)).toBe(true);
    for (const x of [NaN, Infinity, -Infinity]) expect(isStorablePosition(x)).toBe(false);
  });

  it('the decoder refuses what MariaDB may not store exactly, in every command', () => {
    for (const x of BAD) {
      const literal = String(x);
      const commands = [
        create(taskId(1), { title: 't', position: 0 }, at(1)),
        update(taskId(1), { position: 0 }, at(1)),
        {
          op: 'project.create',
          project: { id: taskId(2), name: 'p', color: null, position: 0 },
          at: at(1),
        },
        { op: 'project.update', id: taskId(2), patch: { position: 0 }, at: at(1) },
      ];
      for (const command of commands) {
        const decoded = decodeCommand(withPosition(command, literal));
        expect(decoded.ok, `${literal} in ${command.op}`).toBe(false);
      }
    }
  });

  it('MariaDB stores and reads back the allowed extremes exactly (and -0 as 0)', async () => {
    // What the column does with the values refused (found by trying it, kept as evidence).
    const stored = await withServerConnection(mysql.url, async (connection) => {
      const out: Record<string, unknown> = {};
      const database = mysql.freshDatabase('probe');
      await connection.query(`CREATE DATABASE \`${database}\``);
      await connection.query(`USE \`${database}\``);
      await connection.query('CREATE TABLE p (v DOUBLE NOT NULL) ENGINE=InnoDB');
      for (const literal of [
        '5e-324',
        '-0',
        '1e308',
        '1.7976931348623157e308',
        '2.2250738585072014e-308',
        '4.9e-324',
      ]) {
        try {
          await connection.query('DELETE FROM p');
          await connection.query(`INSERT INTO p (v) VALUES (${literal})`);
          const [rows] = await connection.query('SELECT v, CAST(v AS CHAR) AS t FROM p');
          const row = (rows as { v: unknown; t: unknown }[])[0]!;
          out[literal] = [row.v, row.t];
        } catch (error) {
          out[literal] = `error: ${(error as Error).message}`;
        }
      }
      await connection.query(`DROP DATABASE \`${database}\``);
      return out;
    });
    if (process.env.POSITION_DEBUG !== undefined) console.log(stored);

    const sql = await TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('pos') });
    try {
      const mem = new MemoryTaskStore();
      const log = entries(
        1,
        GOOD.map((x, i) => create(taskId(10 + i), { title: `p${i}`, position: x }, at(i))),
      );
      log.push({
        index: log.length + 1,
        term: 1,
        type: 'normal',
        data: withPosition(create(taskId(99), { title: 'minus zero', position: 0 }, at(50)), '-0'),
      });
      expect(await sql.applyBatch(log)).toEqual(await mem.applyBatch(log));
      for (const [i, x] of GOOD.entries()) {
        expect((await sql.get(taskId(10 + i)))?.position).toBe(x);
      }
      expect(Object.is((await sql.get(taskId(99)))?.position, 0)).toBe(true);
      expect(Object.is((await mem.get(taskId(99)))?.position, 0)).toBe(true);
      expect(await sql.checksum()).toEqual(await mem.checksum());
      expect((await sql.snapshot()).data).toBe((await mem.snapshot()).data);
    } finally {
      await sql.close();
    }
  });
});
