/**
 * Leadership transfer (Raft thesis §3.10) and linearizable reads with ReadIndex (thesis §6.4),
 * plus the status() picture the control room draws from.
 */
import { describe, expect, it } from 'vitest';
import { NONE, ProposalDropped, type Status } from '../../cluster/raft/index.js';
import { Network, msg } from './harness.js';

const ELECTION = 10;

describe('§3.10 leadership transfer', () => {
  it('a transfer to an up-to-date follower makes it leader in the next term, without waiting for a timeout', () => {
    const net = new Network();
    net.elect(1);
    net.propose(1, 'a');
    const term = net.status(1).term;
    const mark = net.mark();
    net.transferLeadership(1, 2);
    expect(net.leader()).toBe(2);
    expect(net.status(2).term).toBe(term + 1);
    expect(net.status(1)).toMatchObject({ role: 'follower', leader: 2, term: term + 1 });
    expect(net.delivered(msg('timeoutNow', { from: 1, to: 2 }), mark)).toHaveLength(1);
    // The transferee skips PreVote and its votes bypass the others' leader stickiness.
    const votes = net.delivered(msg('vote', { from: 2 }), mark);
    expect(votes.length).toBeGreaterThan(0);
    expect(votes.every((m) => m.transfer === true)).toBe(true);
    expect(net.delivered(msg('preVote'), mark)).toEqual([]);
    const b = net.propose(2, 'b');
    expect(net.status(2).commit).toBe(b.index);
  });

  it('a transfer asked on a follower is forwarded to the leader', () => {
    const net = new Network();
    net.elect(1);
    const mark = net.mark();
    net.transferLeadership(3, 2);
    expect(net.delivered(msg('transferLeader', { from: 2, to: 1 }), mark)).toHaveLength(1);
    expect(net.leader()).toBe(2);
  });

  it('a transfer to a lagging follower first brings it up to date', () => {
    const net = new Network();
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 5; i++) net.propose(1, `w${i}`);
    const last = net.status(1).lastIndex;
    net.recover();
    const mark = net.mark();
    net.transferLeadership(1, 3);
    net.tickUntil(() => net.leader() === 3, ELECTION - 1);
    const trace = net.trace.slice(mark).map((r) => r.m);
    const caughtUp = trace.findIndex(
      (m) => m.type === 'appResp' && m.from === 3 && !m.reject && m.index === last,
    );
    const timeoutNow = trace.findIndex((m) => m.type === 'timeoutNow' && m.to === 3);
    expect(caughtUp).toBeGreaterThanOrEqual(0);
    expect(timeoutNow).toBeGreaterThan(caughtUp);
    expect(net.appliedData(3)).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
  });

  it('proposals are refused while a transfer is in progress', () => {
    const net = new Network();
    net.elect(1);
    net.isolate(3); // the transfer cannot finish
    net.propose(1, 'before');
    net.transferLeadership(1, 3);
    expect(net.status(1).leadTransferee).toBe(3);
    expect(() => net.node(1).propose('during')).toThrow(ProposalDropped);
    expect(() => net.node(1).proposeBatch(['x', 'y'])).toThrow(ProposalDropped);
    expect(net.log(1).map((e) => e.data)).toEqual(['', 'before']);
  });

  it('a transfer that does not finish within an election timeout is abandoned', () => {
    const net = new Network();
    net.elect(1);
    net.isolate(3);
    net.transferLeadership(1, 3);
    net.tick(1, ELECTION - 1);
    expect(net.status(1).leadTransferee).toBe(3);
    net.tick(1);
    expect(net.status(1)).toMatchObject({ leadTransferee: NONE, role: 'leader' });
    const at = net.propose(1, 'after');
    expect(net.status(1).commit).toBe(at.index);
  });

  it('a transfer to itself, to a learner or to a stranger is ignored', () => {
    const net = new Network();
    net.elect(1);
    net.addNode(4, net.status(1).conf);
    net.proposeConfChange(1, { type: 'addLearner', nodeId: 4 });
    for (const to of [1, 4, 9]) {
      net.transferLeadership(1, to);
      expect(net.status(1)).toMatchObject({ role: 'leader', leadTransferee: NONE });
    }
  });
});

describe('§6.4 ReadIndex', () => {
  it('the leader answers only after a quorum acknowledged a heartbeat, at the commit index it had when asked', () => {
    const net = new Network({ size: 5 });
    net.elect(1);
    const a = net.propose(1, 'a');
    net.drop((m) => m.type === 'heartbeatResp' && m.from !== 2); // only 2 answers: 2 of 5
    const mark = net.mark();
    net.readIndex(1, 'r1');
    const beats = net.sent((m) => m.type === 'heartbeat' && m.context === 'r1', mark);
    expect(beats.map((m) => m.to).sort()).toEqual([2, 3, 4, 5]);
    expect(net.peer(1).readStates).toEqual([]);
    // The commit index moves on meanwhile; the read keeps the index of its request time.
    const b = net.propose(1, 'b');
    expect(net.status(1).commit).toBe(b.index);
    net.tick(1, 3);
    expect(net.peer(1).readStates).toEqual([]);
    net.recover();
    net.drop((m) => m.type === 'heartbeatResp' && m.from > 3); // 1, 2, 3: a quorum
    net.tick(1);
    expect(net.peer(1).readStates).toEqual([{ index: a.index, context: 'r1' }]);
  });

  it('a read asked on a follower is forwarded to the leader and answered to the follower', () => {
    const net = new Network();
    net.elect(1);
    const a = net.propose(1, 'a');
    const mark = net.mark();
    net.readIndex(2, 'f1');
    expect(net.delivered(msg('readIndex', { from: 2, to: 1 }), mark)).toHaveLength(1);
    expect(net.delivered(msg('readIndexResp', { from: 1, to: 2 }), mark)).toHaveLength(1);
    expect(net.peer(2).readStates).toEqual([{ index: a.index, context: 'f1' }]);
    expect(net.peer(1).readStates).toEqual([]);
  });

  it('reads are confirmed in order: one quorum round answers every earlier request', () => {
    const net = new Network();
    net.elect(1);
    net.drop('heartbeatResp');
    net.readIndex(1, 'x1');
    net.propose(1, 'a');
    net.readIndex(1, 'x2');
    expect(net.peer(1).readStates).toEqual([]);
    net.recover();
    net.tick(1);
    expect(net.peer(1).readStates.map((r) => r.context)).toEqual(['x1', 'x2']);
    const [x1, x2] = net.peer(1).readStates;
    expect(x2.index).toBeGreaterThan(x1.index);
  });

  it('a new leader holds reads until it has committed its no-op', () => {
    const net = new Network();
    net.elect(1);
    net.propose(1, 'a');
    net.drop((m) => m.type === 'appResp' && m.to === 2); // 2's no-op will not commit yet
    net.transferLeadership(1, 2);
    expect(net.leader()).toBe(2);
    const noop = net.status(2).lastIndex;
    expect(net.log(2).at(-1)).toMatchObject({ term: net.status(2).term, data: '' });
    expect(net.status(2).commit).toBeLessThan(noop);
    const mark = net.mark();
    net.readIndex(2, 'n1');
    net.tick(2, 3);
    expect(net.peer(2).readStates).toEqual([]);
    expect(net.sent((m) => m.context === 'n1', mark)).toEqual([]); // not even asked yet
    net.recover();
    net.tick(2, 2);
    expect(net.status(2).commit).toBeGreaterThanOrEqual(noop);
    expect(net.peer(2).readStates).toHaveLength(1);
    expect(net.peer(2).readStates[0].context).toBe('n1');
    expect(net.peer(2).readStates[0].index).toBeGreaterThanOrEqual(noop);
  });

  it('a deposed leader cut off in a minority never answers a read asked after the cut', () => {
    const net = new Network({ size: 5 });
    net.elect(1);
    net.propose(1, 'a');
    net.partition([1, 2]);
    const asked: string[] = [];
    for (let t = 0; t < 30 * ELECTION; t++) {
      if (t % 5 === 0) {
        for (const id of [1, 2]) {
          const ctx = `stale-${id}-${t}`;
          asked.push(ctx);
          net.readIndex(id, ctx);
        }
      }
      net.tickAll();
    }
    // The majority side went on without them.
    const leader = net.leader();
    expect([3, 4, 5]).toContain(leader);
    const b = net.propose(leader, 'b');
    expect(net.status(leader).commit).toBe(b.index);
    expect(net.status(1).role).not.toBe('leader');
    const served = (ids: number[]) =>
      ids.flatMap((id) => net.peer(id).readStates).filter((r) => asked.includes(r.context));
    expect(served([1, 2])).toEqual([]);

    // After the partition heals, such a read may at most be answered with a current index.
    net.recover();
    net.tickAll(3 * ELECTION);
    for (const r of served([1, 2])) expect(r.index).toBeGreaterThanOrEqual(b.index);
  });

  it('a single-voter cluster answers reads at once', () => {
    const net = new Network({ size: 1 });
    net.elect(1);
    const a = net.propose(1, 'a');
    net.readIndex(1, 'solo');
    expect(net.peer(1).readStates).toEqual([{ index: a.index, context: 'solo' }]);
  });
});

describe('status()', () => {
  it('has what the control room shows, on the leader and on a follower', () => {
    const net = new Network({ config: { snapshotChunkSize: 8 } });
    net.elect(1);
    for (let i = 0; i < 4; i++) net.propose(1, `v${i}`);
    net.compact(1, 3, 'state@3');
    net.tickAll(1);

    const leader: Status = net.status(1);
    expect(leader).toEqual({
      id: 1,
      role: 'leader',
      isLearner: false,
      term: 1,
      vote: 1,
      leader: 1,
      commit: 5,
      applied: 5,
      firstIndex: 4,
      lastIndex: 5,
      snapshotIndex: 3,
      conf: { voters: [1, 2, 3], learners: [] },
      electionElapsed: expect.any(Number),
      electionTimeout: ELECTION,
      leadTransferee: NONE,
      // Both followers hold the whole log and are in the same, steady state.
      progress: [2, 3].map((id) => ({
        id,
        match: 5,
        next: 6,
        state: 'replicate',
        learner: false,
        recentActive: true,
        inflight: 0,
      })),
    });
    expect(leader.electionElapsed).toBeLessThan(ELECTION);

    const follower = net.status(2);
    expect(follower).toMatchObject({
      id: 2,
      role: 'follower',
      term: 1,
      vote: 1,
      leader: 1,
      commit: 5,
      applied: 5,
      firstIndex: 1,
      lastIndex: 5,
      snapshotIndex: 0,
      progress: [],
    });
    expect(follower.electionTimeout).toBeGreaterThanOrEqual(ELECTION);
    expect(follower.electionTimeout).toBeLessThan(2 * ELECTION);
    expect(follower.electionElapsed).toBeLessThan(follower.electionTimeout);
  });

  it('shows a follower in snapshot state and a pending transfer on the leader', () => {
    const net = new Network({ config: { snapshotChunkSize: 8 } });
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 4; i++) net.propose(1, `v${i}`);
    net.compact(1, 4, 'a snapshot longer than one chunk');
    net.recover();
    net.drop((m) => m.type === 'snap' && (m.snapshot?.offset ?? 0) > 0); // stall after chunk 1
    net.tick(1, 1);
    const pr3 = net.status(1).progress.find((p) => p.id === 3)!;
    expect(pr3.state).toBe('snapshot');
    net.transferLeadership(1, 3);
    expect(net.status(1).leadTransferee).toBe(3);
  });
});
