/**
 * InstallSnapshot over real TCP, in more than one chunk (Raft §7). A follower is SIGKILLed, the
 * others write enough large tasks that the leader's snapshot is several times the core's 256 KiB
 * chunk and its log is compacted past the follower's; restarted, the follower can only catch up
 * from the snapshot — chunk after chunk through the transport's framing — and must end with the
 * same tasks and the same checksum as the others.
 */
import { describe, expect, it } from 'vitest';
import { createTasks, ok, useCluster } from './harness/index.js';
import { waitFor } from './harness/poll.js';

/** Small, so the log is compacted many times over during the writes. */
const SNAPSHOT_ENTRIES = 20;
const TASKS = 240;
/** ~4 KB per task: 240 of them make a ~1 MB snapshot, four chunks of 256 KiB at least. */
const DESCRIPTION = 'x'.repeat(4_000);

// No entries kept behind the snapshot: the stopped follower must get the snapshot itself.
const c = useCluster('snapxfer', { snapshotEntries: SNAPSHOT_ENTRIES, catchUpEntries: 0 });

describe('snapshot transfer', () => {
  it('a follower far behind a compacted log catches up from a multi-chunk snapshot', async () => {
    const cl = c();
    const leader = await cl.leader();
    const [lagging] = await cl.followers();
    if (lagging === undefined) throw new Error('no follower');
    const laggingStatus = ok(await cl.client(lagging).status(), 'status');
    await cl.kill(lagging, 'SIGKILL');

    const ids = await createTasks(cl, leader, TASKS, (i) => ({
      title: `big ${i}`,
      description: DESCRIPTION,
    }));

    // The leader's log no longer holds what the lagging node is missing: only a snapshot helps.
    const leaderStatus = await waitFor(
      async () => {
        const s = ok(await cl.client(leader).status(), 'leader status');
        return s.snapshotIndex > laggingStatus.lastLogIndex + SNAPSHOT_ENTRIES ? s : undefined;
      },
      20_000,
      'the leader to compact its log past the stopped follower',
    );

    // The premise: the snapshot really spans several chunks of the core's 256 KiB.
    const sizes = [
      ...cl.nodeStderr(leader, 'all').matchAll(/snapshot at \d+\/\d+ \((\d+) bytes\)/g),
    ];
    expect(Number(sizes.at(-1)?.[1] ?? 0)).toBeGreaterThan(3 * 256 * 1024);

    await cl.start(lagging);
    const caughtUp = await waitFor(
      async () => {
        const s = ok(await cl.client(lagging).status(), 'lagging status');
        return s.appliedIndex >= leaderStatus.commitIndex ? s : undefined;
      },
      60_000,
      `node ${lagging} to apply up to ${leaderStatus.commitIndex}`,
    );
    // It got there through a snapshot, not by replaying entries the leader no longer has.
    expect(caughtUp.snapshotIndex).toBeGreaterThan(laggingStatus.lastLogIndex);

    const list = ok(
      await cl.client(lagging).listTasks({ consistency: 'stale', limit: 10_000 }),
      'stale list on the restarted node',
    );
    const mine = list.tasks.filter((t) => t.title.startsWith('big '));
    expect(mine.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(mine.every((t) => t.description === DESCRIPTION)).toBe(true);

    const sums = await cl.checksums();
    expect(new Set([...sums.values()].map((s) => s.checksum)).size).toBe(1);
    expect(sums.size).toBe(3);
  });
});
