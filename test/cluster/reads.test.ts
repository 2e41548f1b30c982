/**
 * Read consistency during a partition. A follower cut off from the others:
 *  - `consistency=stale` still answers, from its old data: it lacks the write made since, and its
 *    appliedIndex is below the leader's commit index;
 *  - `consistency=linearizable` cannot confirm it is up to date: 503 no_leader with Retry-After.
 * On the majority side a linearizable read (leader or follower) sees the latest write. After
 * healing, the isolated node catches up.
 */
import { describe, expect, it } from 'vitest';
import { ok, useCluster } from './harness/index.js';

// A short request timeout: the isolated node's linearizable read gives up sooner.
const c = useCluster('reads', { requestTimeoutMs: 1_500 });

describe('stale vs linearizable reads during a partition', () => {
  it('an isolated follower serves stale reads only; the majority sees the latest write', async () => {
    const cl = c();
    const leader = await cl.leader();
    const [isolated, other] = await cl.followers();

    const before = ok(await cl.client(leader).createTask({ title: 'before the partition' })).task;
    if (!before) throw new Error('no task in the answer');
    // Every node has applied it before the cut.
    await cl.checksums();

    await cl.partition([[leader, other], [isolated]]);
    try {
      // The majority keeps committing.
      const wres = await cl.client(other).createTask({ title: 'during the partition' });
      expect(wres.status, `write on the majority side: ${JSON.stringify(wres.body)}`).toBe(201);
      const during = ok(wres);
      if (!during.task) throw new Error('no task in the answer');
      const leaderNow = await cl.leader();
      expect([leader, other]).toContain(leaderNow);
      const leaderStatus = ok(await cl.client(leaderNow).status());
      expect(leaderStatus.commitIndex).toBeGreaterThanOrEqual(during.raftIndex);

      // Isolated follower, stale: answers from its old data.
      const stale = await cl.client(isolated).listTasks({ consistency: 'stale' });
      expect(
        stale.status,
        `stale list on isolated n${isolated}: ${JSON.stringify(stale.body)}`,
      ).toBe(200);
      const sb = ok(stale);
      expect(sb.consistency).toBe('stale');
      expect(sb.servedBy).toBe(isolated);
      const staleIds = sb.tasks.map((t) => t.id);
      expect(staleIds).toContain(before.id);
      expect(staleIds).not.toContain(during.task.id);
      expect(sb.appliedIndex).toBeGreaterThanOrEqual(before.raftIndex);
      expect(sb.appliedIndex).toBeLessThan(leaderStatus.commitIndex);
      expect(sb.appliedIndex).toBeLessThan(during.raftIndex);
      const staleOne = await cl.client(isolated).getTask(during.task.id, 'stale');
      expect(staleOne.status).toBe(404);
      const staleOld = ok(await cl.client(isolated).getTask(before.id, 'stale'));
      expect(staleOld.task).toEqual(before);

      // Isolated follower, linearizable: no quorum to confirm with.
      const t0 = Date.now();
      const lin = await cl.client(isolated).listTasks({ consistency: 'linearizable' }, 15_000);
      const took = Date.now() - t0;
      expect(
        lin.status,
        `linearizable list on isolated n${isolated}: ${JSON.stringify(lin.body)}`,
      ).toBe(503);
      expect(lin.body).toMatchObject({ error: 'no_leader' });
      expect(lin.headers.get('retry-after'), 'Retry-After on 503').toMatch(/^\d+$/);
      expect(took, 'answered within about the request timeout').toBeLessThan(10_000);
      const linOne = await cl.client(isolated).getTask(before.id, 'linearizable');
      expect(linOne.status).toBe(503);
      expect(linOne.body).toMatchObject({ error: 'no_leader' });

      // Majority side, linearizable: the latest write is there, on the leader and the follower.
      for (const id of [leaderNow, other === leaderNow ? leader : other]) {
        const res = ok(
          await cl.client(id).listTasks({ consistency: 'linearizable' }),
          `linearizable list on n${id}`,
        );
        expect(
          res.tasks.map((t) => t.id),
          `tasks on n${id}`,
        ).toContain(during.task.id);
        expect(res.appliedIndex).toBeGreaterThanOrEqual(during.raftIndex);
        const one = ok(await cl.client(id).getTask(during.task.id, 'linearizable'));
        expect(one.task).toEqual(during.task);
      }
    } finally {
      await cl.heal();
    }

    // Healed: the isolated node catches up and agrees.
    await cl.waitFor(
      async () => {
        const res = await cl.client(isolated).listTasks({ consistency: 'linearizable' }, 5_000);
        return res.ok && res.body.tasks.some((t) => t.title === 'during the partition');
      },
      20_000,
      `n${isolated} to see the partition-time write after healing`,
    );
    const sums = await cl.checksums();
    const values = [...sums.values()];
    for (const [id, s] of sums) expect(s, `checksum of n${id}`).toEqual(values[0]);
  });

  it('a linearizable read that reached a follower knowing no leader is served once a quorum is back', async () => {
    // 503 no_leader is for "no quorum answers within the request timeout": a read that arrives
    // while the follower knows no leader must still be served if a quorum answers in time.
    const cl = c();
    const leader = await cl.leader();
    const [isolated, other] = await cl.followers();
    await cl.partition([[leader, other], [isolated]]);
    let healed = false;
    try {
      await cl.waitFor(
        async () => (await cl.ipcStatus(isolated)).leaderId === 0,
        10_000,
        `isolated n${isolated} to lose track of the leader`,
      );
      const latest = ok(await cl.client(leader).createTask({ title: 'written before the heal' }));
      const pending = cl.client(isolated).listTasks({ consistency: 'linearizable' }, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await cl.ipcStatus(isolated)).leaderId, 'still no leader when the read arrived').toBe(
        0,
      );
      await cl.heal();
      healed = true;
      const healedAt = Date.now();
      const res = await pending;
      const took = Date.now() - healedAt;
      expect(
        res.status,
        `read on n${isolated} sent 150 ms before the heal, answered ${took} ms after it ` +
          `(request timeout 1500 ms): ${JSON.stringify(res.body)}`,
      ).toBe(200);
      expect(ok(res).tasks.map((t) => t.id)).toContain(latest.task?.id);
    } finally {
      if (!healed) await cl.heal();
    }
  });
});
