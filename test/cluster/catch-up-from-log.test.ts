/**
 * A follower that was away for fewer entries than the leader keeps behind its snapshot
 * (`catchUpEntries`) catches up from the log, entry by entry, and never needs the whole-database
 * snapshot — the path that makes a short outage cheap (etcd keeps such a tail for the same reason).
 * The leader has compacted past the follower's log many times over meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { createTasks, ok, useCluster } from './harness/index.js';
import { waitFor } from './harness/poll.js';

const SNAPSHOT_ENTRIES = 20;
const CATCH_UP_ENTRIES = 1_000;
const TASKS = 160;

const c = useCluster('catchup', {
  snapshotEntries: SNAPSHOT_ENTRIES,
  catchUpEntries: CATCH_UP_ENTRIES,
});

describe('catch-up from the retained log', () => {
  it('a follower behind several snapshots catches up without installing one', async () => {
    const cl = c();
    const leader = await cl.leader();
    const [lagging] = await cl.followers();
    if (lagging === undefined) throw new Error('no follower');
    const before = ok(await cl.client(lagging).status(), 'status');
    await cl.kill(lagging, 'SIGKILL');

    const ids = await createTasks(cl, leader, TASKS, (i) => ({ title: `away ${i}` }));
    // The premise: the leader's snapshot is past everything the stopped follower has.
    const leaderStatus = await waitFor(
      async () => {
        const s = ok(await cl.client(leader).status(), 'leader status');
        return s.snapshotIndex > before.lastLogIndex + SNAPSHOT_ENTRIES ? s : undefined;
      },
      20_000,
      'the leader to snapshot past the stopped follower',
    );

    await cl.start(lagging);
    await waitFor(
      async () => {
        const s = ok(await cl.client(lagging).status(), 'lagging status');
        return s.appliedIndex >= leaderStatus.commitIndex ? s : undefined;
      },
      60_000,
      `node ${lagging} to apply up to ${leaderStatus.commitIndex}`,
    );
    // From the log: the restarted follower never installed a snapshot from the leader.
    expect(cl.nodeStderr(lagging, 'last')).not.toMatch(/installed snapshot at/);

    const list = ok(
      await cl.client(lagging).listTasks({ consistency: 'stale', limit: 10_000 }),
      'stale list on the restarted node',
    );
    expect(
      list.tasks
        .filter((t) => t.title.startsWith('away '))
        .map((t) => t.id)
        .sort(),
    ).toEqual([...ids].sort());
    const sums = await cl.checksums();
    expect(sums.size).toBe(3);
    expect(new Set([...sums.values()].map((s) => s.checksum)).size).toBe(1);
  });
});
