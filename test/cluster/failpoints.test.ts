/**
 * Failpoints in real node processes (cluster/node/failpoints.ts): a node armed at a point dies
 * by SIGKILL exactly there (its last stderr line names the point), is started again, and then
 * no acknowledged write is lost or duplicated and every replica has the same checksum. Armed at
 * runtime with the `failpoint` control message, and once at start with RAFTBOARD_FAILPOINTS.
 */
import { describe, expect, it } from 'vitest';
import type { FailpointName } from '../../cluster/node/failpoints.js';
import { replicaTasks } from '../crash/check.js';
import { newKey, sleep, useCluster, type Cluster } from './harness/index.js';
import { within } from './harness/poll.js';

/** Small: the log is snapshotted every few writes, so snapshot-before-compact is reached. */
const SNAPSHOT_ENTRIES = 20;

const c = useCluster('failpts', { snapshotEntries: SNAPSHOT_ENTRIES });

/** Every acknowledged write of the file: title → the task id its answer named. */
const acked = new Map<string, string>();

/**
 * Creates a task with one Idempotency-Key until some node acknowledges it: first through
 * `first`, then through the running nodes in turn. Returns the task's id.
 */
async function settle(cl: Cluster, title: string, first?: number): Promise<string> {
  const key = newKey('fp');
  const deadline = Date.now() + 25_000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const live = cl.live();
    const via = attempt === 0 && first !== undefined ? first : live[attempt % live.length];
    try {
      const res = await cl
        .client(via)
        .createTask({ title }, { idempotencyKey: key, timeoutMs: 4_000 });
      if (res.ok && res.body.task) {
        acked.set(title, res.body.task.id);
        return res.body.task.id;
      }
      if (res.status !== 503) throw new Error(`"${title}" via n${via}: HTTP ${res.status}`);
    } catch (e) {
      if ((e as Error).message.includes('HTTP')) throw e;
      // The node died under the request, or is down: try another.
    }
    await sleep(100);
  }
  throw new Error(`"${title}" was not acknowledged in 25 s`);
}

/** Waits for `id` to exit and checks it died by SIGKILL at `name` (the last stderr line says). */
async function diesAt(cl: Cluster, id: number, name: FailpointName): Promise<void> {
  expect(await within(cl.exited(id), 15_000), `n${id} exits at ${name}`).toBe(true);
  const exit = await cl.exited(id);
  expect(exit.signal, `n${id}'s exit`).toBe('SIGKILL');
  expect(cl.nodeStderr(id).trimEnd().split('\n').pop()).toContain(
    `failpoint ${name} hit: crashing (SIGKILL)`,
  );
}

/** Every replica has every acknowledged write exactly once, and they all have one checksum. */
async function converged(cl: Cluster): Promise<void> {
  const sums = await cl.checksums(30_000, cl.ids);
  expect(new Set([...sums.values()].map((s) => s.checksum)).size, 'distinct checksums').toBe(1);
  for (const id of cl.ids) {
    const tasks = await replicaTasks(cl, id);
    for (const [title, taskId] of acked) {
      const copies = tasks.filter((t) => t.title === title);
      expect(
        copies.map((t) => t.id),
        `"${title}" on n${id}`,
      ).toEqual([taskId]);
    }
  }
}

describe('failpoints in node processes', () => {
  it('an answered write is read back at once, linearizably, on every node', async () => {
    const cl = c();
    const leader = await cl.leader();
    // The leader answers before its MySQL commits the batch (applier.ts): a read must still
    // wait for MySQL's applied index, here and on the followers.
    for (let i = 0; i < 30; i++) {
      const title = `read back ${i}`;
      const res = await cl.client(leader).createTask({ title }, { idempotencyKey: newKey('rb') });
      if (!res.ok || !res.body.task) throw new Error(`"${title}": HTTP ${res.status}`);
      const id = res.body.task.id;
      acked.set(title, id);
      const via = cl.ids[i % cl.ids.length];
      const got = await cl.client(via).getTask(id, 'linearizable');
      if (!got.ok) throw new Error(`"${title}" on n${via}: HTTP ${got.status}`);
      expect(got.body.task.title).toBe(title);
    }
  });

  it('the failpoint message refuses unknown names and bad counts', async () => {
    const cl = c();
    const leader = await cl.leader();
    await expect(cl.armFailpoint(leader, 'wal-after-fsync' as FailpointName)).rejects.toThrow(
      /unknown failpoint "wal-after-fsync" \(known: wal-before-write, /,
    );
    await expect(cl.armFailpoint(leader, 'wal-after-sync', -1)).rejects.toThrow(/non-negative/);
    expect(cl.isRunning(leader)).toBe(true);
  });

  it('wal-after-sync on the leader: a write in flight is kept once', async () => {
    const cl = c();
    const leader = await cl.leader();
    await settle(cl, 'before wal-after-sync');
    await cl.armFailpoint(leader, 'wal-after-sync');
    const write = settle(cl, 'at wal-after-sync', leader);
    await diesAt(cl, leader, 'wal-after-sync');
    await write;
    await cl.start(leader);
    await converged(cl);
  });

  it('vote-after-persist on a follower campaigning: its new term survives the crash', async () => {
    const cl = c();
    const leader = await cl.leader();
    const [follower] = await cl.followers();
    const before = await cl.ipcStatus(follower);
    await cl.armFailpoint(follower, 'vote-after-persist');
    // TimeoutNow: the follower campaigns at once, its term and self-vote made durable first.
    await cl.transferLeadership(leader, follower);
    await diesAt(cl, follower, 'vote-after-persist');
    await cl.start(follower);
    expect((await cl.ipcStatus(follower)).term, 'the term after the restart').toBeGreaterThan(
      before.term,
    );
    await cl.waitReady();
    await settle(cl, 'after vote-after-persist');
    await converged(cl);
  });

  it('snapshot-before-compact on a follower: it restarts from the new snapshot', async () => {
    const cl = c();
    const [follower] = await cl.followers();
    await cl.armFailpoint(follower, 'snapshot-before-compact');
    for (let i = 0; i < SNAPSHOT_ENTRIES + 5 && cl.isRunning(follower); i++)
      await settle(cl, `towards a snapshot ${i}`);
    await diesAt(cl, follower, 'snapshot-before-compact');
    await cl.start(follower);
    await settle(cl, 'after snapshot-before-compact');
    await converged(cl);
    expect((await cl.ipcStatus(follower)).snapshotIndex).toBeGreaterThan(0);
  });

  it('apply-mid-batch on the leader: committed to MySQL, never answered, applied once', async () => {
    const cl = c();
    const leader = await cl.leader();
    await cl.armFailpoint(leader, 'apply-mid-batch');
    const id = await Promise.all([
      settle(cl, 'at apply-mid-batch', leader),
      diesAt(cl, leader, 'apply-mid-batch'),
    ]).then(([taskId]) => taskId);
    await cl.start(leader);
    await converged(cl);
    expect(acked.get('at apply-mid-batch')).toBe(id);
  });

  it('apply-after-answer on the leader: answered before MySQL commits, applied everywhere', async () => {
    const cl = c();
    const leader = await cl.leader();
    await cl.armFailpoint(leader, 'apply-after-answer');
    const title = 'at apply-after-answer';
    // The leader answers, then dies before its MySQL got the batch's writes and COMMIT.
    const res = await cl
      .client(leader)
      .createTask({ title }, { idempotencyKey: newKey('fp'), timeoutMs: 4_000 });
    if (!res.ok || !res.body.task) throw new Error(`no answer from the leader: HTTP ${res.status}`);
    const id = res.body.task.id;
    acked.set(title, id);
    await diesAt(cl, leader, 'apply-after-answer');
    // Committed in Raft: the new leader and every survivor serve it to a linearizable read.
    await cl.waitReady();
    for (const other of cl.live()) {
      const got = await cl.client(other).getTask(id, 'linearizable');
      if (!got.ok) throw new Error(`n${other} does not read the answered task: HTTP ${got.status}`);
      expect(got.body.task.title).toBe(title);
    }
    await cl.start(leader);
    await converged(cl);
  });

  it('RAFTBOARD_FAILPOINTS at start: wal-after-write@3 on a follower', async () => {
    const cl = c();
    const [follower] = await cl.followers();
    expect((await cl.kill(follower, 'SIGTERM')).code).toBe(0);
    await cl.start(follower, { failpoints: 'wal-after-write@3' });
    expect(cl.nodeStderr(follower)).toContain('failpoints armed: wal-after-write@3');
    // Writes until it dies: the leader may batch several entries into one append, so the
    // number of writes that makes three WAL writes on the follower is not fixed.
    for (let i = 0; i < 200 && cl.isRunning(follower); i++) await settle(cl, `env ${i}`);
    await diesAt(cl, follower, 'wal-after-write');
    await cl.start(follower);
    await converged(cl);
  });
});
