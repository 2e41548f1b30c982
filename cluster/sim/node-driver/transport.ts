/**
 * The nodes' PeerTransport over the simulator's network model (cluster/sim/network.ts): drops,
 * delays, duplicates, long reordering, lossy links, partitions and disconnections, every choice
 * from the seed. The network may reorder messages on one link; the PeerTransport contract says
 * "in the order sent, or not at all" (a TCP connection), so each link numbers its messages and a
 * message that arrives after a later one was delivered is dropped, as is a duplicate.
 */
import type { Message, NodeId } from '../../raft/index.js';
import type {
  PeerAddress,
  PeerTransport,
  TransportHandlers,
} from '../../node/transport/peer-transport.js';
import type { Network } from '../network.js';
import { formatMessage, type Trace } from '../trace.js';

/** Where node `id` listens in the simulation (its addresses only need to be consistent). */
export const SIM_HOST = 'sim';
export function raftPortOf(id: NodeId): number {
  return 10_000 + id;
}
export function clientPortOf(id: NodeId): number {
  return 20_000 + id;
}
/** The node whose client API is at `url` (`http://sim:20003` → 3; 0 if none). */
export function idOfClientUrl(url: string): NodeId {
  const m = /^http:\/\/sim:(\d+)$/.exec(url);
  return m === null ? 0 : Number(m[1]) - 20_000;
}

/** A message with its link sequence number, as it travels through the network. */
type Numbered = Message & { readonly linkSeq?: number };

/** The routing table shared by every transport of a run: who is listening now. */
export class SimSwitch {
  private readonly endpoints = new Map<NodeId, SimTransport>();
  /** Per link `from→to`: next sequence number to send, last one delivered. */
  private readonly sent = new Map<string, number>();
  private readonly delivered = new Map<string, number>();

  constructor(
    private readonly network: () => Network,
    private readonly trace: () => Trace | undefined,
  ) {}

  attach(t: SimTransport): void {
    this.endpoints.set(t.id, t);
  }

  detach(t: SimTransport): void {
    if (this.endpoints.get(t.id) === t) this.endpoints.delete(t.id);
  }

  /** Hands a message to the network; false if the peer cannot be reached at all. */
  send(m: Message): boolean {
    const link = `${m.from}>${m.to}`;
    const seq = (this.sent.get(link) ?? 0) + 1;
    this.sent.set(link, seq);
    const numbered: Numbered = { ...m, linkSeq: seq };
    this.trace()?.log(formatMessage(m));
    return this.network().send(numbered) !== 'unreachable';
  }

  /** The network says `at`'s connection to `peer` broke (a crash, a partition). */
  linkDown(at: NodeId, peer: NodeId): void {
    this.endpoints.get(at)?.linkDown(peer);
  }

  /** The network's delivery callback. */
  deliver(m: Numbered): void {
    const link = `${m.from}>${m.to}`;
    const seq = m.linkSeq ?? 0;
    if (seq <= (this.delivered.get(link) ?? 0)) {
      this.trace()?.log(`${formatMessage(m)} (dropped: overtaken on its link)`);
      return;
    }
    const dest = this.endpoints.get(m.to);
    if (dest === undefined) return; // nobody listening: lost
    this.delivered.set(link, seq);
    const { linkSeq: _seq, ...plain } = m;
    dest.receive(plain);
  }
}

export class SimTransport implements PeerTransport {
  private peers = new Map<NodeId, PeerAddress>();
  private open = false;
  /** Peers reported unreachable and not heard from since (reported once until it works). */
  private readonly unreachable = new Set<NodeId>();

  constructor(
    readonly id: NodeId,
    private readonly sw: SimSwitch,
    private readonly handlers: TransportHandlers,
    /** Runs a callback inside the node's process (dropped once it is dead). */
    private readonly guard: (fn: () => void) => void,
  ) {}

  start(): Promise<void> {
    this.open = true;
    this.sw.attach(this);
    return Promise.resolve();
  }

  /** The connection to `peer` closed: reported as a failed send is (once until it works). */
  linkDown(peer: NodeId): void {
    if (!this.open || this.unreachable.has(peer)) return;
    this.unreachable.add(peer);
    this.guard(() => this.handlers.onUnreachable?.(peer));
  }

  send(m: Message): void {
    if (!this.open) return;
    const a = this.peers.get(m.to);
    // A peer the node was not told about (or told a wrong address) cannot be dialled.
    if (a === undefined || a.host !== SIM_HOST || a.port !== raftPortOf(m.to)) return;
    if (this.sw.send(m)) {
      this.unreachable.delete(m.to);
      return;
    }
    if (this.unreachable.has(m.to)) return;
    this.unreachable.add(m.to);
    const to = m.to;
    // Reported after the send returns, as a failed connection is.
    queueMicrotask(() => this.guard(() => this.handlers.onUnreachable?.(to)));
  }

  setPeers(peers: ReadonlyMap<NodeId, PeerAddress>): void {
    this.peers = new Map(peers);
  }

  close(): Promise<void> {
    this.open = false;
    this.sw.detach(this);
    return Promise.resolve();
  }

  /** A message arrived for this node. */
  receive(m: Message): void {
    if (!this.open) return;
    this.guard(() => this.handlers.onMessage(m));
  }
}
