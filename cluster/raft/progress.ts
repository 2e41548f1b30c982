import type { ConfState, NodeId, ProgressState, ProgressStatus, Snapshot } from './types.js';

/**
 * The pipelining window: the last index of each append message sent to a follower and not yet
 * acknowledged. A ring buffer, because the leader adds at one end and frees at the other.
 */
export class Inflights {
  private readonly buffer: number[];
  private start = 0;
  count = 0;

  constructor(readonly size: number) {
    this.buffer = new Array<number>(size).fill(0);
  }

  add(lastIndex: number): void {
    if (this.full())
      throw new Error('inflight window is full: callers must check isPaused() first');
    this.buffer[(this.start + this.count) % this.size] = lastIndex;
    this.count++;
  }

  /** Frees every message whose last index is ≤ `index` (they are acknowledged). */
  freeLE(index: number): void {
    while (this.count > 0 && this.buffer[this.start] <= index) {
      this.start = (this.start + 1) % this.size;
      this.count--;
    }
  }

  /** Frees the oldest slot: its message is presumed lost, so one more may go out. */
  freeFirst(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.size;
    this.count--;
  }

  full(): boolean {
    return this.count >= this.size;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}

/** An InstallSnapshot transfer in progress: stop-and-wait over chunks. */
export interface SnapshotTransfer {
  readonly snapshot: Snapshot;
  /** The follower confirmed receiving everything before this offset. */
  acked: number;
  /** A chunk starting at `acked` is on its way and not yet answered. */
  outstanding: boolean;
  /** Heartbeat answers received while the chunk stays unanswered: two mean it was lost. */
  unansweredBeats: number;
}

/**
 * What the leader knows about one follower (Raft paper's nextIndex/matchIndex, plus etcd's
 * probe/replicate/snapshot flow control).
 *  - probe: one append per heartbeat until the follower's position is found;
 *  - replicate: appends are pipelined up to the inflight window, `next` advanced optimistically;
 *  - snapshot: the follower is behind the log's first index and receives InstallSnapshot chunks.
 */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is out, wait for its answer (or the next heartbeat). */
  probeSent = false;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  pendingSnapshot = 0;
  transfer: SnapshotTransfer | undefined;
  readonly inflights: Inflights;

  constructor(
    next: number,
    maxInflight: number,
    public isLearner: boolean,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.transfer = undefined;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot the follower holds at least the snapshot's index.
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshot.metadata.index;
    this.transfer = { snapshot, acked: 0, outstanding: false, unansweredBeats: 0 };
  }

  /** An acknowledgement up to `index`; returns false if it was stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append after `rejected`; `matchHint` is where the follower's log may match
   * (fast backtracking). Returns false if the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    // Never below match + 1: what the follower acknowledged is known to be there.
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Records that an append carrying entries up to `lastIndex` left. */
  sentEntries(count: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}

/** The configuration (voters and learners) and each member's progress. */
export class ProgressTracker {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  progress = new Map<NodeId, Progress>();
  private votes = new Map<NodeId, boolean>();

  constructor(private readonly maxInflight: number) {}

  confState(): ConfState {
    return {
      voters: [...this.voters].sort((a, b) => a - b),
      learners: [...this.learners].sort((a, b) => a - b),
    };
  }

  /** Installs a configuration; members keep their progress, new ones start at `next`. */
  setConf(conf: ConfState, next: number): void {
    this.voters = new Set(conf.voters);
    this.learners = new Set(conf.learners);
    const old = this.progress;
    this.progress = new Map();
    for (const id of conf.voters) this.progress.set(id, this.keep(old, id, next, false));
    for (const id of conf.learners) this.progress.set(id, this.keep(old, id, next, true));
  }

  private keep(old: Map<NodeId, Progress>, id: NodeId, next: number, learner: boolean): Progress {
    const pr = old.get(id) ?? new Progress(next, this.maxInflight, learner);
    pr.isLearner = learner;
    return pr;
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  isVoter(id: NodeId): boolean {
    return this.voters.has(id);
  }

  /** The largest index replicated on a quorum of voters. */
  committedIndex(): number {
    const n = this.voters.size;
    if (n === 0) return Number.MAX_SAFE_INTEGER;
    const matches: number[] = [];
    for (const id of this.voters) matches.push(this.progress.get(id)?.match ?? 0);
    matches.sort((a, b) => b - a);
    return matches[this.quorum() - 1];
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** 'won' with a quorum of grants, 'lost' when a quorum can no longer be reached. */
  tallyVotes(): 'won' | 'lost' | 'pending' {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = this.quorum();
    if (granted >= q) return 'won';
    if (rejected > this.voters.size - q) return 'lost';
    return 'pending';
  }

  /** CheckQuorum: did a quorum of voters (counting `self`) talk to the leader recently? */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      if (id === self || this.progress.get(id)?.recentActive) active++;
    }
    return active >= this.quorum();
  }

  status(self: NodeId): ProgressStatus[] {
    const out: ProgressStatus[] = [];
    for (const [id, pr] of this.progress) {
      if (id === self) continue;
      out.push({
        id,
        match: pr.match,
        next: pr.next,
        state: pr.state,
        learner: pr.isLearner,
        recentActive: pr.recentActive,
        inflight: pr.inflights.count,
      });
    }
    return out.sort((a, b) => a.id - b.id);
  }
}
