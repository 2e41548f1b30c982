/**
 * Bugs planted in the node layer (cluster/node), as test-only subclasses of the production
 * RaftNode that override the factories of its parts. The node-level simulator
 * (`npm run sim -- --driver node`) must catch each one within a bounded sweep of seeds
 * (test/sim/node-driver/planted-node-bugs.test.ts); production code has no switch for them.
 */
import { RawNode, type Config, type Entry, type Ready } from '../../cluster/raft/index.js';
import type { LogStore } from '../../cluster/node/wal/log-store.js';
import { LinkDropIgnoresLeaseRaft } from './buggy-cores.js';
import { RaftNode, type RaftNodeDeps } from '../../cluster/node/raft-node.js';
import { ReadyDriver, type ReadyIO } from '../../cluster/node/ready-driver.js';
import { Proposals, type ProposalsDeps } from '../../cluster/node/proposals.js';
import { Reads, type ReadsDeps } from '../../cluster/node/reads.js';

/**
 * Answers before its entries are durable: the Ready whose entries are still being fdatasync'ed
 * is sent, applied and advanced at once (the leader counts its own copy of an entry towards the
 * quorum, and a follower acknowledges it, while both may still lose it at a power cut).
 */
class AckBeforeDurableDriver extends ReadyDriver {
  private syncPending = false;

  override handleNext(): boolean {
    return !this.syncPending && super.handleNext();
  }

  protected override handle(rd: Ready): void {
    if (this.io.appendAsync === undefined || rd.entries.length === 0 || rd.snapshot) {
      super.handle(rd);
      return;
    }
    const hardState = this.io.hardStateToPersist ? this.io.hardStateToPersist(rd) : rd.hardState;
    if (hardState !== undefined) {
      super.handle(rd);
      return;
    }
    this.syncPending = true;
    this.io.appendAsync(rd.entries, () => {
      this.syncPending = false;
      this.drain();
    });
    this.complete(rd);
  }
}

export class AckBeforeDurableNode extends RaftNode {
  static override create(deps: RaftNodeDeps): RaftNode {
    return new AckBeforeDurableNode(deps);
  }

  protected override makeReadyDriver(raw: RawNode, io: ReadyIO): ReadyDriver {
    return new AckBeforeDurableDriver(raw, io);
  }
}

/**
 * Serves leader reads on a lease that has run out: a node that once led serves them at the
 * commit index it last had as leader for three election timeouts after losing leadership, by
 * its own clock, without asking anyone. A deposed, partitioned leader answers stale reads.
 */
class ExpiredLeaseReads extends Reads {
  private lastLed = Number.NEGATIVE_INFINITY;
  private lastCommit = 0;

  private readonly leaseMs: number;

  constructor(d: ReadsDeps, leaseMs: number) {
    // The node's own leader check is replaced by this node's belief (set once built).
    const self: { reads?: ExpiredLeaseReads } = {};
    super({ ...d, isLeader: () => self.reads!.believesLeader() });
    self.reads = this;
    this.leaseMs = leaseMs;
  }

  private believesLeader(): boolean {
    const st = this.d.raw.status();
    const now = this.d.clock.now();
    if (st.role === 'leader') {
      this.lastLed = now;
      this.lastCommit = st.commit;
      return true;
    }
    return now - this.lastLed < this.leaseMs;
  }

  protected override leaseIndex(): number | undefined {
    if (!this.believesLeader()) return undefined;
    const st = this.d.raw.status();
    return st.role === 'leader' ? super.leaseIndex() : this.lastCommit;
  }
}

export class ExpiredLeaseNode extends RaftNode {
  static override create(deps: RaftNodeDeps): RaftNode {
    return new ExpiredLeaseNode(deps);
  }

  protected override makeReads(d: ReadsDeps): Reads {
    const { electionTicks, tickMs } = this.config.timers;
    return new ExpiredLeaseReads(d, 3 * electionTicks * tickMs);
  }
}

/**
 * Answers a write for whatever entry was applied at its index: when a new leader overwrote the
 * index with its own entry, the client is told its write succeeded though it was never
 * committed (the term check in Proposals is the one thing that prevents it).
 */
class AnyEntryProposals extends Proposals {
  protected override landed(_entry: Entry, _proposedTerm: number): boolean {
    return true;
  }
}

export class AnswerOverwrittenNode extends RaftNode {
  static override create(deps: RaftNodeDeps): RaftNode {
    return new AnswerOverwrittenNode(deps);
  }

  protected override makeProposals(d: ProposalsDeps): Proposals {
    return new AnyEntryProposals(d);
  }
}

/** The production node over a core that campaigns a tick after its link to the leader drops. */
export class LinkDropNoLeaseNode extends RaftNode {
  static override create(deps: RaftNodeDeps): RaftNode {
    return new LinkDropNoLeaseNode(deps);
  }

  protected override makeRawNode(config: Config, storage: LogStore): RawNode {
    return new RawNode(config, storage, (c, s) => new LinkDropIgnoresLeaseRaft(c, s));
  }
}

/** The planted node bugs by name, each as a way to build the node. */
export const PLANTED_NODE_BUGS = {
  'ack-before-durable': (deps: RaftNodeDeps) => AckBeforeDurableNode.create(deps),
  'expired-lease-read': (deps: RaftNodeDeps) => ExpiredLeaseNode.create(deps),
  'answer-overwritten-entry': (deps: RaftNodeDeps) => AnswerOverwrittenNode.create(deps),
  'link-drop-ignores-lease': (deps: RaftNodeDeps) => LinkDropNoLeaseNode.create(deps),
} as const;
