/**
 * Crashes and restarts of a real cluster:
 *  - the leader is SIGKILLed in the middle of concurrent writes; clients retry what failed with
 *    the same Idempotency-Key on other nodes. Once a new leader serves, every acknowledged write
 *    is on every replica, exactly once, and re-sending an acknowledged write with its key returns
 *    the first answer without creating a duplicate;
 *  - every node restarted at once (cleanly, then by SIGKILL): the state is intact;
 *  - all replicas end with equal checksums.
 */
import { describe, expect, it } from 'vitest';
import type { WriteResponse } from '../../cluster/api/node.js';
import type { Task } from '../../cluster/api/task.js';
import { newKey, ok, sleep, useCluster, type Cluster } from './harness/index.js';

const c = useCluster('crash');

interface LogicalWrite {
  readonly key: string;
  readonly body: { title: string; description: string };
  attempts: number;
  /** The answer that acknowledged it (2xx), if any. */
  acked?: WriteResponse;
  ackedAt?: number;
  /** Whether a request for it was on the wire when the leader was killed. */
  inFlightAtKill?: boolean;
}

/** Tasks of a node, read linearizably, by title. */
async function tasksByTitle(cl: Cluster, id: number): Promise<Map<string, Task[]>> {
  const list = ok(await cl.client(id).listTasks({ consistency: 'linearizable' }), `list on n${id}`);
  const out = new Map<string, Task[]>();
  for (const t of list.tasks) out.set(t.title, [...(out.get(t.title) ?? []), t]);
  return out;
}

function sortById(tasks: readonly Task[]): Task[] {
  return [...tasks].sort((a, b) => a.id.localeCompare(b.id));
}

describe('crash recovery', () => {
  it('SIGKILL of the leader during concurrent writes loses no acknowledged write', async () => {
    const cl = c();
    const oldLeader = await cl.leader();
    const writes: LogicalWrite[] = [];
    /** Answers that are not in the contract for this situation (2xx, or 503 while failing over). */
    const unexpected: string[] = [];
    let stop = false;
    let killedAt = 0;
    const inFlight = new Set<LogicalWrite>();

    const worker = async (w: number): Promise<void> => {
      let turn = w;
      for (let seq = 0; !stop; seq++) {
        const lw: LogicalWrite = {
          key: newKey(`w${w}s${seq}`),
          body: { title: `worker ${w} write ${seq}`, description: `seq ${seq}` },
          attempts: 0,
        };
        writes.push(lw);
        const deadline = Date.now() + 30_000;
        while (lw.acked === undefined && Date.now() < deadline) {
          const target = cl.ids[turn++ % cl.ids.length];
          lw.attempts += 1;
          inFlight.add(lw);
          try {
            const res = await cl
              .client(target)
              .createTask(lw.body, { idempotencyKey: lw.key, timeoutMs: 8_000 });
            if (res.ok) {
              lw.acked = res.body;
              lw.ackedAt = Date.now();
            } else if (res.status !== 503) {
              unexpected.push(
                `${lw.body.title} via n${target}: ${res.status} ${JSON.stringify(res.body)}`,
              );
            }
          } catch (_e) {
            // Connection refused or reset (the killed node): retry elsewhere.
          } finally {
            inFlight.delete(lw);
          }
          if (lw.acked === undefined) await sleep(30);
        }
      }
    };

    const workers = [0, 1, 2, 3].map((w) => worker(w));
    const ackedCount = (): number => writes.filter((x) => x.acked !== undefined).length;
    try {
      await cl.waitFor(() => ackedCount() >= 20, 30_000, '20 acknowledged writes before the kill');
      // Kill it while requests are on the wire.
      await cl.waitFor(() => inFlight.size > 0, 5_000, 'writes in flight');
      for (const lw of inFlight) lw.inFlightAtKill = true;
      const inFlightAtKill = inFlight.size;
      const ackedBeforeKill = ackedCount();
      killedAt = Date.now();
      const exit = await cl.kill(oldLeader, 'SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      expect(inFlightAtKill).toBeGreaterThan(0);

      const newLeader = await cl.leader(20_000);
      expect(newLeader).not.toBe(oldLeader);
      // Writes acknowledged after the kill (so by the new leader) keep coming.
      await cl.waitFor(
        () => writes.filter((x) => (x.ackedAt ?? 0) > killedAt).length >= 20,
        30_000,
        '20 writes acknowledged after the kill',
      );
      expect(ackedBeforeKill).toBeGreaterThanOrEqual(20);
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    const notAcked = writes.filter((x) => x.acked === undefined);
    expect(
      notAcked.map((x) => x.body.title),
      'writes never acknowledged in 30 s of retries',
    ).toEqual([]);
    expect(unexpected, 'answers other than 2xx/503 during the failover').toEqual([]);
    const retried = writes.filter((x) => x.attempts > 1);
    expect(retried.length, 'some writes needed a retry across the failover').toBeGreaterThan(0);

    // Every acknowledged write is on every live replica, exactly once, as acknowledged.
    const survivors = cl.live();
    expect(survivors).toHaveLength(2);
    await cl.checksums(20_000, survivors);
    for (const id of survivors) {
      const byTitle = await tasksByTitle(cl, id);
      for (const lw of writes) {
        const found = byTitle.get(lw.body.title) ?? [];
        expect(
          found.length,
          `copies of "${lw.body.title}" on n${id} (${lw.attempts} attempts)`,
        ).toBe(1);
        expect(found[0].id).toBe(lw.acked?.task?.id);
      }
    }

    // Re-sending an acknowledged write with its key: the first answer, no duplicate.
    const newLeader = await cl.leader();
    const fromOld = writes.find((x) => x.acked?.servedBy === oldLeader);
    const fromFailover = writes.find((x) => x.inFlightAtKill === true) ?? retried[0];
    for (const lw of [fromOld, fromFailover]) {
      expect(lw, 'a write to retry').toBeDefined();
      if (!lw?.acked) continue;
      for (const via of survivors) {
        const again = await cl.client(via).createTask(lw.body, { idempotencyKey: lw.key });
        expect(
          again.status,
          `retry of "${lw.body.title}" via n${via}: ${JSON.stringify(again.body)}`,
        ).toBe(201);
        const body = ok(again);
        expect(body.task, 'the retry answers with the first result').toEqual(lw.acked.task);
        // The contract: "a retry gets the first answer", and WriteResponse.raftIndex/term are
        // those of the entry that carried the write. Soft, so the checks below still run.
        expect
          .soft(
            body.raftIndex,
            `raftIndex of the retry via n${via} (first answer's: ${lw.acked.raftIndex})`,
          )
          .toBe(lw.acked.raftIndex);
        expect.soft(body.term, `term of the retry via n${via}`).toBe(lw.acked.term);
      }
    }
    expect(fromOld?.acked?.servedBy).toBe(oldLeader);
    for (const id of survivors) {
      const byTitle = await tasksByTitle(cl, id);
      for (const lw of [fromOld, fromFailover]) {
        if (lw) expect(byTitle.get(lw.body.title)?.length, `copies on n${id} after retry`).toBe(1);
      }
    }
    expect(await cl.leader()).toBe(newLeader);

    // The killed node comes back and catches up: equal checksums everywhere.
    await cl.start(oldLeader);
    const sums = await cl.checksums(30_000);
    expect([...sums.keys()].sort()).toEqual([...cl.ids]);
    const values = [...sums.values()];
    for (const [id, s] of sums) expect(s, `checksum of n${id}`).toEqual(values[0]);
    const back = await tasksByTitle(cl, oldLeader);
    for (const lw of writes) {
      expect(
        back.get(lw.body.title)?.map((t) => t.id),
        `"${lw.body.title}" on n${oldLeader}`,
      ).toEqual([lw.acked?.task?.id]);
    }
  });

  for (const how of ['cleanly', 'by SIGKILL'] as const) {
    it(`a full restart of every node (${how}) keeps the state intact`, async () => {
      const cl = c();
      const leader = await cl.leader();
      const mark = ok(
        await cl.client(leader).createTask({ title: `last write before the restart ${how}` }),
      ).task;
      expect(mark).not.toBeNull();
      const sumsBefore = await cl.checksums();
      const before = sortById(
        ok(await cl.client(leader).listTasks({ consistency: 'linearizable' })).tasks,
      );
      expect(before.map((t) => t.id)).toContain(mark?.id);
      const checksumBefore = [...sumsBefore.values()][0].checksum;
      for (const [id, s] of sumsBefore) expect(s.checksum, `n${id} before`).toBe(checksumBefore);

      await cl.restartAll(how === 'cleanly' ? undefined : 'SIGKILL');
      expect(cl.live()).toEqual([...cl.ids]);

      for (const id of cl.ids) {
        const after = sortById(
          ok(await cl.client(id).listTasks({ consistency: 'linearizable' }), `list on n${id}`)
            .tasks,
        );
        expect(after, `tasks on n${id} after the restart`).toEqual(before);
      }
      const sumsAfter = await cl.checksums();
      for (const [id, s] of sumsAfter) {
        expect(s.checksum, `checksum of n${id} after the restart`).toBe(checksumBefore);
        expect(s.appliedIndex).toBeGreaterThanOrEqual(mark?.raftIndex ?? Infinity);
      }

      // And it keeps working: a write through every node.
      for (const id of cl.ids) {
        const res = await cl
          .client(id)
          .createTask({ title: `after the restart ${how} via n${id}` });
        expect(res.status, `write via n${id}: ${JSON.stringify(res.body)}`).toBe(201);
      }
      const sums = await cl.checksums();
      const values = [...sums.values()];
      for (const [id, s] of sums) expect(s, `checksum of n${id}`).toEqual(values[0]);
    });
  }
});
