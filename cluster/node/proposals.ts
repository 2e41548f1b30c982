/**
 * Client writes on the leader: gathered for one turn of the event loop and proposed as one
 * Raft append (one fdatasync for many writes), then answered when their entry is applied.
 *
 * An answer is given only for the entry this leader proposed: if another leader's entry took
 * the index (a term change), the write was never committed and the client hears NotLeader.
 */
import { ProposalDropped, type Entry, type NodeId, type RawNode } from '../raft/index.js';
import type { CommandResult, TaskCommand } from '../api/task.js';
import type { MySqlStatus } from '../api/node.js';
import { MySqlUnavailableError } from '../../db/errors.js';
import type { Clock } from './clock.js';
import { NoQuorumError, NotLeaderError, type CommittedWrite } from './service.js';
import { WaiterMap } from './waiters.js';

/** Proposals flushed into one Raft append at most (the rest wait for the next flush). */
export const MAX_PROPOSALS_PER_FLUSH = 512;

interface PendingProposal {
  readonly data: string;
  readonly resolve: (w: CommittedWrite) => void;
  readonly reject: (e: Error) => void;
}

/** A proposal's entry was applied: the entry as it ended up in the log, and the answer. */
interface AppliedEntry {
  readonly entry: Entry;
  readonly result: CommandResult | null;
}

export interface ProposalsDeps {
  readonly raw: RawNode;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly isLeader: () => boolean;
  readonly leader: () => NodeId;
  readonly commitIndex: () => number;
  readonly mysqlStatus: () => MySqlStatus;
  /** Hands the new entries to the Ready loop. */
  readonly drain: () => void;
}

export class Proposals {
  private pending: PendingProposal[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly applied: WaiterMap<number, AppliedEntry>;

  constructor(private readonly d: ProposalsDeps) {
    this.applied = new WaiterMap(d.clock);
  }

  propose(command: TaskCommand): Promise<CommittedWrite> {
    if (this.closed) return Promise.reject(new NoQuorumError('the node is shutting down'));
    if (!this.d.isLeader()) return Promise.reject(new NotLeaderError(this.d.leader()));
    return new Promise((resolve, reject) => {
      this.pending.push({ data: JSON.stringify(command), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // Requests arriving in the same turn of the event loop share one append.
        this.d.clock.soon(() => this.flush());
      }
    });
  }

  /** An entry was applied with this answer (null for no-ops and conf entries). */
  onApplied(entry: Entry, result: CommandResult | null): void {
    this.applied.resolve(entry.index, { entry, result });
  }

  /** This node is no longer leader: writes not yet proposed cannot be. */
  onLeaderLost(leader: NodeId): void {
    if (this.pending.length === 0) return;
    const err = new NotLeaderError(leader);
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  close(error: Error): void {
    this.closed = true;
    for (const p of this.pending.splice(0)) p.reject(error);
    this.applied.rejectAll(error);
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.pending.length > 0 && !this.closed) {
      const batch = this.pending.splice(0, MAX_PROPOSALS_PER_FLUSH);
      if (!this.d.isLeader()) {
        const err = new NotLeaderError(this.d.leader());
        for (const p of batch) p.reject(err);
        continue;
      }
      let at: { index: number; term: number };
      try {
        at = this.d.raw.proposeBatch(batch.map((p) => p.data));
      } catch (e) {
        if (!(e instanceof ProposalDropped)) throw e;
        const err = new NotLeaderError(this.d.leader());
        for (const p of batch) p.reject(err);
        continue;
      }
      batch.forEach((p, i) => this.track(p, at.index + i, at.term));
    }
    this.d.drain();
  }

  /**
   * Whether the entry applied at a proposal's index is the proposal itself: only if it has the
   * term it was proposed in (a new leader may have overwritten the index with its own entry).
   */
  protected landed(entry: Entry, proposedTerm: number): boolean {
    return entry.term === proposedTerm;
  }

  private track(p: PendingProposal, index: number, term: number): void {
    const timeoutMs = this.d.requestTimeoutMs;
    this.applied
      .wait(index, timeoutMs, () => {
        const mysql = this.d.mysqlStatus();
        return this.d.commitIndex() >= index && mysql !== 'up'
          ? new MySqlUnavailableError(
              `the write committed at index ${index} but this node's MySQL is ${mysql}; ` +
                'it will be applied when MySQL returns',
            )
          : new NoQuorumError(
              `no quorum confirmed the write (index ${index}) within ${timeoutMs} ms; ` +
                'it may still be applied: retry with the same Idempotency-Key',
            );
      })
      .then(({ entry, result }) => {
        if (!this.landed(entry, term)) {
          // Another leader's entry took this index: ours was never committed.
          p.reject(new NotLeaderError(this.d.leader()));
        } else if (result === null) {
          p.reject(new Error(`the state machine gave no answer for entry ${index}`));
        } else {
          // A retried Idempotency-Key is answered as the first attempt was, where it landed.
          const { entry: first, ...answer } = result;
          p.resolve({ result: answer, index: first?.index ?? index, term: first?.term ?? term });
        }
      }, p.reject);
  }
}
