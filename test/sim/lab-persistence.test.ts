/**
 * Persistence scenarios in the style of MIT 6.824's Lab 2C (TestPersist1/2/3, TestFigure8,
 * TestFigure8Unreliable). A crash loses everything but the node's disk (its MemoryStorage: log,
 * hard state, snapshot); a restart rebuilds the core and the state machine from it.
 */
import { describe, expect, it } from 'vitest';
import type { SimCluster, SimRng } from '../../cluster/sim/index.js';
import {
  electionMs,
  expectConverged,
  expectDurable,
  expectOneLeaderPerTerm,
  lab,
  nth,
  randomLab,
  trackLeaders,
  useLab,
  waitApplied,
} from './lab-helpers.js';

useLab();

/** 6.824's crash1 + start1: the node loses its volatile state and boots again from its disk. */
function crashAndRestart(c: SimCluster, id: number): void {
  c.crash(id);
  c.restart(id);
}

describe('lab: persistence', () => {
  it('persist 1: all nodes crash and restart, then the leader, then a follower', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 301 });
    const leaders = trackLeaders(c);
    const i11 = c.one('p1-11', servers, true);

    // Crash and restart everyone: term, vote, log and commit come back from disk, and the
    // state machines are rebuilt by re-applying the committed log.
    const before = c.ids().map((id) => ({
      id,
      hard: c.node(id).disk.getHardState(),
      last: c.node(id).disk.lastIndex(),
      applied: c.node(id).appliedIndex,
      hash: c.node(id).appliedHash,
    }));
    for (const id of c.ids()) c.crash(id);
    for (const id of c.ids()) c.restart(id);
    for (const b of before) {
      const n = c.node(b.id);
      const st = c.status(b.id)!;
      expect(st.term).toBe(b.hard.term);
      expect(st.vote).toBe(b.hard.vote);
      expect(st.lastIndex).toBe(b.last);
      expect(st.commit).toBe(b.hard.commit);
      // Re-applied right away, up to the persisted commit, along the same history.
      expect(n.appliedIndex).toBe(b.hard.commit);
      expect(n.appliedIndex).toBeGreaterThanOrEqual(i11);
      if (n.appliedIndex === b.applied) expect(n.appliedHash).toBe(b.hash);
    }
    const i12 = c.one('p1-12', servers, true);
    expect(i12).toBeGreaterThan(i11);

    // The leader crashes and restarts.
    const leader1 = c.checkOneLeader();
    crashAndRestart(c, leader1);
    c.one('p1-13', servers, true);

    // The new leader crashes; the two others go on; it restarts and catches up.
    const leader2 = c.checkOneLeader();
    c.crash(leader2);
    const i14 = c.one('p1-14', servers - 1, true);
    c.restart(leader2);
    expect(waitApplied(c, [leader2], i14, 10 * electionMs(c))).toBe(true);

    // A follower crashes, misses one command, restarts.
    const i3 = nth(c.checkOneLeader(), 1, servers);
    c.crash(i3);
    c.one('p1-15', servers - 1, true);
    c.restart(i3);
    const last = c.one('p1-16', servers, true);
    for (let i = i11; i <= last; i++) expect(c.nCommitted(i).count).toBe(servers);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });

  it('persist 2: groups of nodes crash and restart while partitioned, 5 rounds', () => {
    const servers = 5;
    const c = lab({ nodes: servers, seed: 302 });
    const leaders = trackLeaders(c);
    let k = 10;
    for (let iter = 0; iter < 5; iter++) {
      c.one(`p2-${++k}`, servers, true);

      // Two followers miss one command.
      const leader1 = c.checkOneLeader();
      const l = (d: number): number => nth(leader1, d, servers);
      c.disconnect(l(1));
      c.disconnect(l(2));
      const missedIdx = c.one(`p2-${++k}`, servers - 2, true);

      // Everyone off. The two that missed it crash and restart and come back, but they are
      // not a majority: no progress...
      c.disconnect(l(0));
      c.disconnect(l(3));
      c.disconnect(l(4));
      crashAndRestart(c, l(1));
      crashAndRestart(c, l(2));
      c.connect(l(1));
      c.connect(l(2));
      c.runFor(2 * electionMs(c));
      c.checkNoLeader();

      // ...until a node that has it (crashed and restarted too) joins them: it must win, since
      // the other two lack an entry it holds, and it must remember that entry across the crash.
      crashAndRestart(c, l(3));
      c.connect(l(3));
      const i = c.one(`p2-${++k}`, servers - 2, true);
      expect(i).toBeGreaterThan(missedIdx);
      expect(c.nCommitted(missedIdx).cmd).toBe(`p2-${k - 1}`);
      c.connect(l(4));
      c.connect(l(0));
    }
    const last = c.one('p2-1000', servers, true);
    expect(waitApplied(c, c.ids(), last, 2000)).toBe(true);
    for (let i = 1; i <= last; i++) expect(c.nCommitted(i).count).toBe(servers);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });

  it('persist 3: a command committed by two crashed nodes survives them', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 303 });
    c.one('p3-101', servers, true);

    const leader = c.checkOneLeader();
    const l2 = nth(leader, 2, servers);
    c.disconnect(l2);
    const i102 = c.one('p3-102', 2, true);

    // The only two holders of p3-102 crash; the node that missed it comes back. It alone holds
    // a stale log, so it cannot lead: no progress until a holder returns.
    c.crash(leader);
    c.crash(nth(leader, 1, servers));
    c.connect(l2);
    c.runFor(4 * electionMs(c));
    c.checkNoLeader();
    c.restart(leader);
    const i103 = c.one('p3-103', 2, true);
    c.restart(nth(leader, 1, servers));
    const i104 = c.one('p3-104', servers, true);

    expect(i103).toBeGreaterThan(i102);
    expect(i104).toBeGreaterThan(i103);
    expect(c.nCommitted(i102)).toEqual({ count: servers, cmd: 'p3-102' });
    expect(c.nCommitted(i103)).toEqual({ count: servers, cmd: 'p3-103' });
    expectDurable(c);
  });
});

/**
 * One entry per append message. A new leader's first append carries the earlier terms' entries
 * it still has to replicate together with its own no-op, so a follower's acknowledgement would
 * almost always cover an entry of the leader's term too, hiding the Figure 8 bug (committing an
 * earlier term's entry by counting replicas). With one entry per message, an old entry can reach
 * a majority before the no-op does.
 */
const FIGURE8_CONFIG = { maxEntriesPerMsg: 1 };

describe('lab: Figure 8', () => {
  /** 6.824 sleeps up to RaftElectionTimeout / 2 (500 ms, 2-3 of its election timeouts). */
  const longSleep = (c: SimCluster): number => (5 * electionMs(c)) / 2;
  /** A random command, as 6.824 uses rand.Int(). */
  const randCmd = (rng: SimRng, tag: string): string => `${tag}-${rng.int(1_000_000_000)}`;

  it('Figure 8: leaders crash right after proposing, with restarts; one() still works', () => {
    const servers = 5;
    const { c, leaders, rng } = randomLab(
      { nodes: servers, seed: 311, config: FIGURE8_CONFIG },
      'lab figure 8',
    );
    c.one(randCmd(rng, 'f8'), 1, true);

    let nup = servers;
    let crashes = 0;
    for (let iter = 0; iter < 1000; iter++) {
      // Propose on every running node; whoever accepts believes it leads.
      let leader = -1;
      for (const id of c.ids()) {
        if (c.node(id).alive && c.start(id, randCmd(rng, 'f8')).isLeader) leader = id;
      }
      // Mostly a few ms (the entry may or may not reach a follower), sometimes long enough for
      // elections (6.824: up to half its RaftElectionTimeout, a few election timeouts).
      if (rng.int(1000) < 100) c.runFor(rng.int(longSleep(c)));
      else c.runFor(rng.int(13));
      if (leader !== -1) {
        c.crash(leader);
        crashes++;
        nup--;
      }
      if (nup < 3) {
        const s = rng.int(servers) + 1;
        if (!c.node(s).alive) {
          c.restart(s);
          nup++;
        }
      }
    }
    for (const id of c.ids()) c.restart(id);
    const last = c.one(randCmd(rng, 'f8-end'), servers, true);

    // The scenario did what it is about: many leaders, each crashed mid-proposal.
    expect(crashes).toBeGreaterThan(50);
    expect(leaders.size).toBeGreaterThan(50);
    expectConverged(c, last, 2000);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });

  it('Figure 8 unreliable: leaders cut off or crashed mid-proposal on a lossy, reordering network', () => {
    const servers = 5;
    const { c, leaders, rng } = randomLab(
      { nodes: servers, seed: 312, unreliable: true, config: FIGURE8_CONFIG },
      'lab figure 8 unreliable',
    );
    c.one(randCmd(rng, 'f8u'), 1, true);

    const down = new Set<number>();
    let cutoffs = 0;
    for (let iter = 0; iter < 1000; iter++) {
      if (iter === 200) c.setLongReordering(true);
      let leader = -1;
      for (const id of c.ids()) {
        if (!c.node(id).alive) continue;
        if (c.start(id, randCmd(rng, 'f8u')).isLeader && c.net.isConnected(id)) leader = id;
      }
      if (rng.int(1000) < 100) c.runFor(rng.int(longSleep(c)));
      else c.runFor(rng.int(13));
      // Half the time the leader is cut off right after proposing: disconnected as in 6.824,
      // or crashed.
      if (leader !== -1 && rng.int(1000) < 500) {
        if (rng.chance(0.5)) c.disconnect(leader);
        else c.crash(leader);
        down.add(leader);
        cutoffs++;
      }
      if (servers - down.size < 3) {
        const s = rng.int(servers) + 1;
        if (down.delete(s)) {
          c.restart(s);
          c.connect(s);
        }
      }
    }
    // Everyone back, on the same lossy, reordering network.
    for (const id of c.ids()) {
      c.restart(id);
      c.connect(id);
    }
    const last = c.one(randCmd(rng, 'f8u-end'), servers, true);

    // Fewer than on a reliable network: with 3 of 5 up, an election needs every pre-vote, vote
    // and answer among them to arrive within a timeout, on a network that loses or delays
    // (200..2000 ms) about a third of them; candidates do not resend within a term.
    expect(cutoffs).toBeGreaterThan(10);
    expect(leaders.size).toBeGreaterThan(10);
    c.setUnreliable(false);
    c.setLongReordering(false);
    expect(waitApplied(c, c.ids(), last, 5000)).toBe(true);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });
});
