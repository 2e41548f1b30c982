/**
 * Leader election scenarios in the style of MIT 6.824's Lab 2A (TestInitialElection,
 * TestReElection, TestManyElections), adapted to a core with PreVote and CheckQuorum.
 */
import { describe, expect, it } from 'vitest';
import {
  electionMs,
  expectNoViolations,
  expectOneLeaderPerTerm,
  lab,
  nth,
  randomLab,
  trackLeaders,
  useLab,
} from './lab-helpers.js';

useLab();

describe('lab: election', () => {
  it('initial election: one leader, and the term stays put while nothing fails', () => {
    const c = lab({ nodes: 3, seed: 101 });
    const leaders = trackLeaders(c);
    const leader = c.checkOneLeader();

    // Everyone agrees on the term and on who leads it.
    const term1 = c.checkTerms();
    expect(term1).toBeGreaterThanOrEqual(1);
    for (const id of c.ids()) expect(c.node(id).leader).toBe(leader);

    // With no failures, heartbeats keep every follower quiet: no new election, same leader.
    c.runFor(10 * electionMs(c));
    expect(c.checkTerms()).toBe(term1);
    expect(c.checkOneLeader()).toBe(leader);
    expect(c.checkTerms()).toBe(term1);
    // Exactly one term ever had a leader.
    expect([...leaders.keys()]).toEqual([term1]);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
  });

  it('re-election after the leader is cut off; the old leader rejoins quietly as a follower', () => {
    const c = lab({ nodes: 3, seed: 102 });
    const leaders = trackLeaders(c);
    const leader1 = c.checkOneLeader();
    const term1 = c.checkTerms();

    // The leader is cut off: the other two elect a new one in a higher term.
    c.disconnect(leader1);
    const leader2 = c.checkOneLeader();
    expect(leader2).not.toBe(leader1);
    const term2 = c.checkTerms();
    expect(term2).toBeGreaterThan(term1);

    // Cut off, the old leader stepped down (CheckQuorum) and, thanks to PreVote, never bumped
    // its term although its election timer fired many times.
    c.runFor(10 * electionMs(c));
    const old = c.node(leader1);
    expect(old.role).not.toBe('leader');
    expect(old.term).toBe(term1);

    // It rejoins: no election, no term bump, the new leader keeps leading, and the old one
    // settles as its follower.
    c.connect(leader1);
    expect(c.checkOneLeader()).toBe(leader2);
    expect(c.checkTerms()).toBe(term2);
    c.runFor(10 * electionMs(c));
    expect(c.checkOneLeader()).toBe(leader2);
    expect(c.checkTerms()).toBe(term2);
    expect(old.role).toBe('follower');
    expect(old.leader).toBe(leader2);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
  });

  it('no leader without a quorum; one is elected once a quorum is back', () => {
    const c = lab({ nodes: 3, seed: 103 });
    const leaders = trackLeaders(c);
    const leader1 = c.checkOneLeader();
    const term1 = c.checkTerms();

    // Cut 2 of 3: the one left cannot win an election (nor stay leader if it was one).
    const a = nth(leader1, 1, 3);
    const b = nth(leader1, 2, 3);
    c.disconnect(leader1);
    c.disconnect(a);
    c.runFor(20 * electionMs(c));
    c.checkNoLeader();
    // PreVote: the lonely node's failed campaigns did not raise its term.
    expect(c.node(b).term).toBe(term1);

    // One comes back: two of three is a quorum.
    c.connect(a);
    const leader2 = c.checkOneLeader();
    expect([a, b]).toContain(leader2);

    // The last one comes back: still exactly one leader.
    c.connect(leader1);
    expect(c.checkOneLeader()).toBe(leader2);
    c.one('after-quorum', 3, true);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
  });

  it('a follower cut off from the leader alone cannot depose it (leader stickiness)', () => {
    const c = lab({ nodes: 3, seed: 105 });
    const leaders = trackLeaders(c);
    const leader = c.checkOneLeader();
    const term = c.checkTerms();
    const [f, g] = c.ids().filter((id) => id !== leader);
    c.one('sticky-1', 3, true);

    // A partial partition: f and the leader cannot talk; both still reach g. f's election timer
    // fires over and over, but g keeps hearing from the leader and ignores f's (pre-)votes.
    c.net.setLink(leader, f, { drop: 1 });
    c.net.setLink(f, leader, { drop: 1 });
    c.runFor(20 * electionMs(c));
    expect(c.checkOneLeader()).toBe(leader);
    expect(c.node(leader).term).toBe(term);
    expect(c.node(g).term).toBe(term);
    expect(c.node(f).role).not.toBe('leader');
    c.one('sticky-2', 2, true);

    // Once the link is back, f rejoins the same leader.
    c.heal();
    c.one('sticky-3', 3, true);
    expect(c.checkOneLeader()).toBe(leader);
    expect(c.checkTerms()).toBe(term);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
  });

  it('many elections: 7 nodes, 3 random ones cut off each round, 100 rounds', () => {
    const servers = 7;
    const { c, leaders, rng } = randomLab({ nodes: servers, seed: 104 }, 'lab many elections');
    c.checkOneLeader();

    let newLeaders = 0;
    let prev = c.leader();
    for (let round = 0; round < 100; round++) {
      // 4 of 7 stay connected: a majority, so there must be a leader among them.
      const cut = rng.shuffle(c.ids()).slice(0, 3);
      for (const id of cut) c.disconnect(id);
      const leader = c.checkOneLeader();
      expect(cut).not.toContain(leader);
      if (leader !== prev) newLeaders++;
      prev = leader;
      for (const id of cut) c.connect(id);
    }
    c.checkOneLeader();

    // The rounds did force elections (the leader is cut off in 3 rounds out of 7).
    expect(newLeaders).toBeGreaterThan(20);
    expect(leaders.size).toBeGreaterThan(20);
    expectOneLeaderPerTerm(leaders);
    c.one('after-many-elections', servers, true);
    expectNoViolations(c);
  });
});
