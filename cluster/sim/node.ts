import {
  MemoryStorage,
  ProposalDropped,
  RawNode,
  type Config,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type Ready,
  type Role,
  type Status,
} from '../raft/index.js';
import { ReadyDriver, type ReadyIO } from '../node/ready-driver.js';
import type { InvariantChecker, LogView } from './invariants.js';
import type { SendOutcome } from './network.js';
import { SimRng } from './rng.js';
import { StateMachine } from './statemachine.js';
import { entryLabel, type Trace } from './trace.js';

/** Builds the core for a node: the real RawNode by default, a planted-bug variant in tests. */
export type MakeNode = (config: Config, storage: MemoryStorage) => RawNode;

export const defaultMakeNode: MakeNode = (config, storage) => new RawNode(config, storage);

/** The config of every core in a run, minus what is per node (id, rng, applied). */
export type NodeConfig = Omit<Config, 'id' | 'rng' | 'applied'>;

/** What a driver needs from the world around it (implemented by SimCluster). */
export interface NodeEnv {
  now(): number;
  readonly checker: InvariantChecker;
  trace(): Trace | undefined;
  /** Puts a message on the simulated network. */
  send(m: Message): SendOutcome;
  /** Runs `fn` after `delayMs` of simulated time. */
  schedule(delayMs: number, fn: () => void): void;
  /** The node applied a committed entry (the harness wakes clients waiting for it). */
  applied(node: SimNode, e: Entry): void;
  /** The node's role changed (after the invariant checks on it ran). */
  roleChanged(node: SimNode): void;
  /** A linearizable read asked on this node can be answered from its state at `index`. */
  readServed(node: SimNode, ctx: string, index: number): void;
}

export interface SimNodeOptions {
  readonly id: NodeId;
  readonly env: NodeEnv;
  readonly config: NodeConfig;
  /** The run's seed: each incarnation's core gets its own rng stream derived from it. */
  readonly seed: number;
  /** The configuration at index 0, shared by every node that ever joins this cluster. */
  readonly bootstrap: ConfState;
  readonly tickMs: number;
  /** Take a snapshot after this many applied entries (0: never). */
  readonly snapshotEvery: number;
  /** Entries kept behind a snapshot when compacting, so slow followers can still get entries. */
  readonly snapshotTail: number;
  readonly makeNode?: MakeNode;
  /** Builds the Ready driver: the node's own by default, a planted-bug variant in tests. */
  readonly readyDriver?: MakeReadyDriver;
}

/**
 * Builds the Ready driver of one incarnation. `later` runs a callback after simulated time,
 * unless the node crashed meanwhile (for variants that defer part of a Ready).
 */
export type MakeReadyDriver = (
  raw: RawNode,
  io: ReadyIO,
  later: (delayMs: number, fn: () => void) => void,
) => ReadyDriver;

export const defaultReadyDriver: MakeReadyDriver = (raw, io) => new ReadyDriver(raw, io);

/** Builds a node; tests pass their own to plant bugs (see {@link SimNodeOptions.readyDriver}). */
export type MakeDriver = (opts: SimNodeOptions) => SimNode;

export const defaultMakeDriver: MakeDriver = (opts) => new SimNode(opts);

/**
 * The simulator's driver of one core, playing the part the node process plays for real: it owns
 * the node's "disk" (a MemoryStorage that survives crashes), the core (lost on a crash), and the
 * state machine (also lost, rebuilt from the disk's snapshot plus re-applied entries on restart).
 * After every input it drains the core's Readys, and it reports what it persists, applies and
 * observes to the invariant checker.
 */
export class SimNode {
  readonly id: NodeId;
  readonly disk: MemoryStorage;
  protected readonly env: NodeEnv;
  protected readonly opts: SimNodeOptions;

  /** The core; undefined while the node is crashed (or not started yet). */
  protected raw: RawNode | undefined;
  /** Bumped on every crash and start: events scheduled by an earlier life are ignored. */
  protected incarnation = 0;
  protected sm = new StateMachine();
  /** The Ready loop of the running incarnation. */
  protected driver: ReadyDriver | undefined;

  /** Volatile, as last reported by the core. */
  role: Role = 'follower';
  leader: NodeId = 0;
  term = 0;
  /** Reads confirmed by the core (ReadState) waiting for the state machine to catch up. */
  private readonly pendingReads = new Map<string, number>();
  private readonly unreachable = new Set<NodeId>();

  /**
   * The harness's record of everything this node ever applied (index → entry), kept across
   * crashes like 6.824's cfg.logs; used by nCommitted(). Not part of the node's state.
   */
  readonly history = new Map<number, Entry>();

  constructor(opts: SimNodeOptions) {
    this.opts = opts;
    this.id = opts.id;
    this.env = opts.env;
    this.disk = new MemoryStorage(opts.bootstrap);
  }

  get alive(): boolean {
    return this.raw !== undefined;
  }

  get appliedIndex(): number {
    return this.sm.index;
  }

  get appliedHash(): number {
    return this.sm.hash;
  }

  /** Client commands applied (the value a read returns). */
  get value(): number {
    return this.sm.commands;
  }

  /** Boots the core from whatever is on disk: a first start or a restart after a crash. */
  start(): void {
    if (this.raw) throw new Error(`n${this.id} is already running`);
    this.incarnation++;
    const snap = this.disk.snapshot();
    this.sm = StateMachine.restore(snap.data);
    const c = this.env.checker;
    if (this.sm.index !== snap.metadata.index) {
      c.fail(
        'snapshot',
        `n${this.id}'s snapshot data is for ${this.sm.index}, its metadata says ${snap.metadata.index}`,
      );
    }
    const config: Config = {
      ...this.opts.config,
      id: this.id,
      rng: new SimRng(this.opts.seed, `core n${this.id} #${this.incarnation}`),
      applied: snap.metadata.index,
    };
    this.raw = (this.opts.makeNode ?? defaultMakeNode)(config, this.disk);
    this.driver = (this.opts.readyDriver ?? defaultReadyDriver)(
      this.raw,
      this.readyIO(),
      (ms, fn) => this.later(ms, fn),
    );
    const st = this.raw.status();
    this.role = st.role;
    this.leader = st.leader;
    this.term = st.term;
    c.onRestart(this.id, st.commit, this.disk.getHardState().commit, this.sm.index);
    c.onRestore(this.id, this.sm.index, this.sm.hash);
    // Each incarnation's clock starts at a random phase: nodes do not tick in lockstep.
    const phase = new SimRng(this.opts.seed, `phase n${this.id} #${this.incarnation}`).int(
      this.opts.tickMs,
    );
    this.later(phase + 1, () => this.tickLoop());
    this.processReady();
  }

  /** Loses everything not on disk: the core, the state machine, pending reads and timers. */
  crash(): void {
    this.raw = undefined;
    this.incarnation++;
    this.driver?.stop();
    this.driver = undefined;
    this.pendingReads.clear();
    this.unreachable.clear();
    this.role = 'follower';
    this.leader = 0;
    this.env.checker.onCrash(this.id);
  }

  /** The transport's connection to `peer` broke: told to the core between Readys. */
  linkDown(peer: NodeId): void {
    if (!this.raw) return;
    this.unreachable.add(peer);
    this.processReady();
  }

  private tickLoop(): void {
    this.raw!.tick();
    this.later(this.opts.tickMs, () => this.tickLoop());
  }

  // ---- inputs: each one is followed by draining the Readys it produced ----

  step(m: Message): void {
    if (!this.raw) return;
    this.raw.step(m);
    this.processReady();
  }

  propose(data: string): { index: number; term: number } {
    const raw = this.running();
    const r = raw.propose(data);
    this.processReady();
    return r;
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    const raw = this.running();
    const r = raw.proposeConfChange(cc);
    this.processReady();
    return r;
  }

  readIndex(ctx: string): void {
    this.running().readIndex(ctx);
    this.processReady();
  }

  transferLeadership(to: NodeId): void {
    this.running().transferLeadership(to);
    this.processReady();
  }

  campaign(): void {
    this.running().campaign();
    this.processReady();
  }

  status(): Status | undefined {
    return this.raw?.status();
  }

  private running(): RawNode {
    if (!this.raw) throw new ProposalDropped(`n${this.id} is down`);
    return this.raw;
  }

  /** Snapshots the state machine now (the fuzzer also does this at random moments). */
  snapshotNow(): void {
    if (!this.raw || this.driver?.handling === true) return;
    this.takeSnapshot();
  }

  // ---- the Ready loop: the node's own driver, over this node's simulated I/O ----

  /** Hands every pending Ready to the driver, one at a time (the next only after advance()). */
  processReady(): void {
    if (!this.raw) return;
    this.driver!.drain();
  }

  /** What the driver does with a Ready here: this node's disk, network and state machine. */
  private readyIO(): ReadyIO {
    return {
      // Reported between Readys, never while one is being handled.
      beforeReady: () => {
        if (this.unreachable.size > 0) this.flushUnreachable();
      },
      observe: (rd) => this.observe(rd),
      save: (batch) => {
        if (batch.snapshot) this.disk.applySnapshot(batch.snapshot);
        this.persistEntries(batch.entries);
        if (batch.hardState) this.disk.setHardState(batch.hardState);
      },
      send: (msgs) => this.sendMessages(msgs),
      apply: (rd) => this.apply(rd),
      afterAdvance: () => {
        const every = this.opts.snapshotEvery;
        if (every > 0 && this.sm.index - this.disk.snapshot().metadata.index >= every)
          this.takeSnapshot();
      },
    };
  }

  private persistEntries(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    this.disk.append(entries);
    // The term before the first entry, as this log now has it (undefined if compacted away).
    const before = entries[0].index - 1;
    const prevTerm = before >= this.disk.firstIndex() - 1 ? this.disk.term(before) : undefined;
    this.env.checker.onPersist(this.id, entries, prevTerm);
  }

  private sendMessages(msgs: readonly Message[]): void {
    for (const m of msgs) {
      // A real transport learns a peer is unreachable when the connection fails.
      if (this.env.send(m) === 'unreachable') this.unreachable.add(m.to);
    }
  }

  private apply(rd: Ready): void {
    const c = this.env.checker;
    if (rd.snapshot) {
      this.sm = StateMachine.restore(rd.snapshot.data);
      const at = rd.snapshot.metadata.index;
      if (this.sm.index !== at) {
        c.fail(
          'snapshot',
          `n${this.id} got a snapshot whose data is for ${this.sm.index}, metadata says ${at}`,
        );
      }
      c.onRestore(this.id, this.sm.index, this.sm.hash);
      this.env.trace()?.log(`n${this.id} installed snapshot @${at}/t${rd.snapshot.metadata.term}`);
    }
    const ents = rd.committedEntries;
    if (ents.length > 0) {
      const trace = this.env.trace();
      if (trace) {
        const shown =
          ents.length <= 3
            ? ents.map(entryLabel).join(' ')
            : `${ents[0].index}..${ents[ents.length - 1].index}`;
        trace.log(`n${this.id} apply ${shown}`);
      }
      for (const e of ents) {
        if (e.index !== this.sm.index + 1) {
          c.fail(
            'apply-order',
            `n${this.id} was handed entry ${e.index} to apply after ${this.sm.index}`,
          );
          return;
        }
        const hash = this.sm.apply(e);
        c.onApply(this.id, e, hash, this.term);
        this.history.set(e.index, e);
        this.env.applied(this, e);
      }
    }
    for (const rs of rd.readStates) this.pendingReads.set(rs.context, rs.index);
    this.serveReads();
  }

  /** Runs `fn` after `delayMs`, unless the node crashed or restarted in between; then drains Readys. */
  protected later(delayMs: number, fn: () => void): void {
    const life = this.incarnation;
    this.env.schedule(delayMs, () => {
      if (this.incarnation !== life || !this.raw) return;
      fn();
      this.processReady();
    });
  }

  private serveReads(): void {
    if (this.pendingReads.size === 0) return;
    for (const [ctx, index] of this.pendingReads) {
      if (index <= this.sm.index) {
        this.pendingReads.delete(ctx);
        this.env.readServed(this, ctx, this.sm.index);
      }
    }
  }

  private flushUnreachable(): void {
    const ids = [...this.unreachable];
    this.unreachable.clear();
    for (const id of ids) this.raw?.reportUnreachable(id);
  }

  /**
   * Snapshot at the applied index, with the configuration in force there (the core applied
   * every conf change up to it in advance()), then compact all but a tail of entries.
   */
  private takeSnapshot(): void {
    const raw = this.raw!;
    const index = this.sm.index;
    if (index <= this.disk.snapshot().metadata.index || index > this.disk.lastIndex()) return;
    this.disk.createSnapshot(index, raw.status().conf, this.sm.snapshotData());
    const upTo = index - this.opts.snapshotTail;
    if (upTo >= this.disk.firstIndex()) this.disk.compact(upTo);
    this.env.trace()?.log(`n${this.id} snapshot @${index}, log from ${this.disk.firstIndex()}`);
  }

  /**
   * The new leader's log for the Leader Completeness check: the disk overlaid with the entries of
   * the Ready being handled (a driver may not have persisted them yet).
   */
  protected logView(pending: readonly Entry[]): LogView {
    const disk = this.disk;
    const first = pending.length > 0 ? pending[0].index : Infinity;
    const last = pending.length > 0 ? pending[pending.length - 1].index : disk.lastIndex();
    const compacted = disk.firstIndex() - 1;
    return {
      snapshotIndex: compacted,
      lastIndex: last,
      term(i: number): number | undefined {
        if (i >= first) return i <= last ? pending[i - first].term : undefined;
        if (i < compacted || i > disk.lastIndex()) return undefined;
        return disk.term(i);
      },
    };
  }

  /** Records role changes and commit progress, and checks a new leader. */
  private observe(rd: Ready): void {
    const c = this.env.checker;
    if (rd.hardState) {
      this.term = rd.hardState.term;
      c.onCommit(this.id, rd.hardState.commit);
    }
    const ss = rd.softState;
    if (!ss) return;
    const was = this.role;
    this.role = ss.role;
    this.leader = ss.leader;
    if (ss.role === was) return;
    this.term = this.raw!.status().term;
    this.env.trace()?.log(`n${this.id} became ${ss.role} t${this.term}`);
    if (ss.role === 'leader') c.onLeader(this.id, this.term, this.logView(rd.entries));
    this.env.roleChanged(this);
  }
}
