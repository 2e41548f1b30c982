/**
 * MySQL going away: every call fails fast with `MySqlUnavailableError`, nothing crashes, and
 * once the server is back the same state machine carries on (retrying the failed batch).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MySqlError, MySqlUnavailableError } from '../../db/errors.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, taskId, update, workload } from './helpers.js';

const mysql = useTestMariaDb();
const stray: unknown[] = [];
const onStray = (error: unknown) => stray.push(error);

beforeAll(() => {
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
});
afterAll(() => {
  process.off('unhandledRejection', onStray);
  process.off('uncaughtException', onStray);
});

async function failsUnavailable(promise: Promise<unknown>): Promise<number> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MySqlUnavailableError);
  expect(error).toBeInstanceOf(MySqlError);
  return Date.now() - started;
}

it('raises a typed unavailable error while MySQL is stopped and recovers after', async (ctx) => {
  if (!mysql.managed) ctx.skip(); // cannot stop an external server
  const database = mysql.freshDatabase('down');
  const sm = await TaskStateMachine.open(mysql.url, { database });
  try {
    await sm.applyBatch(entries(1, [create(taskId(1), { title: 'before' }, at(1), 'k1')]));
    const before = await sm.checksum();

    await mysql.stop();
    const batch = entries(2, [update(taskId(1), { title: 'during' }, at(2), 1, 'k2')]);
    const waited = [
      await failsUnavailable(sm.applyBatch(batch)),
      await failsUnavailable(sm.applyBatch(batch)),
      await failsUnavailable(sm.appliedIndex()),
      await failsUnavailable(sm.get(taskId(1))),
      await failsUnavailable(sm.list({ limit: 10, offset: 0 })),
      await failsUnavailable(sm.checksum()),
      await failsUnavailable(sm.snapshot()),
      await failsUnavailable(TaskStateMachine.open(mysql.url, { database: 'other' })),
    ];
    for (const ms of waited) expect(ms).toBeLessThan(5_000);

    await mysql.start();
    // The node retries the batch it could not apply; it is applied exactly once.
    const [result] = await sm.applyBatch(batch);
    expect(result).toMatchObject({
      ok: true,
      outcome: 'updated',
      task: { title: 'during', version: 2 },
    });
    const [again] = await sm.applyBatch(batch);
    expect(again).toEqual({ ...result, entry: { index: batch[0].index, term: batch[0].term } });
    const after = await sm.checksum();
    expect(after.appliedIndex).toBe(before.appliedIndex + 1);
    expect((await sm.get(taskId(1)))?.version).toBe(2);
  } finally {
    await sm.close();
  }
  expect(stray).toEqual([]);
});

it('never applies twice or skips when MySQL crashes in the middle of a batch', async (ctx) => {
  if (!mysql.managed) ctx.skip();
  const log = entries(1, workload(1_500));
  const sm = await TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('crash') });
  try {
    await sm.applyBatch(log.slice(0, 500));
    const inFlight = sm.applyBatch(log.slice(500)).then(
      () => 'committed',
      (e: unknown) => e,
    );
    await new Promise((resolve) => setTimeout(resolve, 15));
    await mysql.crash();
    const outcome = await inFlight;
    if (outcome !== 'committed') expect(outcome).toBeInstanceOf(MySqlUnavailableError);
    await mysql.start();
    const index = (await sm.appliedIndex()).index;
    // All or nothing: the crashed batch is either wholly there or wholly absent.
    expect([500, 1_500]).toContain(index);
    // The node re-applies everything from its log; only what is missing is applied.
    await sm.applyBatch(log);
    const reference = await TaskStateMachine.open(mysql.url, {
      database: mysql.freshDatabase('ref'),
    });
    await reference.applyBatch(log);
    expect(await sm.checksum()).toEqual(await reference.checksum());
    await reference.close();
  } finally {
    await sm.close();
  }
  expect(stray).toEqual([]);
});
