/**
 * Membership changes: Raft paper §6 as refined by the thesis §4.1 (single-server changes, one
 * at a time) and §4.2.1 (new servers join as non-voting learners until caught up), and §4.2.2
 * (removing the current leader).
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_CONF, NONE, ProposalDropped, type Message } from '../../cluster/raft/index.js';
import { Network } from './harness.js';

const ELECTION = 10;
const isVoteTraffic = (m: Message) =>
  m.type === 'vote' || m.type === 'preVote' || m.type === 'voteResp' || m.type === 'preVoteResp';

/** Three voters led by 1, and node 4 started with the cluster's configuration, added as learner. */
function withLearner(opts: { cutOff?: boolean } = {}): Network {
  const net = new Network();
  net.elect(1);
  net.propose(1, 'a');
  net.addNode(4, net.status(1).conf);
  if (opts.cutOff) net.isolate(4);
  net.proposeConfChange(1, { type: 'addLearner', nodeId: 4, context: 'node4:7004' });
  return net;
}

describe('learners (thesis §4.2.1)', () => {
  it('a learner receives and applies the log', () => {
    const net = withLearner();
    const conf = { voters: [1, 2, 3], learners: [4] };
    for (const id of [1, 2, 3, 4]) expect(net.status(id).conf, `node ${id}`).toEqual(conf);
    expect(net.status(4).isLearner).toBe(true);
    expect(net.appliedData(4)).toEqual(['a']);
    net.propose(1, 'b');
    net.tickAll(1);
    expect(net.appliedData(4)).toEqual(['a', 'b']);
    expect(net.log(4)).toEqual(net.log(1));
    expect(net.status(1).progress.find((p) => p.id === 4)).toMatchObject({
      learner: true,
      match: net.status(1).lastIndex,
    });
  });

  it('a learner is not counted for commitment', () => {
    const net = withLearner();
    net.isolate(2);
    net.isolate(3);
    const b = net.propose(1, 'b');
    expect(net.log(4).at(-1)).toMatchObject({ index: b.index, data: 'b' }); // it has the entry...
    expect(net.status(1).commit).toBeLessThan(b.index); // ...but leader + learner is no majority
    net.recover();
    net.isolate(3);
    net.tickAll(1);
    expect(net.status(1).commit).toBe(b.index); // leader + 2 is
  });

  it('a learner never campaigns and is never asked to vote', () => {
    const net = withLearner();
    const mark = net.mark();
    net.isolate(4);
    net.tick(4, 20 * ELECTION);
    net.campaign(4);
    expect(net.status(4)).toMatchObject({ role: 'follower', term: net.status(1).term });
    net.recover();
    net.isolate(1); // the voters hold a new election among themselves
    net.tickUntil(() => net.leader() === 2 || net.leader() === 3, 20 * ELECTION);
    expect(net.sent((m) => isVoteTraffic(m) && (m.from === 4 || m.to === 4), mark)).toEqual([]);
    net.tickAll(2);
    expect(net.status(4).leader).toBe(net.leader());
  });

  it('promoting a learner that has not caught up is refused; once caught up it becomes a voter', () => {
    const net = withLearner({ cutOff: true });
    expect(net.status(1).conf.learners).toEqual([4]);
    expect(net.status(4).lastIndex).toBe(0);
    expect(() => net.node(1).proposeConfChange({ type: 'promote', nodeId: 4 })).toThrow(
      ProposalDropped,
    );

    net.recover();
    net.tickAll(2);
    expect(net.status(1).progress.find((p) => p.id === 4)!.match).toBe(net.status(1).lastIndex);
    net.proposeConfChange(1, { type: 'promote', nodeId: 4 });
    net.tickAll(1);
    for (const id of [1, 2, 3, 4]) {
      expect(net.status(id).conf, `node ${id}`).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    }
    expect(net.status(4).isLearner).toBe(false);
    // Four voters: a quorum is three, and node 4 now counts towards it.
    net.isolate(2);
    net.isolate(3);
    const x = net.propose(1, 'x');
    expect(net.status(1).commit).toBeLessThan(x.index);
    net.recover();
    net.isolate(3);
    net.tickAll(1);
    expect(net.status(1).commit).toBe(x.index);
  });

  it('a node cannot start with an empty log and no configuration', () => {
    // The bootstrap membership lives in the snapshot metadata at index 0, not in the log, so
    // such a node could never learn the voters: the core refuses it with a clear message.
    const net = new Network();
    expect(() => net.addNode(4, EMPTY_CONF)).toThrow(/empty log and no configuration/);
  });

  it('a node joining with the bootstrap configuration ends with the leader configuration', () => {
    const net = new Network();
    net.elect(1);
    net.propose(1, 'a');
    net.addNode(4, { voters: [1, 2, 3], learners: [] });
    net.proposeConfChange(1, { type: 'addLearner', nodeId: 4 });
    net.tickAll(2);
    expect(net.appliedData(4)).toEqual(['a']);
    expect(net.status(4).conf).toEqual({ voters: [1, 2, 3], learners: [4] });
  });

  it('a promoted joiner is one vote of four and cannot win an election on its own', () => {
    const net = new Network();
    net.elect(1);
    net.addNode(4, net.status(1).conf);
    net.proposeConfChange(1, { type: 'addLearner', nodeId: 4 });
    net.tickAll(2);
    net.proposeConfChange(1, { type: 'promote', nodeId: 4 });
    net.tickAll(2);
    expect(net.status(1).conf.voters).toEqual([1, 2, 3, 4]);
    expect(net.status(4).conf.voters).toEqual([1, 2, 3, 4]);
    // Cut off from the three others, node 4 is one vote of four: it must never lead.
    net.isolate(4);
    net.tick(4, 4 * ELECTION);
    expect(net.status(4).role).not.toBe('leader');
  });
});

describe('single-server changes (thesis §4.1)', () => {
  it('only one change may be pending at a time', () => {
    const net = new Network();
    net.elect(1);
    net.isolate(2);
    net.isolate(3); // nothing can commit
    net.addNode(4, net.status(1).conf);
    net.addNode(5, net.status(1).conf);
    net.proposeConfChange(1, { type: 'addLearner', nodeId: 4 });
    expect(() => net.node(1).proposeConfChange({ type: 'addLearner', nodeId: 5 })).toThrow(
      ProposalDropped,
    );
    expect(() => net.node(1).proposeConfChange({ type: 'remove', nodeId: 3 })).toThrow(
      ProposalDropped,
    );
    net.propose(1, 'ordinary entries are still fine');

    net.recover();
    net.tickAll(2);
    expect(net.status(1).conf.learners).toEqual([4]);
    net.proposeConfChange(1, { type: 'addLearner', nodeId: 5 });
    net.tickAll(1);
    expect(net.status(1).conf.learners).toEqual([4, 5]);
  });

  it('a newly elected leader accepts no change until it applied the ones already in its log', () => {
    const net = new Network();
    net.elect(1);
    net.addNode(4, net.status(1).conf);
    net.addNode(5, net.status(1).conf);
    net.isolate(3);
    net.drop((m) => m.type === 'appResp' && m.from === 2); // 2 stores the change, 1 never learns it
    net.proposeConfChange(1, { type: 'addLearner', nodeId: 4 });
    expect(net.status(2)).toMatchObject({ lastIndex: 2, commit: 1 });
    expect(net.status(1).commit).toBe(1);

    net.recover();
    net.isolate(1);
    net.drop((m) => m.type === 'appResp' && m.to === 2); // 2's no-op does not commit yet
    net.tickUntil(() => net.leader() === 2, 20 * ELECTION);
    expect(net.status(2).conf.learners).toEqual([]);
    expect(() => net.node(2).proposeConfChange({ type: 'addLearner', nodeId: 5 })).toThrow(
      ProposalDropped,
    );

    net.recover();
    net.isolate(1);
    net.tickAll(2);
    expect(net.status(2).conf.learners).toEqual([4]); // the change of term 1, committed by term 2's no-op
    net.proposeConfChange(2, { type: 'addLearner', nodeId: 5 });
    net.tickAll(1);
    expect(net.status(2).conf.learners).toEqual([4, 5]);
  });

  it('refuses changes that make no sense for the current members', () => {
    const net = new Network();
    net.elect(1);
    const n1 = net.node(1);
    expect(() => n1.proposeConfChange({ type: 'addLearner', nodeId: 2 })).toThrow(ProposalDropped);
    expect(() => n1.proposeConfChange({ type: 'promote', nodeId: 3 })).toThrow(ProposalDropped);
    expect(() => n1.proposeConfChange({ type: 'remove', nodeId: 9 })).toThrow(ProposalDropped);
    expect(() => net.node(2).proposeConfChange({ type: 'remove', nodeId: 3 })).toThrow(
      ProposalDropped,
    );
    const single = new Network({ size: 1 });
    single.elect(1);
    expect(() => single.node(1).proposeConfChange({ type: 'remove', nodeId: 1 })).toThrow(
      ProposalDropped,
    );
    expect(net.status(1).lastIndex).toBe(1); // none reached the log
  });

  it('removing a voter shrinks the quorum, and the removed node stops campaigning', () => {
    const net = new Network();
    net.elect(1);
    net.proposeConfChange(1, { type: 'remove', nodeId: 3 });
    net.tickAll(1);
    for (const id of [1, 2, 3])
      expect(net.status(id).conf, `node ${id}`).toEqual({ voters: [1, 2], learners: [] });
    expect(net.status(1).progress.map((p) => p.id)).toEqual([2]);
    const mark = net.mark();
    net.isolate(3);
    const at = net.propose(1, 'two voters');
    expect(net.status(1).commit).toBe(at.index); // 2 of 2
    net.tick(3, 20 * ELECTION);
    expect(net.sent((m) => m.from === 3 && isVoteTraffic(m), mark)).toEqual([]);
  });

  it('removing the leader: it steps down and hands over at once with TimeoutNow', () => {
    const net = new Network();
    net.elect(1);
    net.propose(1, 'a');
    const term = net.status(1).term;
    const mark = net.mark();
    net.proposeConfChange(1, { type: 'remove', nodeId: 1 });
    // No tick needed: the new leader is there when the network goes quiet.
    const leader = net.leader();
    expect([2, 3]).toContain(leader);
    expect(net.status(leader).term).toBe(term + 1);
    expect(net.delivered((m) => m.type === 'timeoutNow' && m.from === 1, mark)).toHaveLength(1);
    expect(net.status(1)).toMatchObject({ role: 'follower' });
    expect(net.status(1).conf.voters).toEqual([2, 3]);
    for (const id of [2, 3]) expect(net.status(id).conf.voters).toEqual([2, 3]);
    const at = net.propose(leader, 'b');
    expect(net.status(leader).commit).toBe(at.index);
    // The removed node never disturbs the cluster again.
    net.tickAll(20 * ELECTION);
    expect(net.leader()).toBe(leader);
    expect(net.status(leader).term).toBe(term + 1);
    expect(net.status(1).role).toBe('follower');
    expect(net.status(1).leader === NONE || net.status(1).leader === leader).toBe(true);
  });
});
