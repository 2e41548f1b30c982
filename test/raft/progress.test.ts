/**
 * The leader's view of its followers (Raft paper §5.3 nextIndex/matchIndex, with etcd-io/raft's
 * probe/replicate/snapshot flow control) and the quorum arithmetic of §5.2/§5.3.
 */
import { describe, expect, it } from 'vitest';
import { Inflights, Progress, ProgressTracker } from '../../cluster/raft/progress.js';
import type { NodeId, Snapshot } from '../../cluster/raft/index.js';

function snapshotAt(index: number): Snapshot {
  return { metadata: { index, term: 1, conf: { voters: [1, 2, 3], learners: [] } }, data: 'x' };
}

describe('Inflights (the pipelining window)', () => {
  it('fills up to its size', () => {
    const inf = new Inflights(3);
    expect(inf.full()).toBe(false);
    inf.add(1);
    inf.add(2);
    expect(inf.full()).toBe(false);
    inf.add(3);
    expect(inf.full()).toBe(true);
    expect(inf.count).toBe(3);
  });

  it('freeLE frees every message whose last index is ≤ the acknowledged one, oldest first', () => {
    const inf = new Inflights(5);
    for (const last of [3, 5, 9, 12]) inf.add(last);
    inf.freeLE(2); // older than everything: nothing acknowledged
    expect(inf.count).toBe(4);
    inf.freeLE(6); // frees 3 and 5
    expect(inf.count).toBe(2);
    inf.freeLE(9);
    expect(inf.count).toBe(1);
    inf.freeLE(100);
    expect(inf.count).toBe(0);
    inf.freeLE(200); // empty: a no-op
    expect(inf.count).toBe(0);
  });

  it('freeFirst frees exactly the oldest slot', () => {
    const inf = new Inflights(2);
    inf.add(4);
    inf.add(8);
    expect(inf.full()).toBe(true);
    inf.freeFirst();
    expect(inf.full()).toBe(false);
    expect(inf.count).toBe(1);
    // The remaining one is 8: acknowledging 4 frees nothing more, acknowledging 8 does.
    inf.freeLE(4);
    expect(inf.count).toBe(1);
    inf.freeLE(8);
    expect(inf.count).toBe(0);
    inf.freeFirst(); // empty: a no-op
    expect(inf.count).toBe(0);
  });

  it('keeps the order across the wrap-around of its ring buffer', () => {
    const inf = new Inflights(4);
    for (const last of [1, 2, 3, 4]) inf.add(last);
    inf.freeLE(2); // start moves to slot 2
    inf.add(5); // lands in slot 0
    inf.add(6); // lands in slot 1
    expect(inf.full()).toBe(true);
    inf.freeLE(4); // frees 3, 4 (slots 2, 3), wraps to slot 0
    expect(inf.count).toBe(2);
    inf.freeLE(5);
    expect(inf.count).toBe(1);
    // Many more laps: the window always holds the last `size` unacknowledged indexes.
    let last = 6;
    for (let lap = 0; lap < 10; lap++) {
      while (!inf.full()) inf.add(++last);
      inf.freeLE(last - 2); // keep the two newest
      expect(inf.count).toBe(2);
    }
    inf.freeLE(last - 1);
    expect(inf.count).toBe(1);
  });

  it('reset empties the window', () => {
    const inf = new Inflights(2);
    inf.add(1);
    inf.add(2);
    inf.reset();
    expect(inf.count).toBe(0);
    expect(inf.full()).toBe(false);
  });
});

describe('Progress', () => {
  it('starts in probe state and sends one append at a time until the follower answers', () => {
    const pr = new Progress(5, 4, false);
    expect(pr.state).toBe('probe');
    expect(pr.next).toBe(5);
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(2, 6);
    expect(pr.isPaused()).toBe(true);
    expect(pr.next).toBe(5); // probing does not move next optimistically
    expect(pr.maybeUpdate(6)).toBe(true);
    expect(pr.match).toBe(6);
    expect(pr.next).toBe(7);
    expect(pr.isPaused()).toBe(false);
  });

  it('in replicate state advances next optimistically and pauses when the window is full', () => {
    const pr = new Progress(5, 2, false);
    pr.maybeUpdate(4);
    pr.becomeReplicate();
    expect(pr.next).toBe(5);
    pr.sentEntries(3, 7);
    expect(pr.next).toBe(8);
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(0, 7); // an empty append takes no slot
    expect(pr.inflights.count).toBe(1);
    pr.sentEntries(2, 9);
    expect(pr.next).toBe(10);
    expect(pr.isPaused()).toBe(true);
    pr.maybeUpdate(7);
    pr.inflights.freeLE(7);
    expect(pr.isPaused()).toBe(false);
    expect(pr.match).toBe(7);
    expect(pr.next).toBe(10); // an ack never moves next back
  });

  it('maybeUpdate ignores a stale acknowledgement', () => {
    const pr = new Progress(1, 4, false);
    expect(pr.maybeUpdate(5)).toBe(true);
    expect(pr.maybeUpdate(3)).toBe(false);
    expect(pr.match).toBe(5);
    expect(pr.maybeUpdate(5)).toBe(false);
  });

  it('in snapshot state is paused; leaving it resumes after the snapshot index', () => {
    const pr = new Progress(3, 4, false);
    pr.maybeUpdate(2);
    pr.becomeSnapshot(snapshotAt(20));
    expect(pr.state).toBe('snapshot');
    expect(pr.pendingSnapshot).toBe(20);
    expect(pr.transfer).toMatchObject({ acked: 0, outstanding: false });
    expect(pr.isPaused()).toBe(true);
    pr.becomeProbe();
    expect(pr.state).toBe('probe');
    expect(pr.next).toBe(21); // the follower holds at least the snapshot
    expect(pr.transfer).toBeUndefined();
    expect(pr.pendingSnapshot).toBe(0);
  });

  it('becomeProbe from replicate restarts after match and empties the window', () => {
    const pr = new Progress(1, 4, false);
    pr.maybeUpdate(3);
    pr.becomeReplicate();
    pr.sentEntries(5, 8);
    pr.becomeProbe();
    expect(pr.next).toBe(4);
    expect(pr.inflights.count).toBe(0);
    expect(pr.isPaused()).toBe(false);
  });

  it('maybeDecrTo in replicate state: a rejection at or below match is stale, above falls back to match+1', () => {
    const pr = new Progress(1, 4, false);
    pr.maybeUpdate(5);
    pr.becomeReplicate();
    pr.sentEntries(5, 10);
    expect(pr.maybeDecrTo(5, 2)).toBe(false);
    expect(pr.maybeDecrTo(3, 2)).toBe(false);
    expect(pr.next).toBe(11);
    expect(pr.maybeDecrTo(8, 2)).toBe(true);
    expect(pr.next).toBe(6);
  });

  it('maybeDecrTo in probe state: only a rejection of the last probe counts, and it jumps to the hint', () => {
    const pr = new Progress(11, 4, false);
    pr.sentEntries(0, 10);
    expect(pr.maybeDecrTo(7, 3)).toBe(false); // not the probe we sent (prev 10)
    expect(pr.next).toBe(11);
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeDecrTo(10, 3)).toBe(true);
    expect(pr.next).toBe(4); // hint + 1
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(0, 3);
    expect(pr.maybeDecrTo(3, 9)).toBe(true);
    expect(pr.next).toBe(3); // a hint above the rejected index never moves next forward
    expect(pr.maybeDecrTo(2, 0)).toBe(true);
    expect(pr.next).toBe(1);
    expect(pr.maybeDecrTo(0, 0)).toBe(true);
    expect(pr.next).toBe(1); // never below 1
  });
});

function tracker(voters: NodeId[], learners: NodeId[] = []): ProgressTracker {
  const t = new ProgressTracker(4);
  t.setConf({ voters, learners }, 1);
  return t;
}

describe('ProgressTracker', () => {
  it('committedIndex is the largest index a quorum of voters holds, for 1 to 5 voters', () => {
    const cases: [matches: number[], want: number][] = [
      [[5], 5],
      [[5, 3], 3],
      [[5, 3, 1], 3],
      [[1, 5, 3], 3],
      [[7, 5, 3, 1], 3],
      [[7, 7, 7, 1], 7],
      [[9, 7, 5, 3, 1], 5],
      [[1, 2, 9, 9, 0], 2],
      [[0, 0, 0, 0, 4], 0],
    ];
    for (const [matches, want] of cases) {
      const ids = matches.map((_, i) => i + 1);
      const t = tracker(ids);
      matches.forEach((m, i) => t.progress.get(i + 1)!.maybeUpdate(m));
      expect(t.committedIndex(), `matches ${matches.join(',')}`).toBe(want);
      expect(t.quorum()).toBe(Math.floor(ids.length / 2) + 1);
    }
  });

  it('committedIndex ignores learners', () => {
    const t = tracker([1, 2, 3], [4, 5]);
    t.progress.get(1)!.maybeUpdate(10);
    t.progress.get(4)!.maybeUpdate(10);
    t.progress.get(5)!.maybeUpdate(10);
    expect(t.committedIndex()).toBe(0);
    t.progress.get(2)!.maybeUpdate(6);
    expect(t.committedIndex()).toBe(6);
  });

  it('setConf keeps the progress of members that stay and starts new ones at next', () => {
    const t = tracker([1, 2, 3]);
    t.progress.get(2)!.maybeUpdate(7);
    t.setConf({ voters: [1, 2], learners: [4] }, 10);
    expect(t.progress.get(2)!.match).toBe(7);
    expect(t.progress.get(4)!.next).toBe(10);
    expect(t.progress.get(4)!.isLearner).toBe(true);
    expect(t.progress.has(3)).toBe(false);
    t.setConf({ voters: [1, 2, 4], learners: [] }, 12);
    expect(t.progress.get(4)!.isLearner).toBe(false);
    expect(t.confState()).toEqual({ voters: [1, 2, 4], learners: [] });
  });

  it('tallies votes: won with a quorum of grants, lost once a quorum is out of reach', () => {
    const t = tracker([1, 2, 3, 4, 5]);
    t.recordVote(1, true);
    t.recordVote(2, true);
    expect(t.tallyVotes()).toBe('pending');
    t.recordVote(3, false);
    t.recordVote(4, false);
    expect(t.tallyVotes()).toBe('pending'); // 5 could still make it 3 grants
    t.recordVote(5, true);
    expect(t.tallyVotes()).toBe('won');

    const u = tracker([1, 2, 3, 4, 5]);
    u.recordVote(1, true);
    u.recordVote(2, false);
    u.recordVote(3, false);
    expect(u.tallyVotes()).toBe('pending');
    u.recordVote(4, false);
    expect(u.tallyVotes()).toBe('lost');
  });

  it('counts only the first answer of a voter, and never a learner or a stranger', () => {
    const t = tracker([1, 2, 3], [4]);
    t.recordVote(1, true);
    t.recordVote(2, false);
    t.recordVote(2, true); // a duplicate that changed its mind does not count
    t.recordVote(4, true);
    t.recordVote(9, true);
    expect(t.tallyVotes()).toBe('pending');
    t.resetVotes();
    t.recordVote(1, true);
    t.recordVote(2, true);
    expect(t.tallyVotes()).toBe('won');
  });

  it('a single voter wins with its own vote', () => {
    const t = tracker([1]);
    t.recordVote(1, true);
    expect(t.tallyVotes()).toBe('won');
  });

  it('quorumActive counts the leader itself and recently active voters only', () => {
    const t = tracker([1, 2, 3, 4, 5], [6, 7]);
    expect(t.quorumActive(1)).toBe(false);
    t.progress.get(6)!.recentActive = true;
    t.progress.get(7)!.recentActive = true;
    t.progress.get(2)!.recentActive = true;
    expect(t.quorumActive(1)).toBe(false); // 1 + 2 = two voters; learners do not count
    t.progress.get(3)!.recentActive = true;
    expect(t.quorumActive(1)).toBe(true);
    expect(tracker([1]).quorumActive(1)).toBe(true);
  });

  it('status lists every peer except the leader itself, sorted by id', () => {
    const t = tracker([3, 1, 2], [5]);
    t.progress.get(2)!.maybeUpdate(4);
    const st = t.status(1);
    expect(st.map((p) => p.id)).toEqual([2, 3, 5]);
    expect(st[0]).toMatchObject({ id: 2, match: 4, next: 5, state: 'probe', learner: false });
    expect(st[2].learner).toBe(true);
  });
});
