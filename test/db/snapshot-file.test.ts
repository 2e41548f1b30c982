/**
 * Format-4 snapshot files (db/snapshot-v4.ts, snapshot-file.ts) with a real MariaDB: written
 * from MySQL in pages and restored into another database in pages (more rows than a page, with
 * subtasks before their parents in id order, tags, projects, sessions), giving the same state;
 * and a corrupt, truncated or mislabelled file refused with the target's state untouched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TaskCommand } from '../../cluster/api/task.js';
import { StateMachineError } from '../../db/errors.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, taskId } from './helpers.js';

const mysql = useTestMariaDb();
const open: TaskStateMachine[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'raftboard-snapfile-'));

async function fresh(): Promise<TaskStateMachine> {
  const sm = await TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('snapf') });
  open.push(sm);
  return sm;
}

afterEach(async () => {
  for (const sm of open.splice(0)) await sm.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROJECT = '10000000-0000-4000-8000-000000000001';
/** More tasks than a page (1,000) of the snapshot's reads and of the restore's writes. */
const TASKS = 2_500;

/** Tasks whose parent has a HIGHER id, so in id order every subtask comes first. */
function commands(): TaskCommand[] {
  const out: TaskCommand[] = [
    {
      op: 'project.create',
      project: { id: PROJECT, name: 'Work', color: null, position: 0 },
      at: at(0),
    },
  ];
  for (let n = TASKS - 1; n >= 0; n--) {
    const parent = n % 10 !== 0 && n + 1 < TASKS && (n + 1) % 10 === 0 ? taskId(n + 1) : undefined;
    out.push(
      create(
        taskId(n),
        {
          title: `task ${n} 🚀`,
          description: `d${n}\nsecond line`,
          ...(parent !== undefined && { parentId: parent }),
          ...(n % 3 === 0 && { projectId: PROJECT }),
          ...(n % 4 === 0 && { tags: [n % 8 === 0 ? 'Urgent' : 'urgent', `t${n % 7}`] }),
        },
        at(TASKS - n),
        `key-${n}`,
      ),
    );
  }
  return out;
}

async function filled(): Promise<TaskStateMachine> {
  const sm = await fresh();
  const all = commands();
  for (let i = 0; i < all.length; i += 500) {
    await sm.applyBatch(entries(i + 1, all.slice(i, i + 500)));
  }
  return sm;
}

describe('format-4 snapshot files', () => {
  it('round-trips more rows than a page into the same state and the same snapshot', async () => {
    const source = await filled();
    const file = path.join(dir, 'round-trip.snap');
    const info = await source.snapshotToFile(file);
    expect(info.trailer).toMatchObject({ projects: 1, tasks: TASKS, sessions: TASKS });
    expect(readFileSync(file, 'utf8').startsWith('raftboard-tasks/4 {"index":')).toBe(true);

    const target = await fresh();
    await target.restoreFromFile(info.index, info.term, file);
    expect(await target.appliedIndex()).toEqual(await source.appliedIndex());
    expect((await target.checksum()).checksum).toBe((await source.checksum()).checksum);
    // Sessions, tags and the session clock too: the whole-document snapshot is the same text.
    expect((await target.snapshot()).data).toBe((await source.snapshot()).data);
    expect(await target.listTags()).toEqual(await source.listTags());
  }, 120_000);

  it('refuses a corrupt, truncated or mislabelled file and leaves the state as it was', async () => {
    const source = await filled();
    const file = path.join(dir, 'good.snap');
    const info = await source.snapshotToFile(file);
    const good = readFileSync(file);

    const target = await fresh();
    await target.applyBatch(entries(1, [create(taskId(99_999), { title: 'kept' }, at(1))]));
    const before = await target.checksum();

    const flipped = Buffer.from(good);
    const middle = flipped.indexOf('task 1234');
    flipped[middle + 5] = '9'.charCodeAt(0);
    const cases: [string, Buffer, RegExp][] = [
      ['corrupt', flipped, /checksum mismatch/],
      ['truncated', good.subarray(0, Math.floor(good.length / 2)), /truncated/],
      ['no trailer', good.subarray(0, good.lastIndexOf('end {')), /no trailer/],
      ['garbage', Buffer.from('{"format":"raftboard-tasks/3"}\n'), /no header/],
    ];
    for (const [name, bytes, message] of cases) {
      const bad = path.join(dir, `${name}.snap`);
      writeFileSync(bad, bytes);
      const error = await target.restoreFromFile(info.index, info.term, bad).catch((e) => e);
      expect(error, name).toBeInstanceOf(StateMachineError);
      expect((error as Error).message, name).toMatch(message);
      expect(await target.checksum(), name).toEqual(before);
    }
    await expect(target.restoreFromFile(info.index + 1, info.term, file)).rejects.toThrow(
      /not the/,
    );
    expect(await target.checksum()).toEqual(before);

    // The good file still restores afterwards (the connection's foreign-key checks are back).
    await target.restoreFromFile(info.index, info.term, file);
    expect((await target.checksum()).checksum).toBe((await source.checksum()).checksum);
  }, 120_000);
});
