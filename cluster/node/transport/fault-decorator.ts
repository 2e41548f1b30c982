/**
 * Injected network faults around any PeerTransport (TCP in a node process, the in-memory one in
 * tests and the simulator), with the meaning of faults.ts:
 *  - partitions are checked when a message is sent, when a delayed one is released, and when one
 *    is received (the decorator wraps the inner transport's handlers to filter what arrives);
 *  - a link `from -> to` is applied by the sender `from`: each message is lost with probability
 *    `drop` (drawn from `random`) or held back `delayMs` on the Clock, keeping the link's order.
 * The inner transport never sees a fault: it only carries what the decorator lets through.
 */
import type { Message, NodeId } from '../../raft/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { FaultTable, type FaultSpec } from './faults.js';
import type { PeerAddress, PeerTransport, TransportHandlers } from './peer-transport.js';
import type { LogLevel } from './transport.js';

export interface FaultyTransportOptions {
  /** This node's id: the `from` of its links and its side of a partition. */
  readonly id: NodeId;
  /** Times the link delays. */
  readonly clock: Clock;
  /** Draws the link drops: a number in [0, 1). */
  readonly random: () => number;
  /** Messages held back per peer at most; beyond, the oldest is dropped. Default 4096. */
  readonly maxDelayed?: number;
  readonly log?: (level: LogLevel, msg: string) => void;
}

/** What the faults did on the link with one peer. */
export interface FaultPeerStats {
  readonly id: NodeId;
  /** Messages lost to injected faults (partitions, link drops), both directions. */
  readonly faultDropped: number;
  /** Messages held back by a link delay right now. */
  readonly delayed: number;
}

export interface FaultStats {
  readonly peers: FaultPeerStats[];
}

interface DelayedLink {
  /** Release times never decrease along the list, so its head is always the next one due. */
  readonly queue: { readonly at: number; readonly m: Message }[];
  timer: TimerHandle | undefined;
}

const DEFAULT_MAX_DELAYED = 4096;

export class FaultyTransport<T extends PeerTransport = PeerTransport> implements PeerTransport {
  /** The transport that carries what the faults let through (e.g. for the TCP port). */
  readonly inner: T;
  private readonly id: NodeId;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly maxDelayed: number;
  private readonly logFn: ((level: LogLevel, msg: string) => void) | undefined;
  private readonly faults = new FaultTable();
  private readonly delayed = new Map<NodeId, DelayedLink>();
  private readonly dropped = new Map<NodeId, number>();
  private closed = false;

  /** `inner` builds the wrapped transport around the handlers that filter inbound messages. */
  constructor(
    opts: FaultyTransportOptions,
    handlers: TransportHandlers,
    inner: (handlers: TransportHandlers) => T,
  ) {
    this.id = opts.id;
    this.clock = opts.clock;
    this.random = opts.random;
    this.maxDelayed = opts.maxDelayed ?? DEFAULT_MAX_DELAYED;
    this.logFn = opts.log;
    const { onMessage, onUnreachable } = handlers;
    this.inner = inner({
      onMessage: (m) => {
        if (this.faults.onReceive(m.from, this.id)) onMessage(m);
        else this.countDrop(m.from);
      },
      ...(onUnreachable ? { onUnreachable } : {}),
    });
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(m: Message): void {
    if (this.closed) return;
    const decision = this.faults.onSend(this.id, m.to, this.random);
    if (!decision.deliver) {
      this.countDrop(m.to);
      return;
    }
    const link = this.delayed.get(m.to);
    if (decision.delayMs > 0 || (link !== undefined && link.queue.length > 0)) {
      this.delay(m, decision.delayMs);
    } else {
      this.inner.send(m);
    }
  }

  setPeers(peers: ReadonlyMap<NodeId, PeerAddress>): void {
    this.inner.setPeers(peers);
  }

  /** Drops what is held back, stops its timers and closes the inner transport. */
  async close(): Promise<void> {
    this.closed = true;
    for (const link of this.delayed.values()) {
      this.clock.clearTimer(link.timer);
      link.timer = undefined;
      link.queue.length = 0;
    }
    await this.inner.close();
  }

  /** Sets faults; parts left out of `spec` stay as they were (see FaultTable.set; may throw). */
  setFaults(spec: FaultSpec): void {
    this.faults.set(spec);
    this.log('info', `faults set: ${JSON.stringify(this.faults.describe())}`);
  }

  /** Removes every fault; messages held back by a delay are sent at once, in order. */
  clearFaults(): void {
    this.faults.clear();
    for (const to of this.delayed.keys()) this.release(to, Infinity);
    this.log('info', 'faults cleared');
  }

  currentFaults(): ReturnType<FaultTable['describe']> {
    return this.faults.describe();
  }

  stats(): FaultStats {
    const ids = new Set<NodeId>([...this.dropped.keys(), ...this.delayed.keys()]);
    const peers = [...ids]
      .sort((a, b) => a - b)
      .map((id) => ({
        id,
        faultDropped: this.dropped.get(id) ?? 0,
        delayed: this.delayed.get(id)?.queue.length ?? 0,
      }));
    return { peers };
  }

  private delay(m: Message, delayMs: number): void {
    let link = this.delayed.get(m.to);
    if (!link) {
      link = { queue: [], timer: undefined };
      this.delayed.set(m.to, link);
    }
    const last = link.queue[link.queue.length - 1];
    const at = Math.max(this.clock.now() + delayMs, last ? last.at : -Infinity);
    if (link.queue.length >= this.maxDelayed) {
      link.queue.shift();
      this.countDrop(m.to);
    }
    link.queue.push({ at, m });
    if (!link.timer) this.arm(m.to, link);
  }

  private arm(to: NodeId, link: DelayedLink): void {
    const head = link.queue[0];
    if (!head || this.closed) return;
    link.timer = this.clock.setTimeout(
      () => {
        link.timer = undefined;
        this.release(to, this.clock.now());
      },
      Math.max(0, head.at - this.clock.now()),
    );
  }

  /** Sends the messages to `to` due by `now`, in order; a partition started since cuts them. */
  private release(to: NodeId, now: number): void {
    const link = this.delayed.get(to);
    if (!link) return;
    this.clock.clearTimer(link.timer);
    link.timer = undefined;
    while (link.queue.length > 0 && link.queue[0].at <= now) {
      const next = link.queue.shift();
      if (!next) break;
      if (this.faults.canTalk(this.id, to)) this.inner.send(next.m);
      else this.countDrop(to);
    }
    this.arm(to, link);
  }

  private countDrop(id: NodeId): void {
    this.dropped.set(id, (this.dropped.get(id) ?? 0) + 1);
  }

  private log(level: LogLevel, msg: string): void {
    if (!this.logFn) return;
    try {
      this.logFn(level, msg);
    } catch (_e) {
      // A broken logger must not break the transport.
    }
  }
}
