/**
 * Safety: Raft paper §5.4 — the commit rule for entries of earlier terms (Figure 8), leader
 * completeness, state machine safety, and a commit index that never moves back.
 */
import { describe, expect, it } from 'vitest';
import { NONE, ProposalDropped, Raft, type Message } from '../../cluster/raft/index.js';
import { Network, mulberry32, type NetworkOptions } from './harness.js';

/** A planted bug: commits whatever a quorum holds, whatever its term (ignores Figure 8). */
class CountingOnlyRaft extends Raft {
  protected override maybeCommit(): boolean {
    const index = this.tracker.committedIndex();
    if (index <= this.raftLog.committed || index > this.raftLog.lastIndex()) return false;
    this.raftLog.commitTo(index);
    return true;
  }
}

// Scripted elections without timers: no PreVote and no leases, as in etcd's paper tests.
const SCRIPTED: NetworkOptions['config'] = {
  preVote: false,
  checkQuorum: false,
  maxEntriesPerMsg: 1,
};

/** Campaigns until the node wins (a first attempt may only catch up with the others' term). */
function win(net: Network, id: number): void {
  for (let i = 0; i < 5 && net.status(id).role !== 'leader'; i++) net.campaign(id);
  expect(net.status(id).role, `node ${id} should have won`).toBe('leader');
}

/**
 * Builds Figure 8 (c) with five nodes:
 *  (a) S1 leads term 1; entry 'a' (index 2, term 1) is appended while S1 is cut off.
 *  (b) S5 wins term 2 with S2, S3 and S4 and appends its no-op at index 2, locally only.
 *  (c) S5 goes down and S1 restarts; S1 wins term 3 with S2 and S3 and replicates 'a' to them,
 *      but the entry of its own term (its no-op at index 3) is lost on the way to everyone.
 * Now 'a' is stored on a majority (S1, S2, S3), yet it must not be committed.
 */
function figure8c(opts: { makeRaft?: NetworkOptions['makeRaft']; keepNoop?: boolean } = {}) {
  const net = new Network({ size: 5, config: SCRIPTED, makeRaft: opts.makeRaft });
  // (a)
  net.elect(1);
  net.isolate(1);
  const a = net.propose(1, 'a');
  expect(a).toEqual({ index: 2, term: 1 });
  // (b)
  net.drop((m) => m.type === 'app' && m.from === 5);
  win(net, 5);
  expect(net.status(5).term).toBe(2);
  expect(net.terms(5)).toEqual([1, 2]);
  // (c) S1 restarts (as a follower of term 1) and S5 goes down.
  net.recover();
  net.restart(1);
  net.isolate(4);
  net.isolate(5);
  if (!opts.keepNoop) {
    // Appends carrying S1's term-3 entry are lost whenever they would be accepted; the
    // rejections that make S1 back up still flow.
    net.drop((m: Message) => {
      if (m.type !== 'app' || m.from !== 1 || !(m.entries ?? []).some((e) => e.term === 3))
        return false;
      const prev = net.log(m.to).find((e) => e.index === m.index);
      return m.index === 0 || prev?.term === m.logTerm;
    });
  }
  win(net, 1);
  expect(net.status(1).term).toBe(3);
  net.tick(1, 3); // heartbeats
  return net;
}

describe('§5.4.2 committing entries from previous terms (Figure 8)', () => {
  it('a leader does not commit an entry of an earlier term by counting replicas', () => {
    const net = figure8c();
    // 'a' (term 1) is on S1, S2 and S3: a majority of five...
    expect(net.terms(1)).toEqual([1, 1, 3]);
    for (const id of [2, 3]) expect(net.log(id)[1]).toMatchObject({ index: 2, term: 1, data: 'a' });
    expect(net.terms(2)).toEqual([1, 1]);
    const pr = net.status(1).progress;
    expect(pr.filter((p) => p.match >= 2).map((p) => p.id)).toEqual([2, 3]);
    // ...but S1 leads term 3, and none of its term-3 entries is on a majority: nothing commits.
    expect(net.status(1).commit).toBe(1);
    for (const id of [1, 2, 3, 4, 5]) expect(net.appliedData(id)).toEqual([]);
  });

  it('(control) a core that commits by counting replicas alone is caught by the same scenario', () => {
    const net = figure8c({ makeRaft: (c, s) => new CountingOnlyRaft(c, s) });
    expect(net.status(1).commit).toBe(2);
  });

  it('the uncommitted entry can indeed be overwritten by a later leader (Figure 8 (d))', () => {
    const net = figure8c();
    net.recover();
    net.isolate(1); // S1 crashes again
    net.restart(5); // S5 restarts
    win(net, 5); // S5's last term (2) beats S2's and S3's (1): S2, S3, S4 vote for it
    expect(net.status(5).term).toBe(4);
    net.tick(5, 3);
    for (const id of [2, 3, 4, 5]) {
      expect(net.log(id)[1], `node ${id}`).toMatchObject({ index: 2, term: 2, data: '' });
      expect(net.appliedData(id)).toEqual([]);
    }
    // Had anyone applied 'a' at index 2, the harness would have thrown by now.
    net.recover();
    net.tickAll(3);
    expect(net.log(1)).toEqual(net.log(5));
  });

  it('once an entry of the current term is on a majority, it and everything before it commit (Figure 8 (e))', () => {
    const net = figure8c({ keepNoop: true });
    expect(net.status(1).commit).toBe(3);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(['a']);
    // S5 can no longer win: S2 and S3 hold a more up-to-date log.
    net.recover();
    net.isolate(1);
    net.restart(5);
    for (let i = 0; i < 5; i++) net.campaign(5);
    expect(net.status(5).role).not.toBe('leader');
    win(net, 2);
    net.tick(2, 3);
    for (const id of [2, 3, 4, 5]) expect(net.appliedData(id)).toEqual(['a']);
  });
});

describe('§5.4.3 leader completeness and state machine safety', () => {
  it('only a node holding every committed entry can become the next leader', () => {
    const net = new Network({ size: 5, config: SCRIPTED });
    net.elect(1);
    net.cut(1, 4);
    net.cut(1, 5);
    const x = net.propose(1, 'x');
    expect(net.status(1).commit).toBe(x.index); // on 1, 2, 3: committed
    net.recover();
    net.isolate(1);
    // 4 and 5 lack 'x': 2 and 3 refuse them, and 2 of 5 votes is not enough.
    for (const id of [4, 5]) {
      for (let i = 0; i < 3; i++) net.campaign(id);
      expect(net.status(id).role).not.toBe('leader');
    }
    const refusals = net.delivered(
      (m) => m.type === 'voteResp' && m.reject === true && [2, 3].includes(m.from),
    );
    expect(refusals.length).toBeGreaterThan(0);
    win(net, 3);
    expect(net.log(3).find((e) => e.index === x.index)).toMatchObject({ term: x.term, data: 'x' });
    net.propose(3, 'y');
    net.tick(3, 3);
    for (const id of [2, 3, 4, 5]) expect(net.appliedData(id)).toEqual(['x', 'y']);
  });

  it('under random partitions, the newest leader always holds every applied entry and replicas never diverge', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const net = new Network({ size: 5, seed });
      const rng = mulberry32(seed);
      let proposed = 0;
      for (let step = 0; step < 600; step++) {
        const r = rng.int(100);
        if (r < 4) {
          const group = [1, 2, 3, 4, 5].filter(() => rng.int(2) === 0);
          net.recover();
          net.partition(group);
        } else if (r < 8) {
          net.recover();
        } else if (r < 40) {
          const l = net.leader();
          if (l !== NONE) {
            try {
              net.propose(l, `s${seed}-${proposed++}`);
            } catch (e) {
              if (!(e instanceof ProposalDropped)) throw e;
            }
          }
        } else {
          net.tickAll();
        }
        checkNewestLeaderComplete(net);
      }
      net.recover();
      net.tickAll(60);
      const leader = net.leader();
      expect(leader).not.toBe(NONE);
      const want = net.appliedData(leader);
      expect(want.length).toBeGreaterThan(10);
      for (const id of [1, 2, 3, 4, 5])
        expect(net.appliedData(id), `seed ${seed} node ${id}`).toEqual(want);
    }
  });
});

/**
 * The leader of the highest term anyone has seen must hold every entry any node applied: those
 * were committed in an earlier term (§5.4.3) or by this very leader.
 */
function checkNewestLeaderComplete(net: Network): void {
  const l = net.leader();
  if (l === NONE) return;
  const term = net.status(l).term;
  for (const p of net.peers.values()) if (p.node.status().term > term) return;
  const log = net.log(l);
  const first = net.status(l).firstIndex;
  for (const p of net.peers.values()) {
    for (let i = p.applied.length - 1; i >= 0; i--) {
      const e = p.applied[i];
      if (e.index < first) break; // compacted away
      const mine = log[e.index - first];
      if (mine?.term !== e.term || mine.data !== e.data) {
        expect(
          mine,
          `leader ${l} (term ${term}) lacks entry ${e.index} applied by ${p.id}`,
        ).toEqual(e);
      }
    }
  }
}

describe('commit index', () => {
  it('never moves back on any node, through elections, partitions and restarts', () => {
    const net = new Network({ size: 3, seed: 11 });
    net.elect(1);
    for (let i = 0; i < 5; i++) net.propose(1, `a${i}`);
    net.isolate(1);
    net.tickUntil(() => [2, 3].includes(net.leader()));
    const l = net.leader();
    for (let i = 0; i < 5; i++) net.propose(l, `b${i}`);
    net.recover();
    net.tickAll(30);
    const before = net.status(3).commit;
    net.restart(3);
    expect(net.status(3).commit).toBe(before); // restored from the hard state
    net.tickAll(30);
    net.propose(net.leader(), 'c');
    for (const p of net.peers.values()) {
      const commits = p.readies.flatMap((rd) => (rd.hardState ? [rd.hardState.commit] : []));
      expect(commits.length).toBeGreaterThan(2);
      for (let i = 1; i < commits.length; i++)
        expect(commits[i]).toBeGreaterThanOrEqual(commits[i - 1]);
      expect(p.node.status().commit).toBe(commits.at(-1));
    }
    // A follower that learns of a smaller commit index (a stale heartbeat) keeps its own.
    const f = [1, 2, 3].find((id) => id !== net.leader())!;
    const { commit, term } = net.status(f);
    net.stepOnly({ type: 'heartbeat', from: net.leader(), to: f, term, commit: 1 });
    expect(net.status(f).commit).toBe(commit);
  });
});
