/**
 * Log replication: Raft paper §5.3 (AppendEntries, the consistency check, nextIndex backing
 * up), with the thesis' fast backtracking by conflicting term, and etcd-io/raft's batching and
 * pipelining (probe/replicate flow control with an inflight window).
 */
import { describe, expect, it } from 'vitest';
import { NONE, ProposalDropped, type Message } from '../../cluster/raft/index.js';
import { Network } from './harness.js';

const isApp = (to: number) => (m: Message) => m.type === 'app' && m.to === to;
const carries = (m: Message) => (m.entries ?? []).length > 0;

describe('§5.3 log replication', () => {
  it('a new leader appends an empty entry of its term and commits it on every node', () => {
    const net = new Network();
    net.elect(2);
    const term = net.status(2).term;
    const last = net.log(2).at(-1)!;
    expect(last).toEqual({ index: 1, term, type: 'normal', data: '' });
    expect(net.status(2).commit).toBe(1);
    net.tickAll(1); // a heartbeat brings the commit index to the followers
    for (const id of [1, 2, 3]) {
      expect(net.peer(id).applied.map((e) => [e.index, e.term, e.data])).toEqual([[1, term, '']]);
    }
  });

  it('a proposal on a follower, a candidate or a node without leader throws ProposalDropped', () => {
    const net = new Network();
    expect(() => net.node(1).propose('x')).toThrow(ProposalDropped);
    net.elect(1);
    expect(() => net.node(2).propose('x')).toThrow(ProposalDropped);
    expect(() => net.node(3).proposeBatch(['x', 'y'])).toThrow(ProposalDropped);
    const other = new Network({ config: { preVote: false } });
    other.isolate(1);
    other.campaign(1);
    expect(other.status(1).role).toBe('candidate');
    expect(() => other.node(1).propose('x')).toThrow(ProposalDropped);
    // Nothing reached a log.
    expect(net.log(2).map((e) => e.data)).toEqual(['']);
  });

  it('an entry is committed once a majority stores it, and then applied everywhere in log order', () => {
    const net = new Network({ size: 5 });
    net.elect(1);
    net.isolate(4);
    net.isolate(5);
    const a = net.propose(1, 'a');
    expect(net.status(1).commit).toBe(a.index);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(['a']);
    for (const id of [4, 5]) expect(net.appliedData(id)).toEqual([]);

    net.isolate(3); // only 1 and 2 left: no majority of 5
    const b = net.propose(1, 'b');
    expect(net.log(2).at(-1)).toMatchObject({ index: b.index, data: 'b' });
    expect(net.status(1).commit).toBe(a.index);
    expect(net.appliedData(1)).toEqual(['a']);

    net.recover();
    net.tickAll(2);
    expect(net.status(1).commit).toBe(b.index);
    for (const id of [1, 2, 3, 4, 5]) expect(net.appliedData(id)).toEqual(['a', 'b']);
  });

  it('the propose() answer names the index and term where the entry lands', () => {
    const net = new Network();
    net.elect(1);
    const at = net.proposeBatch(1, ['x', 'y', 'z']);
    expect(at).toEqual({ index: 2, term: net.status(1).term });
    expect(
      net
        .log(3)
        .slice(1)
        .map((e) => [e.index, e.data]),
    ).toEqual([
      [2, 'x'],
      [3, 'y'],
      [4, 'z'],
    ]);
  });

  it('a follower rejects an append whose previous entry does not match, and the leader backs up', () => {
    const net = new Network();
    net.elect(1);
    net.isolate(3);
    for (const d of ['a', 'b', 'c']) net.propose(1, d);
    net.recover();
    const mark = net.mark();
    net.propose(1, 'd');
    const at = net.trace.findIndex(
      (r, i) => i >= mark && r.m.type === 'appResp' && r.m.from === 3 && r.m.reject === true,
    );
    expect(at).toBeGreaterThan(0);
    const reject = net.trace[at].m;
    expect(reject.index).toBe(4); // the append after 'c' (index 4) did not match
    // The rejection hints at the follower's last index, so the leader resends from there at once.
    expect(reject.rejectHint).toBe(1);
    const resend = net.delivered((m) => isApp(3)(m) && carries(m), at)[0];
    expect(resend.index).toBe(1);
    expect(resend.entries!.map((e) => e.data)).toEqual(['a', 'b', 'c', 'd']);
    expect(net.log(3)).toEqual(net.log(1));
    expect(net.appliedData(3)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fast backtracking: a follower diverged by 1,000 entries is repaired in a handful of round trips', () => {
    // Large messages, so that what is counted is the search for the match point, not the bulk.
    const net = new Network({ size: 5, config: { maxEntriesPerMsg: 5000 } });
    net.elect(1);
    net.proposeBatch(1, ['c1', 'c2']);
    // Node 1 is partitioned away while it still believes it leads, and appends 1,000 entries of
    // its term that nobody else will ever see.
    net.isolate(1);
    for (let b = 0; b < 10; b++) {
      net.proposeBatch(
        1,
        Array.from({ length: 100 }, (_, i) => `stale${b * 100 + i}`),
      );
    }
    expect(net.status(1).lastIndex).toBe(1003);
    // The others elect a leader that writes 1,000 entries of its own at the same indexes, then
    // hands over to a peer: the new leader's probe of node 1 starts at the end of its log.
    net.tickUntil(() => net.leader() > 1, 20 * 10);
    const second = net.leader();
    for (let b = 0; b < 10; b++) {
      net.proposeBatch(
        second,
        Array.from({ length: 100 }, (_, i) => `new${b * 100 + i}`),
      );
    }
    const third = [2, 3, 4, 5].find((id) => id !== second)!;
    net.transferLeadership(second, third);
    expect(net.leader()).toBe(third);
    const last = net.status(third).lastIndex;
    expect(last).toBe(1005);
    expect(net.terms(1).at(-1)).toBe(1);

    const mark = net.mark();
    net.recover();
    net.tickUntil(() => net.status(1).commit === last, 50);
    const apps = net.delivered(isApp(1), mark);
    const rejects = net.delivered(
      (m) => m.type === 'appResp' && m.from === 1 && m.reject === true,
      mark,
    );
    expect(rejects.length).toBeGreaterThanOrEqual(1); // it did diverge
    expect(rejects.length).toBeLessThanOrEqual(2);
    expect(apps.length).toBeLessThanOrEqual(10);
    expect(net.log(1)).toEqual(net.log(third));
    const data = net.appliedData(1);
    expect(data.slice(0, 3)).toEqual(['c1', 'c2', 'new0']);
    expect(data.some((d) => d.startsWith('stale'))).toBe(false);
  });

  it('fast backtracking: a follower 1,000 entries behind is found in one rejection', () => {
    const net = new Network();
    net.elect(1);
    net.isolate(3);
    for (let b = 0; b < 10; b++)
      net.proposeBatch(
        1,
        Array.from({ length: 100 }, (_, i) => `v${b}.${i}`),
      );
    const mark = net.mark();
    net.recover();
    net.tickUntil(() => net.status(3).commit === net.status(1).commit, 50);
    const rejects = net.delivered(
      (m) => m.type === 'appResp' && m.from === 3 && m.reject === true,
      mark,
    );
    expect(rejects.length).toBeLessThanOrEqual(1);
    // 1,000 entries at 256 per message: a few appends, not hundreds.
    expect(net.delivered(isApp(3), mark).filter(carries).length).toBeLessThanOrEqual(6);
    expect(net.log(3)).toEqual(net.log(1));
  });
});

describe('batching and pipelining', () => {
  it('an append carries at most maxEntriesPerMsg entries', () => {
    const net = new Network({ config: { maxEntriesPerMsg: 3 } });
    net.elect(1);
    const mark = net.mark();
    net.proposeBatch(
      1,
      Array.from({ length: 10 }, (_, i) => `x${i}`),
    );
    const apps = net.delivered((m) => m.type === 'app' && carries(m), mark);
    expect(apps.length).toBeGreaterThanOrEqual(2 * 4); // 10 entries, 3 per message, 2 followers
    for (const m of apps) expect(m.entries!.length).toBeLessThanOrEqual(3);
    expect(net.log(2)).toEqual(net.log(1));
    expect(net.log(3)).toEqual(net.log(1));
    expect(net.appliedData(3)).toHaveLength(10);
  });

  it('an append carries at most maxBytesPerMsg of data, but always at least one entry', () => {
    const net = new Network({ config: { maxBytesPerMsg: 10 } });
    net.elect(1);
    const mark = net.mark();
    const big = 'B'.repeat(50);
    net.proposeBatch(1, ['aaaa', 'bbbb', 'cccc', big, 'dddd', 'eeee']);
    const apps = net.delivered((m) => m.type === 'app' && carries(m), mark);
    for (const m of apps) {
      const bytes = m.entries!.reduce((n, e) => n + e.data.length, 0);
      if (m.entries!.length > 1) expect(bytes).toBeLessThanOrEqual(10);
    }
    const withBig = apps.filter((m) => m.entries!.some((e) => e.data === big));
    expect(withBig.length).toBeGreaterThanOrEqual(2);
    for (const m of withBig) expect(m.entries).toHaveLength(1);
    expect(Math.max(...apps.map((m) => m.entries!.length))).toBe(2); // 4 + 4 ≤ 10 < 4 + 4 + 4
    expect(net.appliedData(2)).toEqual(['aaaa', 'bbbb', 'cccc', big, 'dddd', 'eeee']);
  });

  it('in replicate state up to maxInflightMsgs appends are outstanding without acks, then it pauses', () => {
    const net = new Network({ config: { maxInflightMsgs: 4 } });
    net.elect(1);
    net.drop((m) => m.type === 'appResp' && m.from === 2); // 2 receives, but its acks are lost
    const mark = net.mark();
    for (let i = 0; i < 10; i++) net.propose(1, `p${i}`);
    const apps = net.delivered((m) => isApp(2)(m) && carries(m), mark);
    expect(apps).toHaveLength(4);
    expect(apps.map((m) => m.entries!.map((e) => e.data))).toEqual([
      ['p0'],
      ['p1'],
      ['p2'],
      ['p3'],
    ]);
    const pr = net.status(1).progress.find((p) => p.id === 2)!;
    expect(pr).toMatchObject({ state: 'replicate', inflight: 4 });
    // The other follower is unaffected and the entries commit with it.
    expect(net.appliedData(3)).toHaveLength(10);
    expect(net.status(1).commit).toBe(net.status(1).lastIndex);

    net.recover();
    net.tickAll(2);
    expect(net.log(2)).toEqual(net.log(1));
    expect(net.status(1).progress.find((p) => p.id === 2)).toMatchObject({
      state: 'replicate',
      match: net.status(1).lastIndex,
    });
  });

  it('after an ack the leader fills the whole window at once', () => {
    const net = new Network({ config: { maxEntriesPerMsg: 1, maxInflightMsgs: 3 } });
    net.elect(1);
    net.tickAll(1);
    net.isolate(3);
    let acks = 0;
    net.drop((m) => m.type === 'appResp' && m.from === 2 && ++acks > 1); // only the first ack arrives
    const mark = net.mark();
    net.proposeBatch(1, ['a', 'b', 'c', 'd', 'e', 'f']);
    // The proposal sends one message; its ack releases three more (a full window) at once.
    const apps = net.delivered((m) => isApp(2)(m) && carries(m), mark);
    expect(apps.map((m) => m.entries!.map((e) => e.data))).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(net.status(1).progress.find((p) => p.id === 2)).toMatchObject({ inflight: 3 });
  });

  it('a lost append in replicate state is recovered: a heartbeat frees a slot, the follower rejects, the leader probes and resends', () => {
    const net = new Network({ config: { maxInflightMsgs: 2 } });
    net.elect(1);
    net.tickAll(1);
    expect(net.status(1).progress.find((p) => p.id === 2)!.state).toBe('replicate');
    // Node 3 hears nothing, so nothing commits and no other traffic reaches 2 but the appends.
    net.isolate(3);
    net.drop((m) => isApp(2)(m) && carries(m), 2); // the next two appends to 2 are lost
    const x = net.propose(1, 'x');
    net.propose(1, 'y');
    const mark = net.mark();
    net.propose(1, 'z');
    expect(net.sent(isApp(2), mark)).toEqual([]); // window full: paused
    expect(net.status(1).progress.find((p) => p.id === 2)).toMatchObject({
      inflight: 2,
      match: x.index - 1,
    });

    net.tick(1); // heartbeat
    const reject = net.delivered(
      (m) => m.type === 'appResp' && m.from === 2 && m.reject === true,
      mark,
    );
    expect(reject).toHaveLength(1);
    expect(reject[0].rejectHint).toBe(x.index - 1);
    expect(net.log(2)).toEqual(net.log(1));
    net.tick(1);
    expect(net.appliedData(2)).toEqual(['x', 'y', 'z']);
    expect(net.status(1).progress.find((p) => p.id === 2)).toMatchObject({
      state: 'replicate',
      match: net.status(1).lastIndex,
    });
  });

  it('a follower reported unreachable goes back to probing', () => {
    const net = new Network();
    net.elect(1);
    net.tickAll(1);
    expect(net.status(1).progress.find((p) => p.id === 2)!.state).toBe('replicate');
    net.node(1).reportUnreachable(2);
    expect(net.status(1).progress.find((p) => p.id === 2)!.state).toBe('probe');
    expect(net.leader()).not.toBe(NONE);
  });
});
