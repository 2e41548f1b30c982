import type { Message, MessageType, NodeId } from '../raft/index.js';
import type { EventQueue } from './queue.js';
import type { SimRng } from './rng.js';
import { formatMessage, type Trace } from './trace.js';

/** Faults on one directed link (from → to). Unset fields fall back to the network's mode. */
export interface LinkFaults {
  /** Probability that a message is lost. */
  readonly drop?: number;
  /** Delivery delay, uniform in [minDelayMs, maxDelayMs]. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Probability that a message is delivered twice (each copy with its own delay). */
  readonly duplicate?: number;
}

export interface MessageCounts {
  /** Messages handed to the network by the cores (what 6.824's rpcCount measures). */
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Estimated wire size of everything sent (see {@link messageBytes}). */
  bytes: number;
  byType: Partial<Record<MessageType, number>>;
}

/** What happened to a message at send time. `unreachable`: no connection to the peer at all. */
export type SendOutcome = 'queued' | 'dropped' | 'unreachable';

/** 6.824's unreliable network: lose ~10% and delay everything by 0..27 ms. */
export const UNRELIABLE_DROP = 0.1;
export const UNRELIABLE_MAX_DELAY_MS = 27;
/** 6.824's "long reordering": some messages arrive 200..2000 ms late. */
export const LONG_REORDER_PROBABILITY = 0.2;

/**
 * The simulated network. Every message becomes a delivery event on the queue, so the order in
 * which messages arrive is decided by the seed alone. A reliable link behaves like a TCP
 * connection (small delay, first in first out); faults are layered on top:
 *  - per directed link: drop, delay range, duplicate;
 *  - global modes: `unreliable` (6.824: drop 10%, delay 0..27 ms, duplicates, reordering) and
 *    `longReordering` (a fifth of messages held back 200..2000 ms);
 *  - partitions as groups: messages between groups are lost;
 *  - disconnect (6.824): a disconnected node neither sends nor receives.
 * Connectivity is checked when a message is sent and again when it arrives, so a partition
 * that starts while a message is in flight cuts it off, as a broken connection would.
 */
export class Network {
  unreliable = false;
  longReordering = false;
  /** Delay range of a reliable link. Small but non-zero, so messages from different peers interleave. */
  baseMinDelayMs = 1;
  baseMaxDelayMs = 3;

  private readonly links = new Map<number, LinkFaults>();
  /** Partition group of each node; empty when the network is whole. */
  private readonly groups = new Map<NodeId, number>();
  private readonly disconnected = new Set<NodeId>();
  /** Per reliable link: when its last message arrives, to keep FIFO order. */
  private readonly lastArrival = new Map<number, number>();
  private counts: MessageCounts = emptyCounts();
  /** When the last message queued so far arrives (in-flight messages outlive a heal). */
  private lastScheduledArrival = 0;
  /**
   * Probability that a message still in flight when its sender crashes is lost, as data still in
   * a dead process's socket buffers would be. Without it, a leader that crashes right after
   * sending always gets its last words out, which hides Figure-8-style histories.
   */
  crashLoss = 0.5;
  /**
   * Told that node `at`'s connection to `peer` broke, as a TCP transport learns it: when `peer`
   * crashes (its sockets close at once) and, more often than real TCP would, whenever a
   * partition or disconnection cuts the pair. Nodes feed it to the core as reportUnreachable,
   * so the core's shortened wait after a link drop is exercised under crashes and partitions
   * alike (it must keep every lease safe either way).
   */
  onLinkDown: ((at: NodeId, peer: NodeId) => void) | undefined;

  constructor(
    private readonly rng: SimRng,
    private readonly queue: EventQueue,
    private readonly clock: () => number,
    /** Hands a message to its destination (the cluster drops it if that node is down). */
    private readonly deliver: (m: Message) => void,
    private readonly trace: () => Trace | undefined = () => undefined,
    /** How many times a node has crashed (to tell whether a sender crashed since sending). */
    private readonly crashes: (id: NodeId) => number = () => 0,
  ) {}

  send(m: Message): SendOutcome {
    const c = this.counts;
    c.sent++;
    c.byType[m.type] = (c.byType[m.type] ?? 0) + 1;
    c.bytes += messageBytes(m);
    const trace = this.trace();
    if (!this.canTalk(m.from, m.to)) {
      c.dropped++;
      trace?.log(`${formatMessage(m)} (cut off)`);
      return 'unreachable';
    }
    const key = linkKey(m.from, m.to);
    const link = this.links.get(key);
    let drop = link?.drop ?? 0;
    let duplicate = link?.duplicate ?? 0;
    if (this.unreliable) {
      drop = Math.max(drop, UNRELIABLE_DROP);
      duplicate = Math.max(duplicate, 0.05);
    }
    if (this.rng.chance(drop)) {
      c.dropped++;
      trace?.log(`${formatMessage(m)} (lost)`);
      return 'dropped';
    }
    const copies = this.rng.chance(duplicate) ? 2 : 1;
    if (copies === 2) c.duplicated++;
    const epoch = this.crashes(m.from);
    for (let i = 0; i < copies; i++) {
      const at = this.arrivalTime(key, link);
      this.lastScheduledArrival = Math.max(this.lastScheduledArrival, at);
      this.queue.push(at, () => this.arrive(m, epoch));
    }
    return 'queued';
  }

  private arrivalTime(key: number, link: LinkFaults | undefined): number {
    const now = this.clock();
    const fifo = !this.unreliable && !this.longReordering && link === undefined;
    let lo = link?.minDelayMs ?? this.baseMinDelayMs;
    let hi = link?.maxDelayMs ?? this.baseMaxDelayMs;
    if (this.unreliable) {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, UNRELIABLE_MAX_DELAY_MS);
    }
    let delay = this.rng.range(lo, hi);
    if (this.longReordering && this.rng.chance(LONG_REORDER_PROBABILITY)) {
      // labrpc's shape: mostly a few hundred ms, sometimes up to two seconds.
      delay = 200 + this.rng.int(1 + this.rng.int(1800));
    }
    let at = now + delay;
    if (fifo) {
      at = Math.max(at, this.lastArrival.get(key) ?? 0);
      this.lastArrival.set(key, at);
    }
    return at;
  }

  private arrive(m: Message, epoch: number): void {
    if (!this.canTalk(m.from, m.to)) {
      this.counts.dropped++;
      this.trace()?.log(`${formatMessage(m)} (cut off in flight)`);
      return;
    }
    if (this.crashes(m.from) !== epoch && this.rng.chance(this.crashLoss)) {
      this.counts.dropped++;
      this.trace()?.log(`${formatMessage(m)} (lost: the sender crashed)`);
      return;
    }
    this.counts.delivered++;
    this.deliver(m);
  }

  /** Both ends connected and in the same partition group. */
  canTalk(a: NodeId, b: NodeId): boolean {
    if (this.disconnected.has(a) || this.disconnected.has(b)) return false;
    if (this.groups.size === 0) return true;
    return this.groupOf(a) === this.groupOf(b);
  }

  /** Nodes not named in any group share one extra group (e.g. nodes added during a partition). */
  private groupOf(id: NodeId): number {
    return this.groups.get(id) ?? -1;
  }

  /** Reports every pair of `nodes` that `change` (a partition, a disconnection) cut apart. */
  cutting(nodes: readonly NodeId[], change: () => void): void {
    const before = new Set<number>();
    for (const a of nodes)
      for (const b of nodes) if (a !== b && this.canTalk(a, b)) before.add(linkKey(a, b));
    change();
    for (const a of nodes)
      for (const b of nodes)
        if (before.has(linkKey(a, b)) && !this.canTalk(a, b)) this.linkDown(a, b);
  }

  /** Node `id` crashed: every other node's connection to it closes. */
  crashed(id: NodeId, nodes: readonly NodeId[]): void {
    for (const a of nodes) if (a !== id) this.linkDown(a, id);
  }

  /** The sockets' close arrives like a message would: after the smallest link delay. */
  private linkDown(at: NodeId, peer: NodeId): void {
    const listener = this.onLinkDown;
    if (listener === undefined) return;
    this.trace()?.log(`LINK DOWN n${at} -> n${peer}`);
    this.queue.push(this.clock() + this.baseMinDelayMs, () => listener(at, peer));
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groups.clear();
    groups.forEach((g, i) => g.forEach((id) => this.groups.set(id, i)));
  }

  /** Removes partitions, disconnections, link faults and the unreliable modes. */
  heal(): void {
    this.groups.clear();
    this.disconnected.clear();
    this.links.clear();
    this.unreliable = false;
    this.longReordering = false;
  }

  /**
   * When every message sent so far has arrived (or been lost). Messages held back by a fault
   * mode keep their late arrival after `heal()`: the faults are over only once they have landed.
   */
  inFlightUntil(): number {
    return this.lastScheduledArrival;
  }

  disconnect(id: NodeId): void {
    this.disconnected.add(id);
  }

  connect(id: NodeId): void {
    this.disconnected.delete(id);
  }

  isConnected(id: NodeId): boolean {
    return !this.disconnected.has(id);
  }

  setLink(from: NodeId, to: NodeId, faults: LinkFaults): void {
    this.links.set(linkKey(from, to), faults);
  }

  clearLink(from: NodeId, to: NodeId): void {
    this.links.delete(linkKey(from, to));
  }

  clearLinks(): void {
    this.links.clear();
  }

  messageCounts(): MessageCounts {
    return { ...this.counts, byType: { ...this.counts.byType } };
  }

  resetCounts(): void {
    this.counts = emptyCounts();
  }
}

function linkKey(from: NodeId, to: NodeId): number {
  return from * 65536 + to;
}

function emptyCounts(): MessageCounts {
  return { sent: 0, delivered: 0, dropped: 0, duplicated: 0, bytes: 0, byType: {} };
}

/**
 * An estimate of a message's encoded size: a fixed header plus the variable parts. Good enough
 * to compare runs and to bound bandwidth in tests, without paying for JSON.stringify per message.
 */
export function messageBytes(m: Message): number {
  let n = 48;
  if (m.entries) for (const e of m.entries) n += 24 + e.data.length;
  if (m.snapshot) n += 64 + m.snapshot.data.length;
  if (m.context) n += m.context.length;
  return n;
}
