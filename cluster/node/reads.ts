/**
 * Read barriers: before a read is served from this node's MySQL, the node must have applied
 * everything a linearizable (ReadIndex) or leader (lease) read requires.
 *
 * ReadIndex: the leader confirms with a quorum that it is still leader at its commit index;
 * a follower asks the leader. The lease: CheckQuorum deposes a leader that has not heard from a
 * quorum for an election timeout, and a new leader needs at least that long to be elected, so
 * the leader's commit index is current without a round trip — once it has committed an entry
 * of its own term (until then its commit index may be stale: ReadIndex is used instead).
 */
import type { NodeId, RawNode } from '../raft/index.js';
import type { MySqlStatus } from '../api/node.js';
import { MySqlUnavailableError } from '../../db/errors.js';
import type { Clock } from './clock.js';
import { NoQuorumError, NotLeaderError } from './service.js';
import { ThresholdWaiters, WaiterMap } from './waiters.js';

export interface ReadsDeps {
  readonly id: NodeId;
  readonly raw: RawNode;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly isLeader: () => boolean;
  readonly leader: () => NodeId;
  readonly mysqlStatus: () => MySqlStatus;
  readonly appliedIndex: () => number;
  readonly drain: () => void;
}

export class Reads {
  private readonly pending: WaiterMap<string, number>;
  private readonly appliedWaiters: ThresholdWaiters;
  private seq = 0;

  constructor(protected readonly d: ReadsDeps) {
    this.pending = new WaiterMap(d.clock);
    this.appliedWaiters = new ThresholdWaiters(d.clock);
  }

  async barrier(mode: 'linearizable' | 'leader'): Promise<void> {
    const d = this.d;
    if (d.mysqlStatus() !== 'up') {
      throw new MySqlUnavailableError(
        `this node's MySQL is ${d.mysqlStatus()}: cannot serve reads`,
      );
    }
    const deadline = d.clock.now() + d.requestTimeoutMs;
    let index: number;
    if (mode === 'leader') {
      if (!d.isLeader()) throw new NotLeaderError(d.leader());
      index = this.leaseIndex() ?? (await this.readIndex(deadline));
    } else {
      index = await this.readIndex(deadline);
    }
    await this.appliedWaiters.wait(
      d.appliedIndex(),
      index,
      Math.max(1, deadline - d.clock.now()),
      () =>
        d.mysqlStatus() !== 'up'
          ? new MySqlUnavailableError(`MySQL is ${d.mysqlStatus()}: cannot serve the read`)
          : new NoQuorumError(`this node did not apply up to ${index} in time`),
    );
  }

  /**
   * The index a leader read may be served at without a round trip, or undefined when the lease
   * cannot vouch for it: this node leads and has committed an entry of its own term (until
   * then its commit index may be stale).
   */
  protected leaseIndex(): number | undefined {
    const st = this.d.raw.status();
    return st.role === 'leader' && this.d.raw.logTerm(st.commit) === st.term
      ? st.commit
      : undefined;
  }

  /** The core confirmed a read at `index` (a ReadState). */
  onReadState(context: string, index: number): void {
    this.pending.resolve(context, index);
  }

  onApplied(applied: number): void {
    this.appliedWaiters.reached(applied);
  }

  /**
   * Asks again for every pending read: a request is lost when it meets a follower that knows no
   * leader, or a dropped link. (A leader keeps its own pending reads and retries them itself.)
   */
  resend(): void {
    for (const ctx of this.pending.keys()) this.d.raw.readIndex(ctx);
  }

  close(error: Error): void {
    this.pending.rejectAll(error);
    this.appliedWaiters.rejectAll(error);
  }

  private readIndex(deadline: number): Promise<number> {
    const d = this.d;
    const ctx = `n${d.id}.${++this.seq}`;
    const p = this.pending.wait(ctx, Math.max(1, deadline - d.clock.now()), () => {
      const leader = d.leader();
      return new NoQuorumError(
        leader === 0
          ? 'no leader is known: a linearizable read needs a quorum'
          : `no quorum confirmed the leader (n${leader}) in time: a linearizable read needs one`,
      );
    });
    d.raw.readIndex(ctx);
    d.drain();
    return p;
  }
}
