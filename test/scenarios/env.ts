/**
 * The interaction environment (after etcd-io/raft's rafttest.InteractionEnv): RawNodes over
 * MemoryStorages, a network that is just a FIFO queue of messages the scenario delivers, drops
 * or partitions explicitly, and an output buffer the commands write to.
 *
 * Nothing happens by itself: a node's outgoing messages join the queue only when its Ready is
 * processed, and a message reaches its recipient only when it is delivered. Everything is
 * deterministic: the election timeouts come from a seeded rng.
 */
import {
  DEFAULT_CONFIG,
  MemoryStorage,
  RawNode,
  type ConfState,
  type Config,
  type Entry,
  type Message,
  type NodeId,
  type Status,
} from '../../cluster/raft/index.js';
import { mulberry32 } from '../raft/harness.js';
import { describeMessage, describeProgress, describeReady } from './format.js';
import { processReady } from './ready.js';
import { StateMachine } from './state-machine.js';

export type Level = 'none' | 'info' | 'debug';
const RANK: Record<Level, number> = { none: 0, info: 1, debug: 2 };

export type NodeConfig = Omit<Config, 'id' | 'rng'>;

export interface EnvNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  /** Undefined while the node is crashed. */
  raw: RawNode | undefined;
  sm: StateMachine;
  readonly config: NodeConfig;
  incarnation: number;
  readonly onApply: (e: Entry) => void;
}

export interface Stats {
  count: number;
  bytes: number;
}

export class Env {
  readonly nodes = new Map<NodeId, EnvNode>();
  /** Messages sent and not yet delivered or dropped, in sending order. */
  messages: Message[] = [];
  /** Node → partition group; nodes not listed share group 0. Empty when healed. */
  groups = new Map<NodeId, number>();
  readonly stats = new Map<string, Stats>();
  level: Level = 'info';
  seed = 1;
  /** While set, rewrites (or with undefined hides) each line below log-level 'always'. */
  lineFilter: ((line: string) => string | undefined) | undefined;
  private out: string[] = [];
  private indent = '';
  private readonly appliedAt = new Map<number, Entry>();
  private readonly leaderOfTerm = new Map<number, NodeId>();

  // ---------------------------------------------------------------- output

  /** Writes a line if the level allows it; 'always' lines show even at log-level none. */
  print(line: string, level: Level | 'always' = 'info'): void {
    if (level === 'always') {
      this.out.push(this.indent + line);
      return;
    }
    if (RANK[this.level] < RANK[level]) return;
    if (!this.lineFilter) this.out.push(this.indent + line);
    const l = this.lineFilter?.(line);
    if (l !== undefined) this.out.push(l);
  }

  withIndent(fn: () => void): void {
    const saved = this.indent;
    this.indent += '  ';
    try {
      fn();
    } finally {
      this.indent = saved;
    }
  }

  /** The output written since the last call ("ok" if none). */
  takeOutput(): string {
    const s = this.out.length === 0 ? 'ok' : this.out.join('\n');
    this.out = [];
    return s;
  }

  // ---------------------------------------------------------------- nodes

  ids(): NodeId[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  node(id: NodeId): EnvNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** The live RawNode of `id`; throws if it is crashed. */
  raw(id: NodeId): RawNode {
    const raw = this.node(id).raw;
    if (!raw) throw new Error(`node ${id} is down`);
    return raw;
  }

  /** The live leader with the highest term; throws if there is none. */
  leader(): NodeId {
    let best: Status | undefined;
    for (const id of this.ids()) {
      const s = this.nodes.get(id)?.raw?.status();
      if (s && s.role === 'leader' && (!best || s.term > best.term)) best = s;
    }
    if (!best) throw new Error('no live node is leader');
    return best.id;
  }

  addNode(id: NodeId, conf: ConfState, config: Partial<NodeConfig>): EnvNode {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`);
    const storage = new MemoryStorage(conf);
    const node: EnvNode = {
      id,
      storage,
      raw: undefined,
      sm: new StateMachine(storage.snapshot()),
      config: { ...DEFAULT_CONFIG, ...config },
      incarnation: 0,
      onApply: (e) => this.checkApply(id, e),
    };
    this.nodes.set(id, node);
    this.start(node);
    return node;
  }

  /** Starts (or restarts) a RawNode over the node's storage; the state machine reloads too. */
  start(node: EnvNode): void {
    node.incarnation++;
    const snap = node.storage.snapshot();
    node.sm = new StateMachine(snap);
    const rng = mulberry32(this.seed * 1_000_003 + node.id * 10_007 + node.incarnation);
    const config: Config = { ...node.config, id: node.id, rng, applied: snap.metadata.index };
    node.raw = new RawNode(config, node.storage);
  }

  crash(id: NodeId): void {
    this.raw(id);
    this.node(id).raw = undefined;
  }

  // ---------------------------------------------------------------- driving

  /** Runs `fn` on a live node, then reports how its role, term or progress changed. */
  act(id: NodeId, fn: (raw: RawNode) => void): void {
    const raw = this.raw(id);
    const before = raw.status();
    fn(raw);
    this.reportChanges(before, raw.status());
  }

  private reportChanges(a: Status, b: Status): void {
    this.checkLeader(b);
    if (a.role !== b.role || a.term !== b.term) {
      this.print(`INFO ${b.id} became ${b.role} at term ${b.term}`);
    }
    if (b.role !== 'leader') return;
    const was = new Map(a.progress.map((p) => [p.id, describeProgress(p)]));
    for (const p of b.progress) {
      const now = describeProgress(p);
      if (was.get(p.id) !== now) this.print(`DEBUG ${b.id} progress ${now}`, 'debug');
    }
  }

  hasReady(id: NodeId): boolean {
    const raw = this.node(id).raw;
    return raw !== undefined && raw.hasReady();
  }

  /** Handles one Ready of `id`, prints it and queues its messages. */
  handleReady(id: NodeId): void {
    const node = this.node(id);
    const raw = this.raw(id);
    this.print(`> ${id} handling Ready`);
    const rd = processReady({ raw, storage: node.storage, sm: node.sm, onApply: node.onApply });
    this.withIndent(() => {
      for (const l of describeReady(rd)) this.print(l);
    });
    this.messages.push(...rd.messages);
    this.checkLeader(raw.status());
  }

  /**
   * Delivers (or drops) the queued messages matching `pick`, in order; returns how many. A
   * message to a crashed node or across the partition is dropped on the way.
   */
  deliver(pick: (m: Message) => boolean, drop = false): number {
    const picked = this.messages.filter(pick);
    this.messages = this.messages.filter((m) => !pick(m));
    for (const m of picked) {
      const why = drop ? '' : this.cannotDeliver(m);
      if (drop || why !== undefined) {
        this.print(`dropped: ${describeMessage(m)}${why ? ` (${why})` : ''}`);
        continue;
      }
      this.print(describeMessage(m));
      this.count(m);
      this.act(m.to, (raw) => raw.step(m));
    }
    return picked.length;
  }

  private cannotDeliver(m: Message): string | undefined {
    const to = this.nodes.get(m.to);
    if (!to) return `no node ${m.to}`;
    if (!to.raw) return `${m.to} is down`;
    if (this.groups.size > 0 && (this.groups.get(m.from) ?? 0) !== (this.groups.get(m.to) ?? 0))
      return 'partitioned';
    return undefined;
  }

  private count(m: Message): void {
    const s = this.stats.get(m.type) ?? { count: 0, bytes: 0 };
    s.count++;
    for (const e of m.entries ?? []) s.bytes += e.data.length;
    s.bytes += m.snapshot?.data.length ?? 0;
    this.stats.set(m.type, s);
  }

  /**
   * Handles Readys and delivers messages among `ids` (all nodes if empty) until nothing is left
   * to do: etcd's stabilize.
   */
  stabilize(ids: readonly NodeId[]): void {
    const set = ids.length > 0 ? ids : this.ids();
    for (let round = 0; ; round++) {
      if (round > 10_000) throw new Error('stabilize: the nodes never went quiet');
      let done = true;
      for (const id of set) {
        if (!this.hasReady(id)) continue;
        done = false;
        this.handleReady(id);
      }
      for (const id of set) {
        if (!this.messages.some((m) => m.to === id)) continue;
        done = false;
        this.print(`> ${id} receiving messages`);
        this.withIndent(() => this.deliver((m) => m.to === id));
      }
      if (done) return;
    }
  }

  // ---------------------------------------------------------------- invariants

  /** State machine safety: no two nodes ever apply different entries at the same index. */
  private checkApply(id: NodeId, e: Entry): void {
    const seen = this.appliedAt.get(e.index);
    if (!seen) {
      this.appliedAt.set(e.index, e);
    } else if (seen.term !== e.term || seen.data !== e.data || seen.type !== e.type) {
      throw new Error(
        `SAFETY VIOLATION: node ${id} applies ${JSON.stringify(e)} where another node applied ${JSON.stringify(seen)}`,
      );
    }
  }

  /** Election safety: at most one leader per term. */
  private checkLeader(s: Status): void {
    if (s.role !== 'leader') return;
    const other = this.leaderOfTerm.get(s.term);
    if (other !== undefined && other !== s.id)
      throw new Error(`SAFETY VIOLATION: two leaders in term ${s.term}: ${other} and ${s.id}`);
    this.leaderOfTerm.set(s.term, s.id);
  }
}
