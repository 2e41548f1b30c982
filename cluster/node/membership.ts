/**
 * Membership as the node layer sees it: single-server changes proposed here, the addresses of
 * members that joined (from their addLearner entry), and the configuration in force at each
 * index, which a snapshot must record.
 *
 * Invariant: `confAt(i)` is exact for every i at or above the newest snapshot's index; history
 * below it is trimmed (no snapshot can be taken there any more).
 */
import type { ConfChange, ConfState, Entry, NodeId, RawNode } from '../raft/index.js';
import type { Clock } from './clock.js';
import type { ControlRequest } from './control.js';
import type { Logger } from './log.js';
import { PeerRegistry } from './peers.js';
import { NoQuorumError, NotLeaderError } from './service.js';
import { WaiterMap } from './waiters.js';

export type MembershipChange = Extract<ControlRequest, { type: 'confChange' }>['change'];

export interface MembershipDeps {
  readonly raw: RawNode;
  readonly clock: Clock;
  readonly peers: PeerRegistry;
  readonly log: Logger;
  readonly isLeader: () => boolean;
  readonly leader: () => NodeId;
  /** How long a change may take to apply before the caller hears NoQuorum. */
  readonly timeoutMs: number;
  readonly drain: () => void;
}

export class Membership {
  /** The configuration after each batch that changed it, oldest first; [0] is the base. */
  private history: { index: number; conf: ConfState }[];
  /** Changes proposed here, by log index, waiting to be applied. */
  private readonly waiters: WaiterMap<number, Entry>;

  constructor(
    private readonly d: MembershipDeps,
    initial: { index: number; conf: ConfState },
  ) {
    this.history = [initial];
    this.waiters = new WaiterMap(d.clock);
  }

  /**
   * Proposes a change (leader only). Resolves with its index once applied here; rejects with
   * NotLeaderError, ProposalDropped (another change is in progress, or a learner promoted before
   * it caught up) or NoQuorumError.
   */
  async change(change: MembershipChange): Promise<number> {
    const d = this.d;
    if (!d.isLeader()) throw new NotLeaderError(d.leader());
    const cc: ConfChange =
      change.type === 'addLearner'
        ? { type: 'addLearner', nodeId: change.nodeId, context: JSON.stringify(change.address) }
        : { type: change.type, nodeId: change.nodeId };
    const at = d.raw.proposeConfChange(cc);
    const applied = this.waiters.wait(
      at.index,
      d.timeoutMs,
      () => new NoQuorumError(`the membership change at index ${at.index} was not applied in time`),
    );
    d.drain();
    const e = await applied;
    if (e.term !== at.term) throw new NotLeaderError(d.leader());
    return at.index;
  }

  /**
   * After advance(): the core applied the batch's conf entries. Returns the configuration now
   * in force if it changed, else undefined.
   */
  onCommitted(entries: readonly Entry[]): ConfState | undefined {
    if (!entries.some((e) => e.type === 'conf')) return undefined;
    for (const e of entries) if (e.type === 'conf') this.onConfApplied(e);
    // Each change at its own index: a snapshot inside the batch must carry the right one.
    const changes = this.d.raw.appliedConfChanges();
    for (const c of changes) this.history.push({ index: c.index, conf: c.conf });
    return changes[changes.length - 1]?.conf;
  }

  /** The configuration in force at `index` (at or above the newest snapshot). */
  confAt(index: number): ConfState {
    let conf = this.history[0].conf;
    for (const h of this.history) if (h.index <= index) conf = h.conf;
    return conf;
  }

  /**
   * A snapshot from the leader replaced the log: its configuration is the one in force at its
   * index, and everything this node recorded before (or after: a newer log was cut) is gone.
   */
  onSnapshotInstalled(index: number, conf: ConfState): void {
    this.history = [{ index, conf }];
  }

  /** A snapshot at `index` exists: history before it is never asked for again. */
  trimBefore(index: number): void {
    let base = 0;
    for (let i = 0; i < this.history.length; i++) if (this.history[i].index <= index) base = i;
    if (base > 0) this.history = this.history.slice(base);
  }

  /** Entries of history kept (for tests: it must not grow without bound). */
  get historyLength(): number {
    return this.history.length;
  }

  close(error: Error): void {
    this.waiters.rejectAll(error);
  }

  private onConfApplied(e: Entry): void {
    const cc = JSON.parse(e.data) as ConfChange;
    if (cc.type === 'addLearner') {
      const address = PeerRegistry.parseContext(cc.context);
      if (address) this.d.peers.learn(cc.nodeId, address);
      else if (this.d.peers.get(cc.nodeId) === undefined)
        this.d.log.warn(`n${cc.nodeId} joined without an address: it cannot be reached from here`);
    }
    this.d.log.info(`membership: ${cc.type} n${cc.nodeId} applied at ${e.index}`);
    this.waiters.resolve(e.index, e);
  }
}
