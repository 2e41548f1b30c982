/**
 * Log compaction scenarios in the style of MIT 6.824's Lab 2D (TestSnapshotInstall,
 * TestSnapshotInstallUnreliable, TestSnapshotInstallCrash, TestSnapshotInstallUnCrash,
 * TestSnapshotAllCrash). Each simulated node snapshots its state machine every SNAP_EVERY
 * applied entries and compacts its log, keeping SNAP_TAIL entries behind the snapshot.
 */
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../cluster/raft/index.js';
import type { SimCluster } from '../../cluster/sim/index.js';
import {
  expectConverged,
  expectDurable,
  expectNoViolations,
  expectOneLeaderPerTerm,
  lab,
  nth,
  randomLab,
  useLab,
} from './lab-helpers.js';

useLab();

const SNAP_EVERY = 10;
const SNAP_TAIL = 2;

/** Entries a node keeps on disk: the tail behind its snapshot plus what it applied since. */
function logLength(c: SimCluster, id: NodeId): number {
  const d = c.node(id).disk;
  return d.lastIndex() - d.firstIndex() + 1;
}

interface SnapMode {
  readonly disconnect: boolean;
  readonly crash: boolean;
  readonly reliable: boolean;
}

/**
 * 6.824's snapcommon: each round a victim (a follower, or every third round the leader) is
 * disconnected or crashed, the others commit well past the point where the leader compacted
 * away everything the victim lacks, and the victim comes back: it can only catch up through
 * InstallSnapshot.
 */
function snapCommon(seed: number, mode: SnapMode, iters: number): void {
  const servers = 3;
  const { c, leaders, rng } = randomLab(
    {
      nodes: servers,
      seed,
      unreliable: !mode.reliable,
      snapshotEvery: SNAP_EVERY,
      snapshotTail: SNAP_TAIL,
      // Small chunks: the snapshot (a few hundred characters) travels in several of them.
      config: { snapshotChunkSize: 64 },
    },
    'lab snapshot',
  );
  let k = 0;
  const cmd = (): string => `s${seed}-${++k}`;
  c.one(cmd(), servers, true);
  let leader1 = c.checkOneLeader();

  for (let i = 0; i < iters; i++) {
    const victim = i % 3 === 1 ? leader1 : nth(leader1, 1, servers);
    if (mode.disconnect) c.disconnect(victim);
    if (mode.crash) c.crash(victim);
    c.one(cmd(), servers - 1, true);

    // Enough entries that the leader snapshots and compacts past the victim's log: the last
    // snapshot is within SNAP_EVERY of the applied index, and SNAP_TAIL entries stay behind it.
    const sender = c.leader()!;
    const nn = SNAP_EVERY + SNAP_TAIL + rng.int(SNAP_EVERY);
    for (let j = 0; j < nn; j++) c.start(sender, cmd());
    c.one(cmd(), servers - 1, true);

    // 6.824's "log size too large": compaction keeps every live log short.
    for (const id of c.ids()) {
      if (id !== victim) expect(logLength(c, id)).toBeLessThanOrEqual(SNAP_EVERY + SNAP_TAIL + 2);
    }

    // The precondition of this round: the leader no longer holds the entry after the victim's
    // last one, so appends cannot catch it up.
    const leader = c.leader()!;
    const leaderFirst = c.node(leader).disk.firstIndex();
    expect(c.node(victim).disk.lastIndex() + 1).toBeLessThan(leaderFirst);

    c.resetMessageCount();
    if (mode.crash) c.restart(victim);
    c.connect(victim);
    const index = c.one(cmd(), servers, true);
    // It caught up through InstallSnapshot.
    expect(c.messageCount().byType.snap ?? 0).toBeGreaterThan(0);
    expect(c.node(victim).disk.snapshot().metadata.index).toBeGreaterThanOrEqual(leaderFirst - 1);
    expect(c.node(victim).appliedIndex).toBeGreaterThanOrEqual(index);
    leader1 = c.checkOneLeader();
  }

  c.setUnreliable(false);
  const last = c.one(cmd(), servers, true);
  expectConverged(c, last, 5000);
  expectOneLeaderPerTerm(leaders);
  expectDurable(c);
}

describe('lab: snapshots', () => {
  it('snapshot install: a disconnected follower catches up through InstallSnapshot', () => {
    snapCommon(501, { disconnect: true, crash: false, reliable: true }, 12);
  });

  it('snapshot install, unreliable network', () => {
    snapCommon(502, { disconnect: true, crash: false, reliable: false }, 9);
  });

  it('snapshot install with crashes: a crashed node restarts far behind the compacted log', () => {
    snapCommon(503, { disconnect: false, crash: true, reliable: true }, 12);
  });

  it('snapshot install with crashes, unreliable network', () => {
    snapCommon(504, { disconnect: false, crash: true, reliable: false }, 9);
  });

  it('restart from snapshot + tail: all nodes crash after compaction and restore their state', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 505, snapshotEvery: SNAP_EVERY, snapshotTail: 3 });
    for (let i = 0; i < 3 * SNAP_EVERY; i++) c.one(`ra-${i}`, servers, true);
    // A few more, so that every node has committed entries past its last snapshot (the tail to
    // replay at restart).
    const tailToReplay = (): boolean =>
      c.ids().every((id) => {
        const d = c.node(id).disk;
        return d.getHardState().commit > d.snapshot().metadata.index;
      });
    let extra = 0;
    while (!tailToReplay()) c.one(`rb-${extra++}`, servers, true);
    expect(extra).toBeLessThanOrEqual(SNAP_EVERY);

    const before = new Map(
      c.ids().map((id) => {
        const n = c.node(id);
        return [
          id,
          {
            snap: n.disk.snapshot().metadata.index,
            commit: n.disk.getHardState().commit,
            applied: n.appliedIndex,
            hash: n.appliedHash,
            value: n.value,
          },
        ];
      }),
    );
    for (const b of before.values()) expect(b.snap).toBeGreaterThan(0);

    const replayed = new Map<NodeId, number[]>();
    c.onApply((node, e) => replayed.set(node.id, [...(replayed.get(node.id) ?? []), e.index]));
    for (const id of c.ids()) c.crash(id);
    for (const id of c.ids()) c.restart(id);

    for (const [id, b] of before) {
      const n = c.node(id);
      const st = c.status(id)!;
      // The state machine came back from the snapshot, then exactly the committed tail was
      // replayed on top of it, in order.
      expect(st.snapshotIndex).toBe(b.snap);
      const tail = [];
      for (let i = b.snap + 1; i <= b.commit; i++) tail.push(i);
      expect(replayed.get(id)).toEqual(tail);
      expect(n.appliedIndex).toBe(b.commit);
      expect(n.appliedHash).toBe(c.checker.committedAt(b.commit)!.hash);
      if (b.applied === b.commit) {
        expect(n.appliedHash).toBe(b.hash);
        expect(n.value).toBe(b.value);
      }
    }

    // Agreement continues after the full restart.
    const last = Math.max(...[...before.values()].map((b) => b.commit));
    const next = c.one('ra-after', servers, true);
    expect(next).toBeGreaterThan(last);
    c.one('ra-after-2', servers, true);
    expectNoViolations(c);
    expectDurable(c);
  });
});
