/**
 * Peer transports inside one process: a MemoryNetwork is the hub, and each node attaches its
 * MemoryTransport with `network.transport(id, handlers)`. For the deterministic simulation and
 * fast tests: everything happens on the network's Clock, nothing on sockets.
 *
 * As over TCP: each message is copied by a JSON round trip when sent (the receiver never shares
 * an object with the sender, and what JSON cannot carry is lost the same way), messages on a link
 * arrive in the order sent or not at all, and a message that reaches a node not started or closed
 * is lost and reported once to the sender with `onUnreachable` (until a delivery succeeds again).
 * Unlike TCP, an exception thrown by a handler is not caught: it reaches the clock that ran the
 * delivery, so a simulation fails loudly instead of logging.
 */
import type { Message, NodeId } from '../../raft/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { PeerAddress, PeerTransport, TransportHandlers } from './peer-transport.js';
import { NETWORK_MESSAGE_TYPES } from './validate.js';

/** What becomes of one message: delivered after `delayMs`, or lost. */
export type MemoryFate =
  { readonly deliver: true; readonly delayMs: number } | { readonly deliver: false };

export interface MemoryNetworkOptions {
  /** Runs the deliveries. */
  readonly clock: Clock;
  /** Delay of every message in ms. Default 0: delivered by `clock.soon`, after the current turn. */
  readonly delayMs?: number;
  /**
   * Decides each message's fate instead of `delayMs` (e.g. a simulator's own network model).
   * A delay is a minimum: a message never overtakes an earlier one on its link.
   */
  readonly fate?: (m: Message) => MemoryFate;
}

export interface MemoryTransportStats {
  /** Messages accepted for delivery. */
  readonly sent: number;
  /** Messages handed to `onMessage`. */
  readonly received: number;
  /** Messages sent but lost: refused, fate, peer down or removed, transport closed. */
  readonly dropped: number;
  /** Messages to an id that is not a peer (or this node). */
  readonly unroutable: number;
}

/** How a transport is reached by the others, kept by the network. */
interface Endpoint {
  readonly running: () => boolean;
  readonly deliver: (m: Message) => void;
}

/** What a transport needs of its network. */
interface Wire {
  readonly clock: Clock;
  readonly fate: (m: Message) => MemoryFate;
  readonly endpoint: (id: NodeId) => Endpoint | undefined;
}

interface Link {
  /** Arrival times never decrease along the queue (FIFO), so its head is the next one due. */
  readonly queue: { readonly at: number; readonly m: Message }[];
  armed: boolean;
  timer: TimerHandle | undefined;
  /** Unreachable was reported since the last delivery that succeeded. */
  failing: boolean;
}

export class MemoryNetwork {
  private readonly endpoints = new Map<NodeId, Endpoint>();
  private readonly wire: Wire;

  constructor(opts: MemoryNetworkOptions) {
    const delayMs = opts.delayMs ?? 0;
    if (!(delayMs >= 0 && Number.isFinite(delayMs))) {
      throw new RangeError(`delayMs must be >= 0, got ${delayMs}`);
    }
    const fixed: MemoryFate = { deliver: true, delayMs };
    this.wire = {
      clock: opts.clock,
      fate: opts.fate ?? (() => fixed),
      endpoint: (id) => this.endpoints.get(id),
    };
  }

  /** Attaches node `id`; throws if a transport of that id is attached and not closed. */
  transport(id: NodeId, handlers: TransportHandlers): MemoryTransport {
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new RangeError(`node id must be a positive integer, got ${id}`);
    }
    const old = this.endpoints.get(id);
    if (old?.running()) throw new Error(`node ${id} is already attached to the network`);
    return new MemoryTransport(id, handlers, this.wire, (e) => this.endpoints.set(id, e));
  }
}

export class MemoryTransport implements PeerTransport {
  private state: 'new' | 'running' | 'closed' = 'new';
  private peers = new Set<NodeId>();
  private readonly links = new Map<NodeId, Link>();
  private counts = { sent: 0, received: 0, dropped: 0, unroutable: 0 };

  /** Made by `MemoryNetwork.transport`. */
  constructor(
    readonly id: NodeId,
    private readonly handlers: TransportHandlers,
    private readonly wire: Wire,
    attach: (e: Endpoint) => void,
  ) {
    attach({ running: () => this.state === 'running', deliver: (m) => this.receive(m) });
  }

  start(): Promise<void> {
    if (this.state !== 'new') return Promise.reject(new Error(`transport already ${this.state}`));
    this.state = 'running';
    return Promise.resolve();
  }

  /** Never throws; a message that cannot go (see the stats) is dropped and counted. */
  send(m: Message): void {
    if (this.state !== 'running') return;
    if (!this.peers.has(m.to)) {
      this.counts.unroutable++;
      return;
    }
    // What the TCP transport would refuse to send (the receiver would refuse it).
    if (m.from !== this.id || !NETWORK_MESSAGE_TYPES.has(m.type)) {
      this.counts.dropped++;
      return;
    }
    const fate = this.wire.fate(m);
    if (!fate.deliver) {
      this.counts.dropped++;
      return;
    }
    const copy = JSON.parse(JSON.stringify(m)) as Message;
    this.counts.sent++;
    let link = this.links.get(m.to);
    if (!link) {
      link = { queue: [], armed: false, timer: undefined, failing: false };
      this.links.set(m.to, link);
    }
    const last = link.queue[link.queue.length - 1];
    const at = Math.max(this.wire.clock.now() + fate.delayMs, last ? last.at : -Infinity);
    link.queue.push({ at, m: copy });
    this.arm(m.to, link);
  }

  /** Only the ids count here; messages still in flight to a removed peer are dropped. */
  setPeers(peers: ReadonlyMap<NodeId, PeerAddress>): void {
    if (this.state === 'closed') return;
    this.peers = new Set([...peers.keys()].filter((id) => id !== this.id));
    for (const to of [...this.links.keys()]) if (!this.peers.has(to)) this.dropLink(to);
  }

  /** Drops every message still in flight from this node; later arrivals to it are lost. */
  close(): Promise<void> {
    this.state = 'closed';
    for (const to of [...this.links.keys()]) this.dropLink(to);
    return Promise.resolve();
  }

  stats(): MemoryTransportStats {
    return { ...this.counts };
  }

  private dropLink(to: NodeId): void {
    const link = this.links.get(to);
    if (!link) return;
    this.wire.clock.clearTimer(link.timer);
    this.counts.dropped += link.queue.length;
    this.links.delete(to);
  }

  private arm(to: NodeId, link: Link): void {
    const head = link.queue[0];
    if (link.armed || !head) return;
    link.armed = true;
    const wait = head.at - this.wire.clock.now();
    if (wait <= 0) this.wire.clock.soon(() => this.pump(to, link));
    else link.timer = this.wire.clock.setTimeout(() => this.pump(to, link), wait);
  }

  /** Delivers the messages due on a link, in order. */
  private pump(to: NodeId, link: Link): void {
    link.armed = false;
    link.timer = undefined;
    // A link dropped since (closed, peer removed) is no longer this transport's.
    const current = (): boolean => this.state === 'running' && this.links.get(to) === link;
    try {
      const now = this.wire.clock.now();
      while (current() && link.queue.length > 0 && link.queue[0].at <= now) {
        const next = link.queue.shift();
        if (next) this.deliver(to, link, next.m);
      }
    } finally {
      if (current()) this.arm(to, link);
    }
  }

  private deliver(to: NodeId, link: Link, m: Message): void {
    const target = this.wire.endpoint(to);
    if (target?.running()) {
      link.failing = false;
      target.deliver(m);
      return;
    }
    this.counts.dropped++;
    if (link.failing) return;
    link.failing = true;
    this.handlers.onUnreachable?.(to);
  }

  private receive(m: Message): void {
    this.counts.received++;
    this.handlers.onMessage(m);
  }
}
