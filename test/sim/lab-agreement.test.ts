/**
 * Log replication scenarios in the style of MIT 6.824's Lab 2B (TestBasicAgree, TestFailAgree,
 * TestFailNoAgree, TestConcurrentStarts, TestRejoin, TestBackup, TestCount).
 *
 * One difference from the lab: a new leader appends an empty no-op entry at the start of its
 * term, so the first client command of a fresh cluster lands at index 2, and indexes after a
 * leader change skip one slot.
 */
import { describe, expect, it } from 'vitest';
import {
  appliedAnywhere,
  electionMs,
  expectConverged,
  expectNoViolations,
  expectOneLeaderPerTerm,
  lab,
  leaderAmong,
  nth,
  randomLab,
  trackLeaders,
  useLab,
  waitApplied,
} from './lab-helpers.js';

useLab();

describe('lab: agreement', () => {
  it('basic agreement: each command commits on all nodes at the next index', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 201 });
    const leader = c.checkOneLeader();
    // The first free slot after the leader's no-op.
    let index = c.status(leader)!.lastIndex + 1;
    for (let i = 1; i <= 5; i++) {
      const cmd = `basic-${i}`;
      // Nothing is committed at the index before the command was even started.
      expect(c.nCommitted(index)).toEqual({ count: 0, cmd: undefined });
      const got = c.one(cmd, servers, false);
      expect(got).toBe(index);
      expect(c.nCommitted(index)).toEqual({ count: servers, cmd });
      index++;
    }
    expectNoViolations(c);
  });

  it('agreement with a follower down, and its catch-up when it reconnects', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 202 });
    const leader = c.checkOneLeader();
    const first = c.one('fail-101', servers, false);

    // One follower disconnected: the other two still agree.
    const down = nth(leader, 1, servers);
    c.disconnect(down);
    const missed = [c.one('fail-102', servers - 1, false), c.one('fail-103', servers - 1, false)];
    c.runFor(2 * electionMs(c));
    missed.push(c.one('fail-104', servers - 1, false), c.one('fail-105', servers - 1, false));
    expect(missed).toEqual([first + 1, first + 2, first + 3, first + 4]);
    expect(c.node(down).appliedIndex).toBeLessThan(missed[0]);
    // The majority kept its leader: a cut-off follower cannot disturb it (PreVote).
    expect(c.checkOneLeader()).toBe(leader);

    // It reconnects: it catches up with everything it missed, and agreement goes on with all 3.
    c.connect(down);
    const next = c.one('fail-106', servers, true);
    c.runFor(2 * electionMs(c));
    c.one('fail-107', servers, true);
    for (const [k, idx] of missed.entries()) {
      expect(c.nCommitted(idx)).toEqual({ count: servers, cmd: `fail-${102 + k}` });
    }
    expect(next).toBe(first + 5);
    expectNoViolations(c);
  });

  it('no agreement without a majority; agreement resumes when the majority is back', () => {
    const servers = 5;
    const c = lab({ nodes: servers, seed: 203 });
    const leaders = trackLeaders(c);
    c.one('nomaj-10', servers, false);

    // 3 of 5 followers disconnected: the leader (with one follower) accepts a proposal...
    const leader = c.checkOneLeader();
    const cut = [nth(leader, 1, servers), nth(leader, 2, servers), nth(leader, 3, servers)];
    for (const id of cut) c.disconnect(id);
    const r = c.start(leader, 'nomaj-20');
    expect(r.isLeader).toBe(true);
    // ...but cannot commit it.
    c.runFor(4 * electionMs(c));
    expect(c.nCommitted(r.index)).toEqual({ count: 0, cmd: undefined });
    // CheckQuorum: having lost its quorum, it stepped down; nobody leads.
    c.checkNoLeader();

    // The majority is back: a leader is elected and new commands commit. The uncommitted
    // command either survived (if its holder won) or was replaced by the new leader's no-op.
    for (const id of cut) c.connect(id);
    const leader2 = c.checkOneLeader();
    const r2 = c.start(leader2, 'nomaj-30');
    expect(r2.isLeader).toBe(true);
    expect(r2.index === r.index + 1 || r2.index === r.index + 2).toBe(true);
    c.one('nomaj-1000', servers, true);
    expect(c.nCommitted(r2.index)).toEqual({ count: servers, cmd: 'nomaj-30' });
    const atOld = c.nCommitted(r.index);
    expect(atOld.count).toBe(servers);
    expect(['nomaj-20', '']).toContain(atOld.cmd);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
  });

  it('concurrent proposals: many starts in one go all commit, at distinct indexes', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 204 });
    const leader = c.checkOneLeader();
    const term = c.checkTerms();

    c.resetMessageCount();
    const n = 40;
    const starts = [];
    for (let i = 0; i < n; i++) {
      const r = c.start(leader, `conc-${i}`);
      expect(r.isLeader).toBe(true);
      expect(r.term).toBe(term);
      starts.push({ cmd: `conc-${i}`, index: r.index });
    }
    const indexes = new Set(starts.map((s) => s.index));
    expect(indexes.size).toBe(n);
    const last = Math.max(...indexes);
    expect(waitApplied(c, c.ids(), last, 2000)).toBe(true);
    for (const s of starts) expect(c.nCommitted(s.index)).toEqual({ count: servers, cmd: s.cmd });
    // No election interfered.
    expect(c.checkTerms()).toBe(term);
    // Pipelined, yet every entry travelled to each follower exactly once: the bytes sent are the
    // messages' headers plus each entry once per follower (messageBytes: 48 per message, 24 + data
    // per entry). A leader that resends in-flight entries would exceed this.
    const counts = c.messageCount();
    const payload = starts.reduce((sum, s) => sum + 24 + s.cmd.length, 0);
    expect(counts.bytes).toBe(48 * counts.sent + (servers - 1) * payload);
    expectNoViolations(c);
  });

  it('rejoin of a partitioned leader: its uncommitted entries are discarded, the majority wins', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 205 });
    const leaders = trackLeaders(c);
    c.one('rejoin-101', servers, true);

    // The leader is cut off and keeps accepting proposals it can never commit.
    const leader1 = c.checkOneLeader();
    c.disconnect(leader1);
    const orphans = ['rejoin-102', 'rejoin-103', 'rejoin-104'];
    const orphanIdx = orphans.map((cmd) => {
      const r = c.start(leader1, cmd);
      expect(r.isLeader).toBe(true);
      return r.index;
    });

    // The majority elects a new leader and commits at the same indexes.
    c.one('rejoin-103b', 2, true);
    const leader2 = c.checkOneLeader();
    expect(leader2).not.toBe(leader1);

    // The new leader is cut off; the old one rejoins and must adopt the majority's log.
    c.disconnect(leader2);
    c.connect(leader1);
    c.one('rejoin-104b', 2, true);

    // Everyone back.
    c.connect(leader2);
    const last = c.one('rejoin-105', servers, true);
    expect(waitApplied(c, c.ids(), last, 1000)).toBe(true);
    for (const [k, cmd] of orphans.entries()) {
      expect(appliedAnywhere(c, cmd)).toBe(false);
      const got = c.nCommitted(orphanIdx[k]);
      expect(got.count).toBe(servers);
      expect(got.cmd).not.toBe(cmd);
    }
    // The old leader's log now holds the majority's entries where its orphans were.
    const hist = c.node(leader1).history;
    for (const i of orphanIdx) expect(hist.get(i)?.data).toBe(c.nCommitted(i).cmd);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
  });

  it('backup: 50 conflicting uncommitted entries on each side of a partition, the right ones win', () => {
    const servers = 5;
    const { c, leaders, rng } = randomLab({ nodes: servers, seed: 206 }, 'lab backup');
    const cmd = (tag: string): string => `${tag}-${rng.int(1_000_000)}`;
    c.one(cmd('start'), servers, true);

    // Leader and one follower in a minority; 50 proposals there never commit.
    const leader1 = c.checkOneLeader();
    const [p1, p2, p3, p4] = [1, 2, 3, 4].map((k) => nth(leader1, k, servers));
    c.disconnect(p2);
    c.disconnect(p3);
    c.disconnect(p4);
    const lostA: string[] = [];
    for (let i = 0; i < 50; i++) {
      const x = cmd('lostA');
      lostA.push(x);
      expect(c.start(leader1, x).isLeader).toBe(true);
    }
    c.runFor(electionMs(c) / 2);
    c.disconnect(leader1);
    c.disconnect(p1);

    // The other three elect a leader and commit 50 entries at the same indexes.
    c.connect(p2);
    c.connect(p3);
    c.connect(p4);
    for (let i = 0; i < 50; i++) c.one(cmd('kept1'), 3, true);

    // Now its leader and one follower are cut off from the third; 50 more that never commit.
    const leader2 = c.checkOneLeader();
    const other = [p2, p3, p4].find((id) => id !== leader2)!;
    c.disconnect(other);
    const lostB: string[] = [];
    for (let i = 0; i < 50; i++) {
      const x = cmd('lostB');
      lostB.push(x);
      expect(c.start(leader2, x).isLeader).toBe(true);
    }
    c.runFor(electionMs(c) / 2);

    // Everyone off; the original leader, its follower and `other` come back. `other` holds
    // the committed entries of the later term, so it must win, and its log overrides the two
    // others' 50 stale entries.
    for (const id of c.ids()) c.disconnect(id);
    c.connect(leader1);
    c.connect(p1);
    c.connect(other);
    for (let i = 0; i < 50; i++) c.one(cmd('kept2'), 3, true);
    expect(leaderAmong(c, [leader1, p1, other])).toBe(other);

    // Everyone back: all five converge on one log.
    for (const id of c.ids()) c.connect(id);
    const last = c.one(cmd('end'), servers, true);
    expectConverged(c, last, 2000);
    for (const x of [...lostA, ...lostB]) expect(appliedAnywhere(c, x)).toBe(false);
    for (let i = 1; i <= last; i++) expect(c.nCommitted(i).count).toBe(servers);
    expectOneLeaderPerTerm(leaders);
    expectNoViolations(c);
  });
});

describe('lab: message counts', () => {
  it('an election uses a bounded number of messages', () => {
    const servers = 3;
    const c = lab({ nodes: servers, seed: 211 });
    expect(c.messageCount().sent).toBe(0);
    // Until every node knows the leader. Ideal: preVote + grant to each peer (4), vote + grant
    // (4), the new leader's first append + answer (4): 12. The bound leaves room for one split
    // pre-vote round, as 6.824's TestCount2B does (< 30 RPCs).
    const known = (): boolean => {
      const l = c.leader();
      return l !== undefined && c.ids().every((id) => c.node(id).leader === l);
    };
    expect(c.runUntil(known, 20 * electionMs(c))).toBe(true);
    const n = c.messageCount();
    expect(n.sent).toBeLessThan(30);
    // ...and it is a real election: a pre-vote and a vote round reached both peers.
    expect(n.byType.preVote ?? 0).toBeGreaterThanOrEqual(servers - 1);
    expect(n.byType.vote ?? 0).toBeGreaterThanOrEqual(servers - 1);
    expectNoViolations(c);
  });

  it('10 agreements use a bounded number of messages, each entry sent once per follower', () => {
    const servers = 3;
    const peers = servers - 1;
    const c = lab({ nodes: servers, seed: 212 });
    const leader = c.checkOneLeader();
    const term = c.checkTerms();
    c.one('warm-up', servers, false);

    c.resetMessageCount();
    const t0 = c.now;
    const cmds: string[] = [];
    for (let i = 0; i < 10; i++) {
      cmds.push(`count-${i}`);
      c.one(cmds[i], servers, false);
    }
    const elapsed = c.now - t0;
    const n = c.messageCount();
    expect(c.checkTerms()).toBe(term);
    expect(c.leader()).toBe(leader);

    // Heartbeat rounds in the window: one per heartbeatTick ticks of tickMs (plus the edges).
    const rounds = Math.ceil(elapsed / (c.config.heartbeatTick * c.tickMs)) + 1;
    // Per round: a heartbeat and its answer to each peer, and at most one catch-up append (and
    // its answer) that an answer to a heartbeat can trigger while an entry is in flight.
    const perRound = 4 * peers;
    // Per entry, sent one at a time: append + answer, then the commit-carrying append + answer.
    const perEntry = 4 * peers;
    expect(n.sent).toBeLessThanOrEqual(rounds * perRound + 10 * perEntry);
    expect(n.byType.heartbeat ?? 0).toBeLessThanOrEqual(rounds * peers);
    // Every entry went to every follower at least once...
    expect(n.byType.app ?? 0).toBeGreaterThanOrEqual(10 * peers);
    // ...and exactly once: the bytes of all messages are their headers plus each entry's payload
    // to each follower once (see messageBytes: 48 per message, 24 + data per entry). A core that
    // resends entries (or the whole log) would exceed this.
    const payload = cmds.reduce((s, x) => s + 24 + x.length, 0);
    expect(n.bytes).toBe(48 * n.sent + peers * payload);
    // No election traffic.
    expect((n.byType.preVote ?? 0) + (n.byType.vote ?? 0)).toBe(0);
    expectNoViolations(c);
  });

  it('an idle second costs only heartbeats', () => {
    const servers = 3;
    const peers = servers - 1;
    const c = lab({ nodes: servers, seed: 213 });
    const leader = c.checkOneLeader();
    const term = c.checkTerms();
    c.one('idle-start', servers, false);
    c.runFor(100);

    c.resetMessageCount();
    c.runFor(1000);
    const n = c.messageCount();
    expect(c.checkTerms()).toBe(term);
    expect(c.leader()).toBe(leader);

    // The leader heartbeats every heartbeatTick ticks: 1000 / (heartbeatTick · tickMs) rounds in
    // the second (± one at the edges), each a heartbeat and an answer per peer, nothing else.
    const rounds = 1000 / (c.config.heartbeatTick * c.tickMs);
    const beats = n.byType.heartbeat ?? 0;
    expect(beats).toBeGreaterThanOrEqual((rounds - 1) * peers);
    expect(beats).toBeLessThanOrEqual((rounds + 1) * peers);
    expect(n.sent).toBeLessThanOrEqual(2 * (rounds + 1) * peers);
    expect(n.sent - beats - (n.byType.heartbeatResp ?? 0)).toBe(0);
    expectNoViolations(c);
  });
});
