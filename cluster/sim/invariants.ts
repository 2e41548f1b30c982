import type { Entry, EntryType, NodeId } from '../raft/index.js';
import { entryLabel } from './trace.js';

/** One broken safety property, with where in the run it was seen. */
export interface Violation {
  /** e.g. 'election-safety', 'log-matching', 'liveness'. */
  readonly kind: string;
  readonly message: string;
  readonly step: number;
  readonly time: number;
}

export class InvariantViolation extends Error {
  constructor(readonly violation: Violation) {
    super(
      `invariant violated at step ${violation.step}, t=${violation.time}ms: ${violation.message}`,
    );
    this.name = 'InvariantViolation';
  }
}

/** What the Leader Completeness check needs to know of a new leader's log. */
export interface LogView {
  /** Entries at or below this index are compacted into the snapshot. */
  readonly snapshotIndex: number;
  readonly lastIndex: number;
  /** The term of the entry at `index`, undefined when it is not in the log. */
  term(index: number): number | undefined;
}

interface CommittedRecord {
  readonly term: number;
  readonly type: EntryType;
  readonly data: string;
  /** The state machine's hash chain value after applying this entry. */
  readonly hash: number;
  /** The first node seen applying it, and when. */
  readonly by: NodeId;
  readonly time: number;
  /**
   * An upper bound on the term whose leader committed it: the lowest term any node was in when
   * it applied the entry (a node learns of a commit only from that leader or a later one).
   */
  committedBy: number;
}

interface CopyRecord {
  readonly data: string;
  readonly type: EntryType;
  /** The term of the preceding entry in the log that held this copy (undefined: compacted). */
  prevTerm: number | undefined;
  readonly by: NodeId;
}

/**
 * Raft's safety properties (paper Figure 3) and the client-visible guarantees, checked
 * incrementally: the drivers report what they persist, apply and observe, and each report is
 * checked against a small global record in O(1) (O(log length) once per election), so the check
 * can run on every event of every seed. The checker knows nothing of the real core: tests can
 * feed it hand-made reports.
 */
export class InvariantChecker {
  readonly violations: Violation[] = [];

  /** Election Safety: the leader of each term, ever. */
  private readonly leaders = new Map<number, NodeId>();
  /** Log Matching: for each index, every (term → content) ever persisted by anyone. */
  private readonly copies: (Map<number, CopyRecord> | undefined)[] = [];
  /** State Machine Safety: index → the entry first applied there (and the hash after it). */
  private readonly committed: (CommittedRecord | undefined)[] = [];
  private maxCommitted = 0;
  /** Per node (per lifetime): last commit index seen, and the applied index. */
  private readonly commit = new Map<NodeId, number>();
  private readonly applied = new Map<NodeId, number>();
  /** Client-acknowledged writes. */
  private readonly acked: { cmd: string; index: number }[] = [];
  private maxAcked = 0;

  constructor(private readonly clock: () => { step: number; time: number }) {}

  get ok(): boolean {
    return this.violations.length === 0;
  }

  get first(): Violation | undefined {
    return this.violations[0];
  }

  /** Highest index of a write a client saw committed. */
  get maxAckedIndex(): number {
    return this.maxAcked;
  }

  get ackedCount(): number {
    return this.acked.length;
  }

  /** The entry first applied at `index`, for cross-checks (nCommitted, client acks). */
  committedAt(
    index: number,
  ): { term: number; type: EntryType; data: string; hash: number } | undefined {
    return this.committed[index];
  }

  /** Terms that had a leader. */
  get leaderTerms(): number {
    return this.leaders.size;
  }

  get highestApplied(): number {
    return this.maxCommitted;
  }

  fail(kind: string, message: string): void {
    const { step, time } = this.clock();
    this.violations.push({ kind, message, step, time });
  }

  /**
   * A node became leader of `term`. Election Safety: no other leader in that term, ever.
   * Leader Completeness: every entry committed in an earlier term and applied anywhere so far
   * is in its log with the same term (unless compacted). Entries a later term's leader committed
   * are exempt: a vote granted in this term can arrive after that leader has already committed.
   */
  onLeader(id: NodeId, term: number, log: LogView): void {
    const other = this.leaders.get(term);
    if (other !== undefined && other !== id) {
      this.fail('election-safety', `two leaders in term ${term}: n${other} and n${id}`);
      return;
    }
    this.leaders.set(term, id);
    for (let i = log.snapshotIndex + 1; i <= this.maxCommitted; i++) {
      const rec = this.committed[i];
      if (!rec || rec.committedBy >= term) continue;
      const t = log.term(i);
      if (t !== rec.term) {
        this.fail(
          'leader-completeness',
          `n${id} became leader of term ${term} without committed entry ${i}@t${rec.term} ` +
            `(applied by n${rec.by} at t=${rec.time}ms); its log has ` +
            (t === undefined ? `no entry there (last index ${log.lastIndex})` : `term ${t} there`),
        );
        return;
      }
    }
  }

  /**
   * A node persisted `entries` (contiguous); `prevTerm` is the term of the entry before the
   * first one in that node's log, undefined if compacted. Log Matching, checked inductively:
   * every copy of (index, term) carries the same data and follows the same previous term, so two
   * logs that agree on an entry agree on everything before it.
   */
  onPersist(id: NodeId, entries: readonly Entry[], prevTerm: number | undefined): void {
    let prev = prevTerm;
    for (const e of entries) {
      let byTerm = this.copies[e.index];
      if (!byTerm) this.copies[e.index] = byTerm = new Map();
      const rec = byTerm.get(e.term);
      if (!rec) {
        byTerm.set(e.term, { data: e.data, type: e.type, prevTerm: prev, by: id });
      } else {
        if (rec.data !== e.data || rec.type !== e.type) {
          this.fail(
            'log-matching',
            `two different entries at ${e.index}@t${e.term}: n${rec.by} has ${entryLabel({ ...e, ...rec })}, ` +
              `n${id} has ${entryLabel(e)}`,
          );
          return;
        }
        if (rec.prevTerm === undefined) rec.prevTerm = prev;
        else if (prev !== undefined && prev !== rec.prevTerm) {
          this.fail(
            'log-matching',
            `logs agree on ${e.index}@t${e.term} but not before it: n${rec.by} has term ` +
              `${rec.prevTerm} at ${e.index - 1}, n${id} has term ${prev}`,
          );
          return;
        }
      }
      prev = e.term;
    }
  }

  /** A hard state was persisted: the commit index never goes backwards within a lifetime. */
  onCommit(id: NodeId, commit: number): void {
    const before = this.commit.get(id) ?? 0;
    if (commit < before) {
      this.fail('commit-monotonic', `n${id}'s commit index went from ${before} back to ${commit}`);
      return;
    }
    this.commit.set(id, commit);
  }

  /** The node lost its volatile state. */
  onCrash(id: NodeId): void {
    this.commit.delete(id);
    this.applied.delete(id);
  }

  /**
   * The node restarted: its core must not start below the commit it had persisted, and its state
   * machine starts again from the snapshot on disk.
   */
  onRestart(id: NodeId, commit: number, persistedCommit: number, appliedFrom: number): void {
    if (commit < persistedCommit) {
      this.fail(
        'commit-monotonic',
        `n${id} restarted with commit ${commit}, below the ${persistedCommit} it had persisted`,
      );
    }
    this.commit.set(id, Math.max(commit, persistedCommit));
    this.applied.set(id, appliedFrom);
  }

  /**
   * The node applied `e`, reaching state `hash`; `commit` is the commit index it knows.
   * Applied ≤ committed, entries applied in order without gaps, and State Machine Safety: the
   * first node to apply an index fixes what every other node must apply there.
   */
  onApply(id: NodeId, e: Entry, hash: number, nodeTerm = e.term): void {
    const commit = this.commit.get(id) ?? 0;
    if (e.index > commit) {
      this.fail(
        'applied-le-committed',
        `n${id} applied ${e.index} but its commit index is ${commit}`,
      );
      return;
    }
    const last = this.applied.get(id) ?? 0;
    if (e.index !== last + 1) {
      this.fail('apply-order', `n${id} applied ${e.index} right after ${last}`);
      return;
    }
    this.applied.set(id, e.index);
    const rec = this.committed[e.index];
    if (!rec) {
      const time = this.clock().time;
      const committedBy = Math.max(nodeTerm, e.term);
      this.committed[e.index] = {
        term: e.term,
        type: e.type,
        data: e.data,
        hash,
        by: id,
        time,
        committedBy,
      };
      if (e.index > this.maxCommitted) this.maxCommitted = e.index;
      return;
    }
    rec.committedBy = Math.min(rec.committedBy, Math.max(nodeTerm, e.term));
    if (rec.term !== e.term || rec.data !== e.data || rec.type !== e.type) {
      this.fail(
        'state-machine-safety',
        `n${rec.by} applied ${entryLabel({ index: e.index, ...rec })} but n${id} applied ${entryLabel(e)}`,
      );
    } else if (rec.hash !== hash) {
      this.fail(
        'state-machine-safety',
        `n${id} applied the same entry ${e.index} as n${rec.by} but from a different history (hash)`,
      );
    }
  }

  /** The node's state machine was replaced by a snapshot at `index` (installed or on restart). */
  onRestore(id: NodeId, index: number, hash: number): void {
    this.applied.set(id, index);
    if (index === 0) return;
    const rec = this.committed[index];
    if (rec && rec.hash !== hash) {
      this.fail(
        'state-machine-safety',
        `n${id} installed a snapshot at ${index} whose state differs from what n${rec.by} applied`,
      );
    }
  }

  /** A client saw `cmd` committed at `index` (the node it proposed to applied it there). */
  onAck(cmd: string, index: number): void {
    const rec = this.committed[index];
    if (!rec || rec.data !== cmd) {
      this.fail(
        'client',
        `a client was told ${cmd} committed at ${index}, but ${rec ? entryLabel({ index, ...rec }) : 'nothing'} was applied there`,
      );
      return;
    }
    this.acked.push({ cmd, index });
    if (index > this.maxAcked) this.maxAcked = index;
  }

  /**
   * A linearizable read started when writes up to `ackedAtStart` were acknowledged, and was
   * served from a state machine at `servedIndex`: it must reflect all of them.
   */
  onReadServed(id: NodeId, ctx: string, servedIndex: number, ackedAtStart: number): void {
    if (servedIndex < ackedAtStart) {
      this.fail(
        'linearizable-read',
        `read ${ctx} served by n${id} at applied index ${servedIndex} misses a write ` +
          `acknowledged at index ${ackedAtStart} before the read started`,
      );
    }
  }

  /**
   * End of run: every live member holds every acknowledged write — it applied at least up to
   * the highest acknowledged index, along the one history (its hash there matches).
   */
  checkFinal(nodes: readonly { id: NodeId; applied: number; hash: number }[]): void {
    for (const n of nodes) {
      if (n.applied < this.maxAcked) {
        const missing = this.acked.find((a) => a.index > n.applied)!;
        this.fail(
          'durability',
          `acknowledged ${missing.cmd} (index ${missing.index}) is missing on n${n.id}, ` +
            `which applied only up to ${n.applied}`,
        );
        return;
      }
      const rec = this.committed[n.applied];
      if (n.applied > 0 && (!rec || rec.hash !== n.hash)) {
        this.fail(
          'durability',
          `n${n.id}'s final state at ${n.applied} differs from the committed history`,
        );
        return;
      }
    }
  }
}
