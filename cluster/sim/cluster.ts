import {
  DEFAULT_CONFIG,
  ProposalDropped,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type Status,
} from '../raft/index.js';
import { InvariantChecker, InvariantViolation } from './invariants.js';
import { Network, type MessageCounts } from './network.js';
import {
  defaultMakeDriver,
  type MakeDriver,
  type MakeNode,
  type NodeConfig,
  type NodeEnv,
  type SimNode,
} from './node.js';
import { EventQueue } from './queue.js';
import { SimRng } from './rng.js';
import { formatMessage, Trace } from './trace.js';

export interface SimClusterOptions {
  /** Number of voters at start, ids 1..nodes. Default 3. */
  readonly nodes?: number;
  readonly seed?: number;
  /** Overrides of the core config (electionTick, maxEntriesPerMsg, ...). */
  readonly config?: Partial<NodeConfig>;
  /** Simulated ms per tick. Default 10. */
  readonly tickMs?: number;
  /** Start with 6.824's unreliable network. */
  readonly unreliable?: boolean;
  /** Snapshot after this many applied entries (0, the default: never). */
  readonly snapshotEvery?: number;
  /** Entries kept behind a snapshot. Default 5. */
  readonly snapshotTail?: number;
  /** A test-only core variant. */
  readonly makeNode?: MakeNode;
  /** A test-only driver variant. */
  readonly driver?: MakeDriver;
  /** Record a readable trace (see {@link SimCluster.traceLines}). */
  readonly trace?: boolean;
  /** Throw an InvariantViolation from the step that broke an invariant. Default true. */
  readonly throwOnViolation?: boolean;
}

/** A linearizable read in progress; poll `done`/`failed` while running the cluster. */
export interface ReadHandle {
  readonly ctx: string;
  readonly node: NodeId;
  readonly startedAt: number;
  /** Highest acknowledged write index when the read started. */
  readonly ackedAtStart: number;
  done: boolean;
  /** The applied index the read was served at, and the state there. */
  index?: number;
  value?: number;
  failed?: string;
}

export interface StartResult {
  readonly index: number;
  readonly term: number;
  readonly isLeader: boolean;
}

/**
 * N cores on a simulated network, driven by one event queue in simulated time, with a
 * 6.824-like API for scenario tests (checkOneLeader, one, nCommitted, crash/restart, partitions)
 * and the invariant checker watching every step. Everything random comes from the seed.
 */
export class SimCluster {
  readonly seed: number;
  readonly tickMs: number;
  readonly config: NodeConfig;
  readonly checker: InvariantChecker;
  readonly net: Network;
  /** The configuration at index 0: voters 1..nodes. */
  readonly bootstrap: ConfState;

  private _now = 0;
  private _steps = 0;
  private readonly queue = new EventQueue();
  private readonly nodes = new Map<NodeId, SimNode>();
  private nextId: NodeId;
  private readonly traceLog: Trace | undefined;
  private readonly throwOnViolation: boolean;
  private readonly driver: MakeDriver;
  private readonly rng: SimRng;
  private readonly reads = new Map<string, ReadHandle>();
  private readSeq = 0;
  /** Linearizable reads answered so far. */
  readsServed = 0;
  private readonly applyListeners: ((node: SimNode, e: Entry) => void)[] = [];
  private readonly roleListeners: ((node: SimNode) => void)[] = [];
  private readonly env: NodeEnv;
  /** Crashes waiting for a node's next matching send (see {@link armCrash}). */
  private armGeneration = 0;
  private readonly crashCount = new Map<NodeId, number>();
  private readonly armed = new Map<
    NodeId,
    { match: (m: Message) => boolean; delayMs: number; then?: () => void }
  >();

  constructor(private readonly opts: SimClusterOptions = {}) {
    const n = opts.nodes ?? 3;
    this.seed = opts.seed ?? 1;
    this.tickMs = opts.tickMs ?? 10;
    this.config = { ...DEFAULT_CONFIG, ...opts.config };
    this.throwOnViolation = opts.throwOnViolation ?? true;
    this.driver = opts.driver ?? defaultMakeDriver;
    this.rng = new SimRng(this.seed, 'harness');
    this.traceLog = opts.trace ? new Trace(() => this._now) : undefined;
    this.checker = new InvariantChecker(() => ({ step: this._steps, time: this._now }));
    this.net = new Network(
      new SimRng(this.seed, 'network'),
      this.queue,
      () => this._now,
      (m) => this.deliver(m),
      () => this.traceLog,
      (id) => this.crashCount.get(id) ?? 0,
    );
    this.net.unreliable = opts.unreliable ?? false;
    this.net.onLinkDown = (at, peer) => {
      const n = this.nodes.get(at);
      if (n?.alive) n.linkDown(peer);
    };
    this.bootstrap = { voters: range(1, n), learners: [] };
    this.nextId = n + 1;
    this.env = {
      now: () => this._now,
      checker: this.checker,
      trace: () => this.traceLog,
      send: (m) => {
        const out = this.net.send(m);
        if (this.armed.size > 0) this.checkArmed(m);
        return out;
      },
      schedule: (delayMs, fn) => this.queue.push(this._now + delayMs, fn),
      applied: (node, e) => {
        for (const l of this.applyListeners) l(node, e);
      },
      readServed: (node, ctx, index) => this.readServed(node, ctx, index),
      roleChanged: (node) => {
        for (const l of this.roleListeners) l(node);
      },
    };
    for (const id of this.bootstrap.voters) this.createNode(id).start();
  }

  // ---- time ----

  get now(): number {
    return this._now;
  }

  /** Events processed so far. */
  get steps(): number {
    return this._steps;
  }

  /** Schedules harness work (a client's next action, a fault) `delayMs` from now. */
  schedule(delayMs: number, fn: () => void): void {
    this.queue.push(this._now + Math.max(0, delayMs), fn);
  }

  /** Processes the next event; false if there is none. Throws on an invariant violation. */
  step(): boolean {
    const ev = this.queue.pop();
    if (!ev) return false;
    this._now = ev.time;
    this._steps++;
    ev.run();
    if (this.throwOnViolation && !this.checker.ok)
      throw new InvariantViolation(this.checker.first!);
    return true;
  }

  runFor(ms: number): void {
    const end = this._now + ms;
    for (let ev = this.queue.peek(); ev && ev.time <= end; ev = this.queue.peek()) this.step();
    this._now = end;
  }

  /** Runs until `pred()` holds (checked before every event) or `maxMs` passed; returns pred(). */
  runUntil(pred: () => boolean, maxMs: number): boolean {
    const end = this._now + maxMs;
    while (!pred()) {
      const ev = this.queue.peek();
      if (!ev || ev.time > end) {
        this._now = end;
        return pred();
      }
      this.step();
    }
    return true;
  }

  // ---- nodes ----

  private createNode(id: NodeId): SimNode {
    const node = this.driver({
      id,
      env: this.env,
      config: this.config,
      seed: this.seed,
      bootstrap: this.bootstrap,
      tickMs: this.tickMs,
      snapshotEvery: this.opts.snapshotEvery ?? 0,
      snapshotTail: this.opts.snapshotTail ?? 5,
      makeNode: this.opts.makeNode,
    });
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node n${id}`);
    return n;
  }

  /** Every node ever created, in id order. */
  ids(): NodeId[] {
    return [...this.nodes.keys()];
  }

  /** Running and connected: can take part right now. */
  isUp(id: NodeId): boolean {
    const n = this.nodes.get(id);
    return !!n && n.alive && this.net.isConnected(id);
  }

  status(id: NodeId): Status | undefined {
    return this.node(id).status();
  }

  /** The up node that believes it leads the highest term, if any. */
  leader(): NodeId | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes.values()) {
      if (n.role === 'leader' && this.isUp(n.id) && (!best || n.term > best.term)) best = n;
    }
    return best?.id;
  }

  /** The configuration according to the current leader (or the bootstrap one if none). */
  conf(): ConfState {
    const l = this.leader();
    return (l !== undefined ? this.status(l)?.conf : undefined) ?? this.bootstrap;
  }

  crash(id: NodeId): void {
    const n = this.node(id);
    if (!n.alive) return;
    this.traceLog?.log(`CRASH n${id}`);
    this.crashCount.set(id, (this.crashCount.get(id) ?? 0) + 1);
    n.crash();
    this.net.crashed(id, [...this.nodes.keys()]);
    for (const r of this.reads.values()) {
      if (r.node === id && !r.done && !r.failed) r.failed = 'node crashed';
    }
  }

  restart(id: NodeId): void {
    const n = this.node(id);
    if (n.alive) return;
    this.traceLog?.log(`RESTART n${id}`);
    n.start();
  }

  /**
   * Crashes `id` `delayMs` after it next sends a message matching `match` (then calls `then`):
   * a nemesis that hits the moments right after a node made a promise to a peer.
   */
  armCrash(id: NodeId, match: (m: Message) => boolean, delayMs: number, then?: () => void): void {
    this.armed.set(id, { match, delayMs, then });
  }

  /** Cancels every armed crash, including those already triggered but not yet carried out. */
  disarmCrashes(): void {
    this.armed.clear();
    this.armGeneration++;
  }

  private checkArmed(m: Message): void {
    const a = this.armed.get(m.from);
    if (!a || !a.match(m)) return;
    this.armed.delete(m.from);
    const node = this.node(m.from);
    const gen = this.armGeneration;
    this.schedule(a.delayMs, () => {
      if (!node.alive || gen !== this.armGeneration) return;
      this.traceLog?.log(`(after n${m.from} sent ${m.type})`);
      this.crash(m.from);
      a.then?.();
    });
  }

  // ---- network ----

  private deliver(m: Message): void {
    const n = this.nodes.get(m.to);
    if (!n || !n.alive) {
      this.traceLog?.log(`${formatMessage(m)} (n${m.to} is down)`);
      return;
    }
    this.traceLog?.log(formatMessage(m));
    n.step(m);
  }

  disconnect(id: NodeId): void {
    this.traceLog?.log(`DISCONNECT n${id}`);
    this.net.cutting([...this.nodes.keys()], () => this.net.disconnect(id));
  }

  connect(id: NodeId): void {
    this.traceLog?.log(`CONNECT n${id}`);
    this.net.connect(id);
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.traceLog?.log(
      `PARTITION ${groups.map((g) => `{${g.map((i) => `n${i}`).join(',')}}`).join(' ')}`,
    );
    this.net.cutting([...this.nodes.keys()], () => this.net.partition(groups));
  }

  /** Heals the network: no partitions, everyone connected, reliable links. */
  heal(): void {
    this.traceLog?.log('HEAL');
    this.net.heal();
  }

  setUnreliable(on: boolean): void {
    this.traceLog?.log(`UNRELIABLE ${on ? 'on' : 'off'}`);
    this.net.unreliable = on;
  }

  setLongReordering(on: boolean): void {
    this.traceLog?.log(`LONG-REORDERING ${on ? 'on' : 'off'}`);
    this.net.longReordering = on;
  }

  messageCount(): MessageCounts {
    return this.net.messageCounts();
  }

  resetMessageCount(): void {
    this.net.resetCounts();
  }

  // ---- clients ----

  /** Proposes `cmd` on node `id` (6.824's Start): isLeader false if the node refused it. */
  start(id: NodeId, cmd: string): StartResult {
    const n = this.node(id);
    try {
      const r = n.propose(cmd);
      this.traceLog?.log(`client → n${id} propose ${cmd} → ${r.index}@t${r.term}`);
      return { index: r.index, term: r.term, isLeader: true };
    } catch (e) {
      if (!(e instanceof ProposalDropped)) throw e;
      this.traceLog?.log(`client → n${id} propose ${cmd} refused`);
      return { index: -1, term: n.term, isLeader: false };
    }
  }

  /** Calls `fn` whenever any node applies an entry (clients watch for their commands). */
  onApply(fn: (node: SimNode, e: Entry) => void): void {
    this.applyListeners.push(fn);
  }

  /**
   * Calls `fn` whenever a node's role changes (runs inside that node's Ready handling: schedule
   * anything that touches the cluster rather than doing it right there).
   */
  onRoleChange(fn: (node: SimNode) => void): void {
    this.roleListeners.push(fn);
  }

  /** Starts a linearizable read on node `id`; run the cluster and poll the handle. */
  read(id: NodeId): ReadHandle {
    const ctx = `r${++this.readSeq}`;
    const h: ReadHandle = {
      ctx,
      node: id,
      startedAt: this._now,
      ackedAtStart: this.checker.maxAckedIndex,
      done: false,
    };
    this.reads.set(ctx, h);
    this.traceLog?.log(`client → n${id} read ${ctx}`);
    try {
      this.node(id).readIndex(ctx);
    } catch (e) {
      if (!(e instanceof ProposalDropped)) throw e;
      h.failed = e.message;
      this.reads.delete(ctx);
    }
    return h;
  }

  /** A client records that it saw `cmd` committed at `index` (durability and read checks use it). */
  ack(cmd: string, index: number): void {
    this.traceLog?.log(`client acked ${cmd} @${index}`);
    this.checker.onAck(cmd, index);
  }

  private readServed(node: SimNode, ctx: string, index: number): void {
    const h = this.reads.get(ctx);
    if (!h) return;
    this.reads.delete(ctx);
    if (h.failed) return;
    h.done = true;
    this.readsServed++;
    h.index = index;
    h.value = node.value;
    this.traceLog?.log(`n${node.id} served read ${ctx} at ${index}`);
    this.checker.onReadServed(node.id, ctx, index, h.ackedAtStart);
  }

  /** Forgets reads that have waited longer than `ms` (a client timing out). */
  expireReads(ms: number): void {
    for (const [ctx, h] of this.reads) {
      if (this._now - h.startedAt > ms) {
        h.failed = 'timed out';
        this.reads.delete(ctx);
      }
    }
  }

  // ---- membership and leadership ----

  /** Proposes a membership change on the current leader; throws ProposalDropped if refused. */
  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    const l = this.leader();
    if (l === undefined) throw new ProposalDropped('no leader');
    this.traceLog?.log(`client → n${l} conf ${cc.type} n${cc.nodeId}`);
    return this.node(l).proposeConfChange(cc);
  }

  /** Creates and starts a fresh node (empty disk, genesis configuration) that is not a member yet. */
  spawnNode(): NodeId {
    const id = this.nextId++;
    this.traceLog?.log(`SPAWN n${id}`);
    this.createNode(id).start();
    return id;
  }

  /** Spawns a node and proposes it as a learner; returns its id. */
  addNode(): NodeId {
    const id = this.spawnNode();
    this.proposeConfChange({ type: 'addLearner', nodeId: id });
    return id;
  }

  promote(id: NodeId): { index: number; term: number } {
    return this.proposeConfChange({ type: 'promote', nodeId: id });
  }

  removeNode(id: NodeId): { index: number; term: number } {
    return this.proposeConfChange({ type: 'remove', nodeId: id });
  }

  transferLeadership(to: NodeId): void {
    const l = this.leader();
    if (l === undefined) throw new ProposalDropped('no leader');
    this.traceLog?.log(`client → n${l} transfer leadership to n${to}`);
    this.node(l).transferLeadership(to);
  }

  // ---- 6.824-style checks (they throw plain Errors, as the lab's tester calls Fatalf) ----

  /** Waits for exactly one leader among up nodes (in the newest term); returns it. */
  checkOneLeader(): NodeId {
    for (let iter = 0; iter < 10; iter++) {
      this.runFor(450 + this.rng.int(100));
      const byTerm = new Map<number, NodeId[]>();
      for (const n of this.nodes.values()) {
        if (this.isUp(n.id) && n.role === 'leader') {
          byTerm.set(n.term, [...(byTerm.get(n.term) ?? []), n.id]);
        }
      }
      let lastTerm = -1;
      for (const [term, ids] of byTerm) {
        if (ids.length > 1)
          throw new Error(`term ${term} has ${ids.length} (>1) leaders: ${ids.join(', ')}`);
        lastTerm = Math.max(lastTerm, term);
      }
      if (byTerm.size > 0) return byTerm.get(lastTerm)![0];
    }
    throw new Error('expected one leader, got none');
  }

  checkNoLeader(): void {
    for (const n of this.nodes.values()) {
      if (this.isUp(n.id) && n.role === 'leader')
        throw new Error(`expected no leader among up nodes, but n${n.id} claims to be leader`);
    }
  }

  /** All up nodes agree on the term; returns it. */
  checkTerms(): number {
    let term = -1;
    for (const n of this.nodes.values()) {
      if (!this.isUp(n.id)) continue;
      if (term === -1) term = n.term;
      else if (term !== n.term) throw new Error('servers disagree on term');
    }
    return term;
  }

  /** How many nodes applied `index`, and what; throws if two applied different commands. */
  nCommitted(index: number): { count: number; cmd: string | undefined } {
    let count = 0;
    let cmd: string | undefined;
    for (const n of this.nodes.values()) {
      const e = n.history.get(index);
      if (!e) continue;
      if (count > 0 && e.data !== cmd) {
        throw new Error(`committed values do not match: index ${index}, ${cmd}, ${e.data}`);
      }
      count++;
      cmd = e.data;
    }
    return { count, cmd };
  }

  /**
   * 6.824's cfg.one: keeps offering `cmd` to up nodes until one accepts as leader and at least
   * `expectedServers` applied it; with `retry`, tries again after a failed round. 10 s limit.
   */
  one(cmd: string, expectedServers: number, retry: boolean): number {
    const t0 = this._now;
    const ids = this.ids();
    let at = 0;
    while (this._now - t0 < 10_000) {
      let index = -1;
      for (let k = 0; k < ids.length; k++) {
        at = (at + 1) % ids.length;
        const id = ids[at];
        if (!this.isUp(id)) continue;
        const r = this.start(id, cmd);
        if (r.isLeader) {
          index = r.index;
          break;
        }
      }
      if (index !== -1) {
        const t1 = this._now;
        while (this._now - t1 < 2_000) {
          const { count, cmd: got } = this.nCommitted(index);
          if (count > 0 && count >= expectedServers && got === cmd) {
            this.ack(cmd, index);
            return index;
          }
          this.runFor(20);
        }
        if (!retry) throw new Error(`one(${cmd}) failed to reach agreement`);
      } else {
        this.runFor(50);
      }
    }
    throw new Error(`one(${cmd}) failed to reach agreement`);
  }

  /** The recorded trace (empty unless the cluster was created with `trace: true`). */
  traceLines(): readonly string[] {
    return this.traceLog?.lines ?? [];
  }

  /** Adds a line to the trace (scenario steps, fault decisions). */
  note(text: string): void {
    this.traceLog?.log(text);
  }
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}
