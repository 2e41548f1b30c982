/**
 * Leader election: Raft paper §5.2 (and the election restriction of §5.4.1), PreVote (thesis
 * §9.6), CheckQuorum and leader stickiness (thesis §4.2.3, §6.2), and the Ready contract that
 * makes a vote durable before it is announced.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  MemoryStorage,
  NONE,
  RawNode,
  type Message,
  type Ready,
} from '../../cluster/raft/index.js';
import { Network, ents, msg, mulberry32 } from './harness.js';

const ELECTION = DEFAULT_CONFIG.electionTick;

/** A lone node with voters 1..3 whose storage already holds a log of the given terms. */
function voterWithLog(terms: number[], term: number): RawNode {
  const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
  storage.append(ents(1, terms));
  storage.setHardState({ term, vote: NONE, commit: 0 });
  return new RawNode({ ...DEFAULT_CONFIG, id: 2, rng: mulberry32(7) }, storage);
}

function readyOf(node: RawNode): Ready {
  const rd = node.ready();
  node.advance();
  return rd;
}

/** A vote request to node 2, the voter under test, from a candidate whose log ends at index/logTerm. */
function voteRequest(from: number, term: number, index: number, logTerm: number): Message {
  return { type: 'vote', from, to: 2, term, index, logTerm };
}

/** Node 1, campaigning in term 1, sends exactly one `type` request to each peer, 2 and 3. */
function expectAsksBothPeers(rd: Ready, type: 'vote' | 'preVote'): void {
  expect(rd.messages.map((m) => [m.type, m.to, m.term])).toEqual([
    [type, 2, 1],
    [type, 3, 1],
  ]);
}

describe('§5.2 leader election', () => {
  it('a follower starts an election after a randomized timeout in [electionTick, 2*electionTick)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      const net = new Network({ seed });
      const timeout = net.status(1).electionTimeout;
      expect(timeout).toBeGreaterThanOrEqual(ELECTION);
      expect(timeout).toBeLessThan(2 * ELECTION);
      const mark = net.mark();
      let ticks = 0;
      while (net.sent(msg('preVote', { from: 1 }), mark).length === 0) {
        net.tick(1);
        ticks++;
        expect(ticks).toBeLessThan(2 * ELECTION);
      }
      expect(ticks).toBe(timeout);
      seen.add(ticks);
    }
    // Randomized: not every node picks the same timeout.
    expect(seen.size).toBeGreaterThan(3);
  });

  it('without PreVote, the timeout makes the follower a candidate of the next term', () => {
    const net = new Network({ config: { preVote: false } });
    net.isolate(1);
    net.tick(1, net.status(1).electionTimeout);
    const s = net.status(1);
    expect(s.role).toBe('candidate');
    expect(s.term).toBe(1);
    expect(s.vote).toBe(1);
    const votes = net.sent(msg('vote', { from: 1 }));
    expect(votes.map((m) => m.to).sort()).toEqual([2, 3]);
    expect(votes.every((m) => m.term === 1)).toBe(true);
  });

  it('a candidate votes for itself and persists that vote in the Ready that asks for votes', () => {
    const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
    const node = new RawNode(
      { ...DEFAULT_CONFIG, preVote: false, id: 1, rng: mulberry32(1) },
      storage,
    );
    node.campaign();
    const rd = readyOf(node);
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expectAsksBothPeers(rd, 'vote');
  });

  it('with PreVote, the candidate persists its vote only when the real election starts', () => {
    const net = new Network();
    const n1 = net.node(1);
    n1.campaign();
    const pre = readyOf(n1);
    expect(pre.hardState).toBeUndefined(); // term and vote unchanged by a pre-vote
    expectAsksBothPeers(pre, 'preVote');
    expect(net.status(1)).toMatchObject({ role: 'preCandidate', term: 0, vote: NONE });
    n1.step({ type: 'preVoteResp', from: 2, to: 1, term: 1 });
    const real = readyOf(n1);
    expect(real.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expectAsksBothPeers(real, 'vote');
  });

  it('a node grants at most one vote per term', () => {
    const node = voterWithLog([], 0);
    node.step(voteRequest(1, 1, 0, 0));
    let rd = readyOf(node);
    expect(rd.hardState).toMatchObject({ term: 1, vote: 1 });
    expect(rd.messages).toEqual([{ type: 'voteResp', from: 2, to: 1, term: 1 }]);
    // Another candidate of the same term is refused.
    node.step(voteRequest(3, 1, 0, 0));
    rd = readyOf(node);
    expect(rd.messages).toEqual([{ type: 'voteResp', from: 2, to: 3, term: 1, reject: true }]);
    expect(node.status().vote).toBe(1);
    // The same candidate asking again (a retransmission) gets the same answer.
    node.step(voteRequest(1, 1, 0, 0));
    expect(readyOf(node).messages[0].reject).toBeUndefined();
    // A new term is a new vote.
    node.step(voteRequest(3, 2, 0, 0));
    rd = readyOf(node);
    expect(rd.hardState).toMatchObject({ term: 2, vote: 3 });
    expect(rd.messages[0]).toMatchObject({ type: 'voteResp', to: 3, term: 2 });
    expect(rd.messages[0].reject).toBeUndefined();
  });

  it('a candidate that receives votes from a majority becomes leader, and not before', () => {
    const net = new Network({ size: 5 });
    net.isolate(4);
    net.isolate(5);
    net.campaign(1);
    expect(net.status(1)).toMatchObject({ role: 'leader', term: 1, leader: 1 });
    for (const id of [2, 3]) expect(net.status(id)).toMatchObject({ role: 'follower', leader: 1 });

    const minority = new Network({ size: 5 });
    minority.isolate(3);
    minority.isolate(4);
    minority.isolate(5);
    minority.campaign(1);
    expect(minority.status(1).role).not.toBe('leader');
    expect(minority.leader()).toBe(NONE);
  });

  it('a candidate steps down when it hears from a leader of its term', () => {
    const net = new Network({ config: { preVote: false } });
    net.isolate(1);
    net.campaign(1); // 1 is a candidate of term 1 that nobody hears
    net.campaign(2); // 2 wins term 1 with 3's vote
    expect(net.status(1)).toMatchObject({ role: 'candidate', term: 1 });
    expect(net.status(2)).toMatchObject({ role: 'leader', term: 1 });
    net.recover();
    net.tick(2); // a heartbeat of term 1
    expect(net.status(1)).toMatchObject({ role: 'follower', term: 1, leader: 2 });
  });

  it('a voter rejects a candidate whose log is less up-to-date (§5.4.1): by last term, then by last index', () => {
    // The voter's log: terms 1 1 2 (last index 3, last term 2).
    const cases: [index: number, logTerm: number, granted: boolean][] = [
      [5, 1, false], // longer, but an older last term
      [2, 2, false], // same last term, shorter
      [3, 2, true], // identical
      [4, 2, true], // same last term, longer
      [1, 3, true], // shorter, but a newer last term
    ];
    for (const [index, logTerm, granted] of cases) {
      const node = voterWithLog([1, 1, 2], 2);
      node.step(voteRequest(1, 3, index, logTerm));
      const resp = readyOf(node).messages.find((m) => m.type === 'voteResp');
      expect(resp?.reject === true, `candidate (${index}, ${logTerm})`).toBe(!granted);
      expect(node.status().vote).toBe(granted ? 1 : NONE);
      expect(node.status().term).toBe(3); // the term is adopted either way

      // The same rule holds for a pre-vote, which changes nothing on the voter.
      const pre = voterWithLog([1, 1, 2], 2);
      pre.step({ ...voteRequest(1, 3, index, logTerm), type: 'preVote' });
      const preResp = readyOf(pre).messages.find((m) => m.type === 'preVoteResp');
      expect(preResp?.reject === true, `pre-candidate (${index}, ${logTerm})`).toBe(!granted);
      expect(pre.status()).toMatchObject({ term: 2, vote: NONE });
    }
  });

  it('a split vote elects nobody, and a new election in a later term does', () => {
    // Four voters, no PreVote: 1 and 2 campaign at once; 3 votes for 1 and 4 for 2.
    const net = new Network({ size: 4, config: { preVote: false } });
    net.node(1).campaign();
    net.node(2).campaign();
    const out = [...net.handleReady(1), ...net.handleReady(2)];
    const first = (from: number, to: number): Message =>
      out.find((m) => m.from === from && m.to === to)!;
    const rest = out.filter((m) => !((m.from === 1 && m.to === 3) || (m.from === 2 && m.to === 4)));
    net.send([first(1, 3), first(2, 4), ...rest]);
    expect(net.leader()).toBe(NONE);
    expect([1, 2, 3, 4].map((id) => net.status(id).term)).toEqual([1, 1, 1, 1]);
    expect(net.status(3).vote).toBe(1);
    expect(net.status(4).vote).toBe(2);

    net.tickUntil(() => net.leader() !== NONE, 10 * ELECTION);
    const leader = net.leader();
    expect(net.status(leader).term).toBeGreaterThanOrEqual(2);
    const followers = [1, 2, 3, 4].filter((id) => id !== leader);
    for (const id of followers) expect(net.status(id).leader).toBe(leader);
  });
});

describe('§9.6 PreVote', () => {
  it("a pre-vote round changes neither the pre-candidate's term nor the voters' term or vote", () => {
    const net = new Network();
    net.drop('vote'); // stop after the pre-vote round
    net.campaign(1);
    expect(net.sent(msg('preVoteResp', { to: 1 })).every((m) => !m.reject)).toBe(true);
    expect(net.status(1).role).toBe('candidate'); // it won the pre-vote
    expect(net.status(1).term).toBe(1);
    for (const id of [2, 3]) expect(net.status(id)).toMatchObject({ term: 0, vote: NONE });
  });

  it('a node isolated for many election timeouts rejoins without raising the term or deposing the leader', () => {
    const net = new Network();
    net.elect(1);
    const term = net.status(1).term;
    net.isolate(3);
    for (let i = 0; i < 5; i++) net.propose(1, `w${i}`);
    net.tickAll(20 * ELECTION);
    const tried = net.sent(msg('preVote', { from: 3 }));
    expect(tried.length).toBeGreaterThan(5); // it kept trying
    expect(net.status(3).term).toBe(term);
    expect(net.sent(msg('vote', { from: 3 }))).toEqual([]);
    expect(net.status(1).role).toBe('leader');

    net.recover();
    net.tickAll(3 * ELECTION);
    expect(net.leader()).toBe(1);
    for (const id of [1, 2, 3]) expect(net.status(id)).toMatchObject({ term, leader: 1 });
    expect(net.status(3).role).toBe('follower');
    expect(net.appliedData(3)).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
  });

  it('(contrast) without PreVote the rejoining node raises the term and deposes the leader', () => {
    const net = new Network({ config: { preVote: false } });
    net.elect(1);
    const term = net.status(1).term;
    net.isolate(3);
    net.tickAll(20 * ELECTION);
    expect(net.status(3).term).toBeGreaterThan(term + 5);
    net.recover();
    net.tickAll(3 * ELECTION);
    expect(net.status(1).term).toBeGreaterThan(term + 5);
  });
});

describe('§4.2.3 CheckQuorum and leader stickiness', () => {
  it('a leader cut off from a majority steps down within two election timeouts', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const net = new Network({ size: 5, seed });
      net.elect(1);
      net.tickAll(seed); // isolate at different points of the CheckQuorum round
      net.partition([1, 2]);
      let ticks = 0;
      while (net.status(1).role === 'leader') {
        net.tickAll();
        ticks++;
        expect(ticks, `seed ${seed}`).toBeLessThanOrEqual(2 * ELECTION);
      }
      expect(net.status(1).role).toBe('follower');
      // Meanwhile the majority side elects a new leader of a later term.
      net.tickUntil(() => [3, 4, 5].includes(net.leader()), 10 * ELECTION);
      expect(net.status(net.leader()).term).toBeGreaterThan(1);
    }
  });

  it('(contrast) without CheckQuorum the cut-off leader believes it leads forever', () => {
    const net = new Network({ config: { checkQuorum: false } });
    net.elect(1);
    net.isolate(1);
    net.tick(1, 20 * ELECTION);
    expect(net.status(1).role).toBe('leader');
  });

  it('a follower that hears from its leader ignores a higher-term (pre-)vote request unless it is a transfer', () => {
    const net = new Network();
    net.elect(1);
    net.tickAll(2);
    const { term, lastIndex } = net.status(2);
    const lastTerm = net.log(2).at(-1)!.term;
    const req = voteRequest(3, term + 1, lastIndex, lastTerm);
    expect(net.stepOnly(req)).toEqual([]);
    expect(net.stepOnly({ ...req, type: 'preVote' })).toEqual([]);
    expect(net.status(2)).toMatchObject({ term, leader: 1, role: 'follower' });

    const out = net.stepOnly({ ...req, transfer: true });
    expect(out).toEqual([{ type: 'voteResp', from: 2, to: 3, term: term + 1 }]);
    expect(net.status(2)).toMatchObject({ term: term + 1, vote: 3 });
  });

  it('a follower that has not heard from a leader for an election timeout does grant the vote', () => {
    const net = new Network();
    net.elect(1);
    net.isolate(1);
    net.tick(2, ELECTION); // out of the lease (it may even have started a pre-vote itself)
    const { term, lastIndex } = net.status(2);
    const lastTerm = net.log(2).at(-1)!.term;
    const out = net.stepOnly(voteRequest(3, term + 1, lastIndex, lastTerm));
    expect(out).toEqual([{ type: 'voteResp', from: 2, to: 3, term: term + 1 }]);
  });

  it('a leader ignores a disruptive vote request while it holds its lease', () => {
    const net = new Network();
    net.elect(1);
    const { term, lastIndex } = net.status(1);
    const out = net.stepOnly({ ...voteRequest(3, term + 5, lastIndex + 9, term), to: 1 });
    expect(out).toEqual([]);
    expect(net.status(1)).toMatchObject({ role: 'leader', term });
  });
});

describe('the Ready contract for votes', () => {
  it('a vote grant is in the same Ready as the hard state that records it', () => {
    const net = new Network({ config: { preVote: false } });
    net.node(1).campaign();
    const requests = net.handleReady(1);
    const toTwo = requests.find((m) => m.to === 2)!;
    net.node(2).step(toTwo);
    const rd = readyOf(net.node(2));
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.messages).toEqual([{ type: 'voteResp', from: 2, to: 1, term: 1 }]);
  });

  it('every vote request and grant of an election is sent only after its hard state was persisted', () => {
    // The harness checks storage before each send (and throws otherwise); make sure it looked.
    const net = new Network({ size: 5, config: { preVote: false } });
    net.elect(3);
    const grants = net.delivered((m) => m.type === 'voteResp' && !m.reject);
    expect(grants.length).toBeGreaterThanOrEqual(2);
    for (const g of grants) {
      const sender = net.peer(g.from);
      const rd = sender.readies.find((r) => r.messages.includes(g))!;
      expect(rd.hardState).toMatchObject({ term: g.term, vote: 3 });
    }
  });
});
