/**
 * A tiny deterministic, synchronous network of RawNodes for the core's unit tests, in the spirit
 * of etcd-io/raft's `network` (raft_test.go).
 *
 * Every node runs over its own MemoryStorage (its "disk"). `send()` delivers messages in FIFO
 * order until the network is quiet; after each delivery the receiving node's Ready is handled
 * the way a real driver must: persist (snapshot, entries, hard state), then send the messages,
 * then apply the snapshot and committed entries, then advance().
 *
 * While doing so the harness checks a few invariants and throws an {@link InvariantViolation} at
 * once when one breaks, so every test also guards them:
 *  - state machine safety: no two nodes ever apply different entries at the same index;
 *  - election safety: at most one leader per term;
 *  - a node's commit index never decreases (across restarts too);
 *  - the Ready contract: a vote request, a vote grant or an append acknowledgement is only sent
 *    once the state it promises is in storage.
 */
import {
  DEFAULT_CONFIG,
  MemoryStorage,
  NONE,
  RawNode,
  type ConfChange,
  type ConfState,
  type Config,
  type Entry,
  type Message,
  type MessageType,
  type NodeId,
  type RaftFactory,
  type Ready,
  type ReadState,
  type Rng,
  type Snapshot,
  type Status,
} from '../../cluster/raft/index.js';
import { ReadyDriver } from '../../cluster/node/ready-driver.js';

/** mulberry32: a small, fast, seeded PRNG (deterministic across platforms). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return {
    int(n: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    },
  };
}

export class InvariantViolation extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'InvariantViolation';
  }
}

/** The test-visible side of one node: its disk, its core, and what it applied/served. */
export interface Peer {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  node: RawNode;
  config: Config;
  /** Committed entries handed to the state machine, in order (across restarts). */
  readonly applied: Entry[];
  /** The state machine's applied index (a snapshot install moves it too). */
  appliedIndex: number;
  /** Snapshots installed from a leader. */
  readonly snapshots: Snapshot[];
  readonly readStates: ReadState[];
  /** Every Ready handled, in order (of the current incarnation and earlier ones). */
  readonly readies: Ready[];
  lastCommit: number;
}

export interface TraceRecord {
  readonly m: Message;
  readonly dropped: boolean;
}

/** Returns true to drop the message. */
export type Filter = (m: Message) => boolean;

export interface NetworkOptions {
  /** Voters 1..size (default 3). */
  readonly size?: number;
  readonly config?: Partial<Omit<Config, 'id' | 'rng'>>;
  readonly seed?: number;
  readonly makeRaft?: RaftFactory;
}

const MAX_DELIVERIES = 2_000_000;

export class Network {
  readonly peers = new Map<NodeId, Peer>();
  /** Every message that went through send(), delivered or dropped, in order. */
  readonly trace: TraceRecord[] = [];
  private filters: Filter[] = [];
  private readonly seed: number;
  private readonly baseConfig: Omit<Config, 'id' | 'rng'>;
  private readonly makeRaft: RaftFactory | undefined;
  private incarnation = 0;
  /** index → the entry applied there by whichever node applied it first. */
  private readonly appliedAt = new Map<number, Entry>();
  private readonly leaderOfTerm = new Map<number, NodeId>();

  constructor(opts: NetworkOptions = {}) {
    const size = opts.size ?? 3;
    this.seed = opts.seed ?? 1;
    this.baseConfig = { ...DEFAULT_CONFIG, ...opts.config };
    this.makeRaft = opts.makeRaft;
    const voters = Array.from({ length: size }, (_, i) => i + 1);
    for (const id of voters) this.addNode(id, { voters, learners: [] });
  }

  // ------------------------------------------------------------------ nodes

  /** Starts a node over a fresh storage whose initial configuration is `conf`. */
  addNode(id: NodeId, conf: ConfState, config: Partial<Omit<Config, 'id' | 'rng'>> = {}): Peer {
    const storage = new MemoryStorage(conf);
    const cfg = this.nodeConfig(id, config);
    const peer: Peer = {
      id,
      storage,
      node: this.newRawNode(cfg, storage),
      config: cfg,
      applied: [],
      appliedIndex: 0,
      snapshots: [],
      readStates: [],
      readies: [],
      lastCommit: 0,
    };
    this.peers.set(id, peer);
    return peer;
  }

  /**
   * Crash and restart: a new RawNode over the same storage, told what the state machine already
   * applied. Everything not in storage (the in-flight snapshot, timers, progress) is lost.
   */
  restart(id: NodeId, config: Partial<Omit<Config, 'id' | 'rng'>> = {}): Peer {
    const p = this.peer(id);
    // The state machine may have lost the tail of what it applied (config.applied < appliedIndex).
    p.appliedIndex = config.applied ?? p.appliedIndex;
    p.config = this.nodeConfig(id, { ...config, applied: p.appliedIndex });
    p.node = this.newRawNode(p.config, p.storage);
    this.checkCommit(p, p.node.status().commit);
    return p;
  }

  private nodeConfig(id: NodeId, config: Partial<Omit<Config, 'id' | 'rng'>>): Config {
    this.incarnation++;
    return {
      ...this.baseConfig,
      ...config,
      id,
      rng: mulberry32(this.seed * 7919 + id * 104729 + this.incarnation),
    };
  }

  private newRawNode(config: Config, storage: MemoryStorage): RawNode {
    return this.makeRaft
      ? new RawNode(config, storage, this.makeRaft)
      : new RawNode(config, storage);
  }

  peer(id: NodeId): Peer {
    const p = this.peers.get(id);
    if (!p) throw new Error(`no node ${id}`);
    return p;
  }

  node(id: NodeId): RawNode {
    return this.peer(id).node;
  }

  status(id: NodeId): Status {
    return this.node(id).status();
  }

  /** Entries in node `id`'s storage from its first index to its last. */
  log(id: NodeId): Entry[] {
    const s = this.peer(id).storage;
    if (s.lastIndex() < s.firstIndex()) return [];
    return s.entries(s.firstIndex(), s.lastIndex() + 1, Infinity);
  }

  /** The terms of node `id`'s stored log, index firstIndex first. */
  terms(id: NodeId): number[] {
    return this.log(id).map((e) => e.term);
  }

  /** The leader with the highest term (NONE if no node thinks it leads). */
  leader(): NodeId {
    let best: NodeId = NONE;
    let bestTerm = -1;
    for (const p of this.peers.values()) {
      const s = p.node.status();
      if (s.role === 'leader' && s.term > bestTerm) {
        best = p.id;
        bestTerm = s.term;
      }
    }
    return best;
  }

  /** Data of the normal, non-empty entries node `id` applied. */
  appliedData(id: NodeId): string[] {
    return this.peer(id)
      .applied.filter((e) => e.type === 'normal' && e.data !== '')
      .map((e) => e.data);
  }

  // ------------------------------------------------------------------ driving

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.node(id).tick();
      this.flush(id);
    }
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const id of this.peers.keys()) {
        this.node(id).tick();
        this.flush(id);
      }
    }
  }

  /** Ticks every node until `cond` holds; returns the ticks used, throws after `max`. */
  tickUntil(cond: () => boolean, max = 1000): number {
    for (let i = 0; i < max; i++) {
      if (cond()) return i;
      this.tickAll();
    }
    if (cond()) return max;
    throw new Error(`condition not reached within ${max} ticks`);
  }

  campaign(id: NodeId): void {
    this.node(id).campaign();
    this.flush(id);
  }

  /** Campaigns on `id` and checks that it won. */
  elect(id: NodeId): void {
    this.campaign(id);
    const s = this.status(id);
    if (s.role !== 'leader') throw new Error(`node ${id} did not win its election (${s.role})`);
  }

  propose(id: NodeId, data: string): { index: number; term: number } {
    const at = this.node(id).propose(data);
    this.flush(id);
    return at;
  }

  proposeBatch(id: NodeId, data: readonly string[]): { index: number; term: number } {
    const at = this.node(id).proposeBatch(data);
    this.flush(id);
    return at;
  }

  proposeConfChange(id: NodeId, cc: ConfChange): { index: number; term: number } {
    const at = this.node(id).proposeConfChange(cc);
    this.flush(id);
    return at;
  }

  readIndex(id: NodeId, context: string): void {
    this.node(id).readIndex(context);
    this.flush(id);
  }

  transferLeadership(from: NodeId, to: NodeId): void {
    this.node(from).transferLeadership(to);
    this.flush(from);
  }

  /**
   * The application of node `id` takes a snapshot at `index` (≤ its applied index) with `data`,
   * then compacts its log up to there.
   */
  compact(id: NodeId, index: number, data: string, conf?: ConfState): Snapshot {
    const p = this.peer(id);
    if (index > p.appliedIndex)
      throw new Error(`cannot snapshot ${index} > applied ${p.appliedIndex}`);
    const snap = p.storage.createSnapshot(index, conf ?? p.node.status().conf, data);
    p.storage.compact(index);
    return snap;
  }

  /** Handles node `id`'s Ready batches and delivers what they send, until quiet. */
  flush(id: NodeId): void {
    this.send(this.handleReady(id));
  }

  /**
   * Steps one message into its recipient (no filters) and handles that node's Ready, returning
   * what it would send instead of sending it.
   */
  stepOnly(m: Message): Message[] {
    this.node(m.to).step(m);
    return this.handleReady(m.to);
  }

  /** Delivers messages (FIFO) and everything they cause, until the network is quiet. */
  send(msgs: readonly Message[]): void {
    const queue: Message[] = [...msgs];
    let deliveries = 0;
    while (queue.length > 0) {
      if (++deliveries > MAX_DELIVERIES) throw new Error('the network never went quiet');
      const m = queue.shift()!;
      const dropped = this.filters.some((f) => f(m));
      this.trace.push({ m, dropped });
      if (dropped) continue;
      const p = this.peers.get(m.to);
      if (!p) continue;
      p.node.step(m);
      for (const out of this.handleReady(m.to)) queue.push(out);
    }
  }

  /** Processes every Ready node `id` has (with the node's own driver) and returns what it sends. */
  handleReady(id: NodeId): Message[] {
    const p = this.peer(id);
    const out: Message[] = [];
    new ReadyDriver(p.node, {
      observe: (rd) => p.readies.push(rd),
      save: (batch) => {
        if (batch.hardState) this.checkCommit(p, batch.hardState.commit);
        p.storage.save(batch);
      },
      // Only now that the promises are durable.
      send: (msgs) => {
        for (const m of msgs) {
          this.checkDurable(p, m);
          out.push(m);
        }
      },
      apply: (rd) => {
        if (rd.snapshot) {
          p.snapshots.push(rd.snapshot);
          p.appliedIndex = rd.snapshot.metadata.index;
        }
        for (const e of rd.committedEntries) this.apply(p, e);
        for (const rs of rd.readStates) p.readStates.push(rs);
      },
      afterAdvance: () => this.checkLeader(p),
    }).drain();
    return out;
  }

  private apply(p: Peer, e: Entry): void {
    if (e.index !== p.appliedIndex + 1) {
      throw new InvariantViolation(
        `node ${p.id} applies index ${e.index} right after ${p.appliedIndex}`,
      );
    }
    const seen = this.appliedAt.get(e.index);
    if (seen && (seen.term !== e.term || seen.data !== e.data || seen.type !== e.type)) {
      throw new InvariantViolation(
        `node ${p.id} applies ${JSON.stringify(e)} where another node applied ${JSON.stringify(seen)}`,
      );
    }
    if (!seen) this.appliedAt.set(e.index, e);
    p.applied.push(e);
    p.appliedIndex = e.index;
  }

  private checkCommit(p: Peer, commit: number): void {
    if (commit < p.lastCommit) {
      throw new InvariantViolation(
        `node ${p.id}: commit went back from ${p.lastCommit} to ${commit}`,
      );
    }
    p.lastCommit = commit;
  }

  private checkDurable(p: Peer, m: Message): void {
    const hs = p.storage.getHardState();
    const fail = (what: string): never => {
      throw new InvariantViolation(
        `node ${p.id} sends ${JSON.stringify(m)} before persisting ${what} (hard state ${JSON.stringify(hs)})`,
      );
    };
    if (m.type === 'vote' && (hs.term !== m.term || hs.vote !== p.id)) fail('its own vote');
    if (m.type === 'voteResp' && !m.reject && (hs.term !== m.term || hs.vote !== m.to)) {
      fail('the vote it grants');
    }
    if (m.type === 'appResp' && !m.reject && (m.index ?? 0) > p.storage.lastIndex()) {
      fail('the entries it acknowledges');
    }
  }

  private checkLeader(p: Peer): void {
    const s = p.node.status();
    if (s.role !== 'leader') return;
    const other = this.leaderOfTerm.get(s.term);
    if (other !== undefined && other !== p.id) {
      throw new InvariantViolation(`two leaders in term ${s.term}: ${other} and ${p.id}`);
    }
    this.leaderOfTerm.set(s.term, p.id);
  }

  // ------------------------------------------------------------------ faults

  /** Drops every message to or from `id`. */
  isolate(id: NodeId): void {
    this.filters.push((m) => m.from === id || m.to === id);
  }

  /** Drops every message between `a` and `b`, both ways. */
  cut(a: NodeId, b: NodeId): void {
    this.filters.push((m) => (m.from === a && m.to === b) || (m.from === b && m.to === a));
  }

  /** Splits the nodes in two groups that cannot talk to each other. */
  partition(group: readonly NodeId[]): void {
    const inside = new Set(group);
    this.filters.push((m) => inside.has(m.from) !== inside.has(m.to));
  }

  /**
   * Drops messages of a type (or matching a predicate); `times` limits how many are dropped
   * before the filter stops acting.
   */
  drop(what: MessageType | Filter, times = Infinity): void {
    const match: Filter = typeof what === 'string' ? (m) => m.type === what : what;
    let left = times;
    this.filters.push((m) => {
      if (left <= 0 || !match(m)) return false;
      left--;
      return true;
    });
  }

  /** Heals every fault. */
  recover(): void {
    this.filters = [];
  }

  // ------------------------------------------------------------------ trace

  /** The position in the trace now, to look at what happens after it. */
  mark(): number {
    return this.trace.length;
  }

  /** Delivered messages (since `from`) matching the predicate. */
  delivered(pred: (m: Message) => boolean = () => true, from = 0): Message[] {
    const out: Message[] = [];
    for (let i = from; i < this.trace.length; i++) {
      const r = this.trace[i];
      if (!r.dropped && pred(r.m)) out.push(r.m);
    }
    return out;
  }

  /** Messages (delivered or dropped, since `from`) matching the predicate. */
  sent(pred: (m: Message) => boolean = () => true, from = 0): Message[] {
    const out: Message[] = [];
    for (let i = from; i < this.trace.length; i++)
      if (pred(this.trace[i].m)) out.push(this.trace[i].m);
    return out;
  }
}

/** Shorthand predicate: a message of `type`, optionally from/to given nodes. */
export function msg(type: MessageType, opts: { from?: NodeId; to?: NodeId } = {}) {
  return (m: Message): boolean =>
    m.type === type &&
    (opts.from === undefined || m.from === opts.from) &&
    (opts.to === undefined || m.to === opts.to);
}

/** Entries with the given terms from `index` on, with data `prefix<index>`. */
export function ents(index: number, terms: readonly number[], prefix = 'e'): Entry[] {
  return terms.map((term, i) => ({
    index: index + i,
    term,
    type: 'normal' as const,
    data: `${prefix}${index + i}`,
  }));
}
