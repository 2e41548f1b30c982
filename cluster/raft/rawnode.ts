import { Raft } from './raft.js';
import type { Storage } from './storage.js';
import type {
  Config,
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  MessageType,
  NodeId,
  Ready,
  SoftState,
  Status,
} from './types.js';

/** Message types that only a node's own driver may produce, never the network. */
const LOCAL_ONLY: ReadonlySet<MessageType> = new Set([
  'hup',
  'beat',
  'checkQuorum',
  'unreachable',
  'prop',
]);

export type RaftFactory = (config: Config, storage: Storage) => Raft;

/**
 * The public face of the core: feed it ticks, messages and requests, collect Ready batches.
 * Single-threaded and deterministic: the same config (including the injected rng), the same
 * storage and the same sequence of calls always produce the same Readys.
 */
export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  /** Committed entries up to this index were handed out in a Ready. */
  private handedOut: number;
  private inFlight: Ready | undefined;
  private lastConfChanges: { index: number; conf: ConfState }[] = [];

  /** `makeRaft` exists for tests that plant bugs in a subclass; production passes nothing. */
  constructor(config: Config, storage: Storage, makeRaft: RaftFactory = (c, s) => new Raft(c, s)) {
    this.raft = makeRaft(config, storage);
    this.prevSoft = this.softState();
    this.prevHard = storage.initialState().hardState;
    this.handedOut = this.raft.raftLog.applied;
  }

  /** One logical clock tick (election and heartbeat timers count ticks). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now, skipping the election timeout (not PreVote). */
  campaign(): void {
    this.raft.hup();
  }

  /**
   * Appends a command on the leader; returns the index and term it was given, so the caller can
   * recognise it among committed entries later (same index and term = the same entry). Throws
   * ProposalDropped when not leader or during a leadership transfer.
   */
  propose(data: string): { index: number; term: number } {
    return this.raft.propose([{ type: 'normal', data }]);
  }

  /** Several commands in one go (one round of appends): returns where the first one landed. */
  proposeBatch(data: readonly string[]): { index: number; term: number } {
    return this.raft.propose(data.map((d) => ({ type: 'normal' as const, data: d })));
  }

  /**
   * A single-server membership change. Throws ProposalDropped if one is still in progress, a
   * promoted learner has not caught up, or the change makes no sense for the current members.
   * The change takes effect on each node when its entry is applied (at advance()).
   */
  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    return this.raft.proposeConfChange(cc);
  }

  /** Feeds a message received from a peer. Local-only message types are ignored. */
  step(m: Message): void {
    if (LOCAL_ONLY.has(m.type)) return;
    this.raft.step(m);
  }

  /**
   * Requests a linearizable read. `context` must be unique across the cluster (prefix it with the
   * node id). A ReadState with it appears in a later Ready once a quorum confirmed this leadership;
   * serve the read when applied ≥ its index. A follower forwards the request to its leader. No
   * answer ever comes from a leader that lost its quorum: callers time out.
   */
  readIndex(context: string): void {
    this.raft.readIndex(context);
  }

  /** Asks the leader (directly or forwarded) to hand leadership to `to` via TimeoutNow. */
  transferLeadership(to: NodeId): void {
    this.raft.transferLeadership(to);
  }

  /** The transport could not reach `id`: stop pipelining to it and probe instead. */
  reportUnreachable(id: NodeId): void {
    this.raft.reportUnreachable(id);
  }

  hasReady(): boolean {
    const r = this.raft;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.raftLog.unstableEntries().length > 0 || r.raftLog.unstableSnapshot()) return true;
    if (r.raftLog.hasNextCommittedEnts(this.handedOut)) return true;
    if (!sameHard(r.hardState(), this.prevHard)) return true;
    const soft = this.softState();
    return soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role;
  }

  /**
   * The work to do now. Handle it as {@link Ready} says (persist, then send, then apply) and call
   * advance() before asking for the next one.
   */
  ready(): Ready {
    if (this.inFlight) throw new Error('ready() called again before advance()');
    const r = this.raft;
    const log = r.raftLog;
    const snapshot = log.unstableSnapshot();
    if (snapshot) this.handedOut = Math.max(this.handedOut, snapshot.metadata.index);
    const committedEntries = log.nextCommittedEnts(this.handedOut, Infinity);
    const hard = r.hardState();
    const soft = this.softState();
    const rd: Ready = {
      softState:
        soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role ? soft : undefined,
      hardState: sameHard(hard, this.prevHard) ? undefined : hard,
      entries: log.unstableEntries().slice(),
      snapshot,
      committedEntries,
      messages: r.msgs,
      readStates: r.readStates,
    };
    r.msgs = [];
    r.readStates = [];
    if (committedEntries.length > 0)
      this.handedOut = committedEntries[committedEntries.length - 1].index;
    this.inFlight = rd;
    return rd;
  }

  /** The last Ready was persisted, sent and applied. Membership changes take effect here. */
  advance(): void {
    this.lastConfChanges = [];
    const rd = this.inFlight;
    if (!rd) throw new Error('advance() without a Ready');
    this.inFlight = undefined;
    const log = this.raft.raftLog;
    if (rd.softState) this.prevSoft = rd.softState;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.metadata.index);
      log.applied = Math.max(log.applied, rd.snapshot.metadata.index);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      log.stableTo(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) {
      this.applyConfChanges(rd.committedEntries);
      log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1].index);
    }
  }

  private applyConfChanges(ents: readonly Entry[]): void {
    this.lastConfChanges = [];
    for (const e of ents) {
      if (e.type !== 'conf') continue;
      this.raft.applyConfChange(JSON.parse(e.data) as ConfChange);
      this.lastConfChanges.push({ index: e.index, conf: this.raft.tracker.confState() });
    }
  }

  /**
   * The configuration in force after each conf entry the last advance() applied, in log order
   * (a batch may hold several: a restarted node replays its committed entries together).
   */
  appliedConfChanges(): readonly { readonly index: number; readonly conf: ConfState }[] {
    return this.lastConfChanges;
  }

  status(): Status {
    return this.raft.status();
  }

  /**
   * The term of the entry at `index` in this node's log (stable or not), or undefined when it is
   * compacted away or beyond the last index.
   */
  logTerm(index: number): number | undefined {
    return this.raft.raftLog.term(index);
  }

  private softState(): SoftState {
    return { leader: this.raft.lead, role: this.raft.role };
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
