/**
 * Beyond 6.824's Lab 2: single-server membership changes under partitions, leadership
 * transfer, and ReadIndex on a deposed leader.
 */
import { describe, expect, it } from 'vitest';
import { ProposalDropped, type NodeId } from '../../cluster/raft/index.js';
import type { SimCluster } from '../../cluster/sim/index.js';
import {
  appliedAnywhere,
  electionMs,
  expectDurable,
  expectNoViolations,
  expectOneLeaderPerTerm,
  lab,
  leaderAmong,
  trackLeaders,
  useLab,
  waitApplied,
} from './lab-helpers.js';

useLab();

/** The leader's progress says `id` holds everything the leader committed. */
function caughtUp(c: SimCluster, id: NodeId): boolean {
  const l = c.leader();
  if (l === undefined) return false;
  const st = c.status(l)!;
  return st.progress.some((p) => p.id === id && p.match >= st.commit);
}

/**
 * Proposes a membership change until the leader accepts it (it refuses while another change is
 * pending or a learner to promote lags), then waits for the leader to apply it.
 */
function change(c: SimCluster, propose: () => void, applied: () => boolean): void {
  const deadline = c.now + 10 * electionMs(c);
  while (!applied() && c.now < deadline) {
    try {
      propose();
    } catch (e) {
      if (!(e instanceof ProposalDropped)) throw e;
    }
    c.runFor(10);
  }
  expect(applied()).toBe(true);
}

describe('lab: membership', () => {
  it('add learner → promote → remove a voter → remove the leader, under partitions', () => {
    const c = lab({ nodes: 3, seed: 601 });
    const leaders = trackLeaders(c);
    c.one('m-1', 3, true);
    const l0 = c.checkOneLeader();
    const [f1, f2] = c.ids().filter((id) => id !== l0);

    // 1. f1 is partitioned away while a learner joins and is promoted: the leader and f2 are a
    //    quorum of {l0, f1, f2}, and then the leader, f2 and the new node of {l0, f1, f2, n4}.
    const n4 = 4;
    // The new node starts cut off from everyone: it joins as a learner, but cannot be promoted
    // before it holds the log (it would add a voter that cannot vote or ack, making the quorum
    // harder to reach).
    c.partition([[l0, f2], [f1], [n4]]);
    const added = c.addNode();
    expect(added).toBe(n4);
    expect(c.runUntil(() => c.conf().learners.includes(n4), 10 * electionMs(c))).toBe(true);
    c.runFor(2 * electionMs(c));
    expect(() => c.promote(n4)).toThrow(/caught up/);
    c.partition([[l0, f2, n4], [f1]]);
    expect(c.runUntil(() => caughtUp(c, n4), 10 * electionMs(c))).toBe(true);
    // A learner has no vote: promotion is what makes it count.
    expect(c.status(n4)!.isLearner).toBe(true);
    change(
      c,
      () => c.promote(n4),
      () => c.conf().voters.includes(n4),
    );
    expect([...c.conf().voters].sort()).toEqual([1, 2, 3, 4]);
    const i2 = c.one('m-2', 3, true);
    expect(c.node(f1).appliedIndex).toBeLessThan(i2);

    // Heal: f1 catches up, all four agree.
    c.heal();
    c.one('m-3', 4, true);

    // 2. A removal proposed by a leader that is partitioned away right after: the entry never
    //    leaves it, the three others (a quorum of four) elect a leader and keep committing, and
    //    the uncommitted removal is discarded when the old leader rejoins.
    const l1 = c.leader()!;
    const target = [f1, f2, n4].find((id) => id !== l1)!;
    const removal = c.removeNode(target);
    const rest = c.ids().filter((id) => id !== l1);
    c.partition([[l1], rest]);
    expect(c.runUntil(() => leaderAmong(c, rest) !== undefined, 20 * electionMs(c))).toBe(true);
    // The cut-off leader stepped down (CheckQuorum) once it lost its quorum.
    c.runFor(2 * electionMs(c));
    expect(c.node(l1).role).not.toBe('leader');
    const l2 = leaderAmong(c, rest)!;
    const i4 = c.one('m-4', 3, true);
    expect(c.status(l2)!.conf.voters).toContain(target);
    c.heal();
    c.one('m-5', 4, true);
    expect(waitApplied(c, [l1], i4, 10 * electionMs(c))).toBe(true);
    // The old leader's conf entry was overwritten by the new leader's log everywhere.
    const atRemoval = c.nCommitted(removal.index);
    expect(atRemoval.count).toBeGreaterThan(0);
    expect(atRemoval.cmd).not.toContain('"remove"');
    expect(c.status(l1)!.conf.voters).toContain(target);

    // 3. Remove a follower for real.
    const l3 = c.leader()!;
    const gone = [1, 2, 3, 4].find((id) => id !== l3)!;
    const t3 = c.node(l3).term;
    change(
      c,
      () => c.removeNode(gone),
      () => !c.conf().voters.includes(gone),
    );
    expect(c.conf().voters).toHaveLength(3);
    c.one('m-6', 3, true);

    // 4. Remove the leader: it hands over to an up-to-date voter (TimeoutNow) as soon as the
    //    removal commits, instead of leaving the cluster leaderless for an election timeout.
    const t0 = c.now;
    change(
      c,
      () => c.removeNode(l3),
      () => c.leader() !== undefined && c.leader() !== l3 && !c.conf().voters.includes(l3),
    );
    expect(c.now - t0).toBeLessThan(electionMs(c));
    const l4 = c.leader()!;
    expect(c.node(l4).term).toBeGreaterThan(t3);
    expect([...c.conf().voters].sort()).toEqual(
      [1, 2, 3, 4].filter((id) => id !== gone && id !== l3),
    );

    // The two removed nodes still run and are connected; they must not disturb the two voters
    // left (quorum: both), which keep committing.
    const term = c.node(l4).term;
    c.runFor(20 * electionMs(c));
    expect(c.leader()).toBe(l4);
    expect(c.node(l4).term).toBe(term);
    const last = c.one('m-7', 2, true);
    for (const id of c.conf().voters) expect(c.node(id).appliedIndex).toBeGreaterThanOrEqual(last);
    expect(appliedAnywhere(c, 'm-7')).toBe(true);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });
});

describe('lab: leadership transfer', () => {
  it('to a caught-up follower: it leads in a higher term at once, proposals continue', () => {
    const c = lab({ nodes: 3, seed: 611 });
    const leaders = trackLeaders(c);
    c.one('t-1', 3, true);
    const l1 = c.checkOneLeader();
    const term1 = c.node(l1).term;
    const to = c.ids().find((id) => id !== l1)!;
    expect(caughtUp(c, to)).toBe(true);

    const t0 = c.now;
    c.transferLeadership(to);
    // While the transfer is in flight, the old leader refuses proposals.
    expect(c.start(l1, 't-refused').isLeader).toBe(false);
    expect(c.runUntil(() => c.leader() === to, electionMs(c))).toBe(true);
    // Far sooner than any election timeout could fire: TimeoutNow, then one vote round.
    expect(c.now - t0).toBeLessThan(electionMs(c) / 2);
    expect(c.node(to).term).toBe(term1 + 1);
    c.runFor(2 * electionMs(c));
    expect(c.checkOneLeader()).toBe(to);
    expect(c.node(l1).role).toBe('follower');
    expect(c.node(l1).leader).toBe(to);

    const i2 = c.one('t-2', 3, true);
    const r = c.start(to, 't-3');
    expect(r.isLeader).toBe(true);
    expect(r.term).toBe(term1 + 1);
    expect(waitApplied(c, c.ids(), r.index, 1000)).toBe(true);
    expect(r.index).toBeGreaterThan(i2);
    expect(appliedAnywhere(c, 't-refused')).toBe(false);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });

  it('to a lagging follower: the leader catches it up first, then hands over', () => {
    const c = lab({ nodes: 3, seed: 612 });
    const leaders = trackLeaders(c);
    const l1 = c.checkOneLeader();
    const term1 = c.node(l1).term;
    const to = c.ids().find((id) => id !== l1)!;
    c.disconnect(to);
    let last = 0;
    for (let i = 0; i < 20; i++) last = c.one(`lag-${i}`, 2, true);
    c.connect(to);
    c.transferLeadership(to);
    expect(c.runUntil(() => c.leader() === to, electionMs(c))).toBe(true);
    expect(c.node(to).term).toBe(term1 + 1);
    // It could only win holding every committed entry (the election restriction, also checked by
    // the simulator's Leader Completeness invariant).
    expect(c.status(to)!.lastIndex).toBeGreaterThanOrEqual(last);
    c.one('lag-after', 3, true);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });

  it('a transfer whose campaign is lost: the target, now in a higher term, still rejoins', () => {
    const c = lab({ nodes: 3, seed: 613 });
    const leaders = trackLeaders(c);
    c.one('tl-1', 3, true);
    const l1 = c.checkOneLeader();
    const term1 = c.node(l1).term;
    const [to, other] = c.ids().filter((id) => id !== l1);

    // The target hears TimeoutNow and campaigns in term1 + 1, but nothing it sends arrives.
    c.net.setLink(to, l1, { drop: 1 });
    c.net.setLink(to, other, { drop: 1 });
    c.transferLeadership(to);
    expect(c.runUntil(() => c.node(to).term === term1 + 1, electionMs(c))).toBe(true);
    // The leader gives up on the transfer after an election timeout and carries on.
    c.runFor(3 * electionMs(c));
    expect(c.node(l1).role).toBe('leader');
    expect(c.node(l1).term).toBe(term1);
    const i2 = c.one('tl-2', 2, true);

    // The links come back. The target ignores heartbeats of the lower term, and the others,
    // hearing from their leader, ignore its pre-votes: only the stale leader learning the higher
    // term from the target's answer (and stepping down) lets the target rejoin.
    c.heal();
    const i3 = c.one('tl-3', 3, true);
    expect(i3).toBeGreaterThan(i2);
    expect(c.node(to).appliedIndex).toBeGreaterThanOrEqual(i3);
    expect(c.checkTerms()).toBeGreaterThan(term1);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });
});

describe('lab: ReadIndex', () => {
  it('is refused by a deposed leader, while the new leader serves the new writes', () => {
    const c = lab({ nodes: 3, seed: 621 });
    const leaders = trackLeaders(c);
    c.one('r-1', 3, true);
    const old = c.checkOneLeader();
    // A read on the leader with its quorum works.
    const h0 = c.read(old);
    expect(c.runUntil(() => h0.done, electionMs(c))).toBe(true);
    expect(h0.value).toBe(1);

    // The leader is partitioned into the minority. A read started on it after the cut cannot
    // be confirmed by a quorum, so it must never be answered...
    const majority = c.ids().filter((id) => id !== old);
    c.partition([[old], majority]);
    const stale = c.read(old);
    expect(stale.failed).toBeUndefined();

    // ...while the majority elects a new leader and commits new writes.
    expect(c.runUntil(() => leaderAmong(c, majority) !== undefined, 20 * electionMs(c))).toBe(true);
    const l2 = leaderAmong(c, majority)!;
    const writes: number[] = [];
    for (const cmd of ['r-2', 'r-3']) {
      const r = c.start(l2, cmd);
      expect(r.isLeader).toBe(true);
      expect(waitApplied(c, majority, r.index, 10 * electionMs(c))).toBe(true);
      c.ack(cmd, r.index);
      writes.push(r.index);
    }
    // A read started on the old leader after those writes were acknowledged must not complete
    // either (it would miss them).
    const stale2 = c.read(old);
    c.runFor(20 * electionMs(c));
    expect(stale.done).toBe(false);
    expect(stale2.done).toBe(false);
    expect(c.node(old).appliedIndex).toBeLessThan(writes[0]);

    // Reads on the new leader, and through its follower, see the new writes.
    for (const id of majority) {
      const h = c.read(id);
      expect(c.runUntil(() => h.done, 10 * electionMs(c))).toBe(true);
      expect(h.index).toBeGreaterThanOrEqual(writes[1]);
      expect(h.value).toBe(3);
    }

    // After healing, the forgotten reads were never served from the stale state.
    c.heal();
    c.one('r-4', 3, true);
    c.runFor(10 * electionMs(c));
    for (const h of [stale, stale2]) {
      if (h.done) expect(h.index).toBeGreaterThanOrEqual(writes[1]);
    }
    const fresh = c.read(old);
    expect(c.runUntil(() => fresh.done, 10 * electionMs(c))).toBe(true);
    expect(fresh.value).toBe(4);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
    expectDurable(c);
  });
});
