/**
 * The Raft loop of a node process: the pure core (cluster/raft) driven by a timer, the TCP
 * transport and the WAL, with MySQL applying behind it (applier.ts). It implements the
 * NodeService the client API uses.
 *
 * Each Ready is handled synchronously and in the core's order: persist (one fdatasync), then
 * send, then hand committed entries to the applier. Nothing here awaits MySQL or a client, so
 * ticks keep their rhythm however slow the database is.
 *
 * A node whose MySQL is not up (stalled, down) stays a full Raft member, but steps aside: as
 * leader it hands leadership to a voter whose MySQL is up (handover.ts), and as follower it holds
 * its campaign back a little so that a healthy node is elected first (holdCampaign).
 */
import {
  DEFAULT_CONFIG,
  ProposalDropped,
  RawNode,
  type ConfChange,
  type ConfState,
  type Entry,
  type NodeId,
  type Ready,
  type Role,
} from '../raft/index.js';
import type { ChecksumResponse, NodeRole, NodeStatus } from '../api/node.js';
import type { CommandResult, Task, TaskCommand } from '../api/task.js';
import type { ListQuery } from '../../db/statemachine.js';
import { MySqlUnavailableError } from '../../db/errors.js';
import type { NodeIdentity } from '../../db/identity.js';
import { Applier } from './applier.js';
import { QUERY_TIMEOUT_MS } from '../../db/query-timeout.js';
import { loadNodeIdentity } from './identity.js';
import { DEFAULT_STALLED_AFTER_MS, selfOf, type NodeConfig } from './config.js';
import type { NodeEvent } from './control.js';
import type { Logger } from './log.js';
import { NoQuorumError, NotLeaderError, type CommittedWrite, type NodeService } from './service.js';
import {
  FaultyTransport,
  TcpTransport,
  type FaultSpec,
  type LogLevel,
  type PeerAddress,
} from './transport/index.js';
import { systemClock } from './clock.js';
import { DiskStorage } from './wal/index.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { PeerRegistry } from './peers.js';
import type { ControlRequest } from './control.js';
import { ThresholdWaiters, WaiterMap } from './waiters.js';
import { MessageSampler } from './message-sampler.js';
import { logTermRuns } from './log-terms.js';
import { SickLeaderHandover } from './handover.js';
import { peerMySqlUp } from './peer-health.js';

export interface RaftNodeOptions {
  readonly config: NodeConfig;
  readonly secret: Uint8Array;
  /** The client API token: a leader with a sick MySQL asks the others' /status with it. */
  readonly token?: string;
  readonly log: Logger;
  /** Events for the parent process (role changes, MySQL status). */
  readonly emit?: (event: NodeEvent) => void;
  /** Report sampled Raft messages through `emit` (only useful with a parent watching). */
  readonly traceMessages?: boolean;
  /**
   * The node cannot go on (its database belongs to another cluster, node or log); main.ts
   * exits. Default: log it (MySQL stays `down`).
   */
  readonly onFatal?: (error: Error) => void;
}

interface PendingProposal {
  readonly data: string;
  readonly resolve: (w: CommittedWrite) => void;
  readonly reject: (e: Error) => void;
}

/** A proposal's entry was applied: the entry as it ended up in the log, and the answer. */
interface AppliedEntry {
  readonly entry: Entry;
  readonly result: CommandResult | null;
}

/** Proposals flushed into one Raft append at most (the rest wait for the next flush). */
const MAX_PROPOSALS_PER_FLUSH = 512;
/** A follower whose MySQL is not up campaigns this many election timeouts late (holdCampaign). */
const SICK_CAMPAIGN_DELAY_TIMEOUTS = 2;

export class RaftNode implements NodeService {
  readonly id: NodeId;
  readonly requestTimeoutMs: number;
  private readonly raw: RawNode;
  private readonly applier: Applier;
  private tickTimer: NodeJS.Timeout | undefined;
  private draining = false;
  /** A Ready's entries are being fdatasync'ed (see persistAsync); no other Ready is handled. */
  private syncing: Promise<void> | undefined;
  /** A Ready whose sync finished while the node was frozen: finished at thaw. */
  private syncedWhileFrozen: Ready | undefined;
  private drainScheduled = false;
  private stopped = false;
  /** This process's exclusive hold on the data dir, released at stop. */
  private dirLock: DirLock | undefined;
  private frozen = false;

  private role: Role;
  private leader: NodeId;
  private term: number;
  private commit: number;

  private pending: PendingProposal[] = [];
  private flushScheduled = false;
  private readonly proposals = new WaiterMap<number, AppliedEntry>();
  private readonly reads = new WaiterMap<string, number>();
  private readonly appliedWaiters = new ThresholdWaiters();
  private readonly leaderWaiters = new Set<(url: string) => void>();
  private readSeq = 0;

  /** Membership after each batch that changed it, to record the right one in a snapshot. */
  private readonly confHistory: { index: number; conf: ConfState }[] = [];
  private readonly initialConf: ConfState;
  private snapshotting = false;
  private readonly peers: PeerRegistry;
  /** Membership changes proposed here, by log index, waiting to be applied. */
  private readonly confWaiters = new WaiterMap<number, Entry>();
  private sampler: MessageSampler | undefined;
  private readonly handover: SickLeaderHandover;
  /** Ticks held back at the edge of a campaign while MySQL is not up (holdCampaign). */
  private heldTicks = 0;

  private constructor(
    private readonly config: NodeConfig,
    private readonly storage: DiskStorage,
    private readonly transport: FaultyTransport<TcpTransport>,
    private readonly log: Logger,
    private readonly emit: (event: NodeEvent) => void,
    identity: NodeIdentity,
    onFatal: (error: Error) => void,
    token: string | undefined,
  ) {
    this.id = config.id;
    this.requestTimeoutMs = config.requestTimeoutMs;
    this.initialConf = storage.initialState().conf;
    this.peers = new PeerRegistry(config.peers, config.dataDir, (m) => log.warn(m));
    this.raw = new RawNode(
      {
        ...DEFAULT_CONFIG,
        id: config.id,
        electionTick: config.timers.electionTicks,
        heartbeatTick: config.timers.heartbeatTicks,
        // Real randomness for election timeouts: the core only needs an int source.
        rng: { int: (n) => Math.floor(Math.random() * n) },
      },
      storage,
    );
    const st = this.raw.status();
    this.role = st.role;
    this.leader = st.leader;
    this.term = st.term;
    this.commit = st.commit;
    this.applier = new Applier({
      url: config.mysql.url,
      database: config.mysql.database,
      identity,
      raftLog: () => ({
        lastIndex: this.storage.lastIndex(),
        // The entry before the first one is the snapshot's (its term is kept); older is gone.
        termAt: (i) =>
          i >= this.storage.firstIndex() - 1 && i <= this.storage.lastIndex()
            ? this.storage.term(i)
            : undefined,
      }),
      onFatal,
      log,
      diskSnapshot: () => this.storage.snapshot(),
      onApplied: (entry, result) => this.onApplied(entry, result),
      onProgress: (applied) => this.onAppliedProgress(applied),
      queryTimeoutMs: config.mysql.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
      stalledAfterMs: config.mysql.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS,
      onStatus: (status, error) =>
        this.emit({
          type: 'mysql',
          id: this.id,
          status: error === undefined ? { status } : { status, error },
        }),
    });
    const electionMs = config.timers.electionTicks * config.timers.tickMs;
    this.handover = new SickLeaderHandover({
      isLeader: () => this.role === 'leader',
      mysqlStatus: () => this.applier.status,
      voters: () => {
        const st = this.raw.status();
        const voters = new Set(st.conf.voters);
        return st.progress.filter((p) => p.id !== this.id && voters.has(p.id));
      },
      mysqlUpAt: async (id) => {
        const url = this.peers.clientUrl(id);
        return url !== undefined && token !== undefined && (await peerMySqlUp(url, token));
      },
      transfer: (to) => this.transferLeadership(to),
      graceMs: config.mysql.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS,
      // The core abandons a transfer after an election timeout; try again after that.
      retryMs: Math.max(2 * electionMs, 500),
      log,
    });
  }

  /**
   * Opens the WAL (throws WalCorruptionError / DiskStorageError when it cannot be trusted),
   * starts the transport and the tick timer, and starts connecting to MySQL in the background.
   */
  static async start(opts: RaftNodeOptions): Promise<RaftNode> {
    const { config, log } = opts;
    // Before recovery touches anything: a second process on this dir (same config started
    // twice) must not truncate, rename or delete files under a live node.
    const lock = await acquireDirLock(config.dataDir, {
      what: `data dir ${config.dataDir}`,
      pidFile: `${config.dataDir}/lock.pid`,
    });
    const raftDir = `${config.dataDir}/raft`;
    let storage: DiskStorage;
    try {
      storage = DiskStorage.open(raftDir, {
        bootstrap: {
          voters: config.bootstrapVoters ?? config.peers.map((p) => p.id),
          learners: [],
        },
        log: (m) => log.warn(m),
      });
    } catch (e) {
      await lock.release();
      throw e;
    }
    let identity: NodeIdentity;
    try {
      identity = loadNodeIdentity(raftDir, config, (m) => log.info(m));
    } catch (e) {
      storage.close();
      await lock.release();
      throw e;
    }
    // The transport needs the node's handlers, and the node needs the transport.
    const ref: { node?: RaftNode } = {};
    const peers = new Map<NodeId, PeerAddress>(
      config.peers.map((p) => [p.id, { host: p.host, port: p.raftPort }]),
    );
    // Injected faults (PUT /api/network) wrap the TCP transport.
    const transportLog = (level: LogLevel, msg: string): void => log[level](`transport: ${msg}`);
    const transport = new FaultyTransport(
      { id: config.id, clock: systemClock, random: Math.random, log: transportLog },
      {
        onMessage: (m) => ref.node?.onMessage(m),
        onUnreachable: (id) => ref.node?.onUnreachable(id),
      },
      (handlers) =>
        new TcpTransport({
          id: config.id,
          host: config.listenHost,
          port: selfOf(config).raftPort,
          peers,
          secret: opts.secret,
          ...handlers,
          log: transportLog,
        }),
    );
    const node = new RaftNode(
      config,
      storage,
      transport,
      log,
      opts.emit ?? (() => undefined),
      identity,
      opts.onFatal ?? ((e) => log.error(e.message)),
      opts.token,
    );
    node.dirLock = lock;
    ref.node = node;
    if (opts.traceMessages === true) {
      node.sampler = new MessageSampler(100, (messages, dropped) =>
        node.emit({ type: 'messages', id: node.id, messages, dropped }),
      );
    }
    try {
      await transport.start();
    } catch (e) {
      storage.close();
      await lock.release();
      throw e;
    }
    node.begin();
    return node;
  }

  get raftPort(): number {
    return this.transport.inner.port;
  }

  private begin(): void {
    // Members learned from earlier addLearner entries (peers.json) are dialled too.
    this.transport.setPeers(this.peerAddresses(this.raw.status().conf));
    this.applier.start();
    let ticks = 0;
    this.tickTimer = setInterval(() => {
      if (this.frozen) return;
      if (!this.holdCampaign()) this.raw.tick();
      // A read request is lost when it meets a follower that knows no leader, or a dropped
      // link; ask again every heartbeat interval until it is answered or times out.
      // (A leader keeps its own pending reads and retries them with every heartbeat.)
      if (++ticks % this.config.timers.heartbeatTicks === 0) {
        if (this.role !== 'leader') this.resendReads();
        // Every role: as a follower it forgets when MySQL fell sick, so a later leadership
        // starts its grace period afresh.
        this.handover.check();
      }
      this.drain();
    }, this.config.timers.tickMs);
    this.drain();
  }

  /**
   * Whether to skip this tick because it would start a campaign while MySQL is not up: such a
   * node would lead a cluster it cannot answer for. It is held at the edge of its election
   * timeout for SICK_CAMPAIGN_DELAY_TIMEOUTS more election timeouts, so a healthy voter wins
   * first; then it campaigns anyway, so a cluster whose every MySQL is sick still elects a
   * leader and keeps logging (Raft never waits for MySQL). Its votes are never held back, and it
   * is held only past electionTicks: below that, a held timer would stretch the leader lease
   * during which it refuses other candidates' votes.
   */
  private holdCampaign(): boolean {
    if (this.role === 'leader' || this.applier.status === 'up') {
      this.heldTicks = 0;
      return false;
    }
    const { electionElapsed, electionTimeout, conf } = this.raw.status();
    const electionTicks = this.config.timers.electionTicks;
    // A learner never campaigns: its timer runs past the edge and must not be slowed.
    const atEdge =
      conf.voters.includes(this.id) &&
      electionElapsed + 1 >= electionTimeout &&
      electionElapsed >= electionTicks;
    if (!atEdge || this.heldTicks >= SICK_CAMPAIGN_DELAY_TIMEOUTS * electionTicks) {
      this.heldTicks = 0;
      return false;
    }
    this.heldTicks++;
    return true;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.sampler?.stop();
    const gone = new NoQuorumError('the node is shutting down');
    for (const p of this.pending.splice(0)) p.reject(gone);
    this.proposals.rejectAll(gone);
    this.reads.rejectAll(gone);
    this.appliedWaiters.rejectAll(gone);
    this.confWaiters.rejectAll(gone);
    await this.transport.close();
    await this.applier.close();
    await this.syncing;
    this.persistCommit();
    this.storage.close();
    await this.dirLock?.release();
  }

  /**
   * On a clean stop, the commit index goes to the hard state (it is written otherwise only with
   * a term or vote change): a log that comes back shorter than it (a damaged WAL) is then refused
   * at start instead of silently serving fewer committed entries. Best effort: a failure is
   * logged, the stop goes on.
   */
  private persistCommit(): void {
    try {
      const durable = this.storage.getHardState();
      const commit = Math.min(this.raw.status().commit, this.storage.lastIndex());
      if (commit > durable.commit)
        this.storage.save({ entries: [], hardState: { ...durable, commit } });
    } catch (e) {
      this.log.warn(`could not record the commit index at stop: ${(e as Error).message}`);
    }
  }

  // ---- the loop ----

  private onMessage(m: Parameters<RawNode['step']>[0]): void {
    if (this.stopped || this.frozen) return; // a frozen process reads nothing
    this.raw.step(m);
    this.scheduleDrain();
  }

  private onUnreachable(id: NodeId): void {
    if (this.stopped || this.frozen) return;
    this.raw.reportUnreachable(id);
    this.scheduleDrain();
  }

  /** Messages that arrive together are handled in one Ready (one fsync: group commit). */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.draining || this.syncing !== undefined || this.stopped || this.frozen) return;
    this.draining = true;
    try {
      while (this.raw.hasReady()) {
        const rd = this.raw.ready();
        const hardState = this.hardStateToPersist(rd.hardState);
        if (rd.entries.length > 0 && rd.snapshot === undefined && hardState === undefined) {
          // The common Ready (new entries, no term or vote change): fdatasync in the thread pool.
          this.persistAsync(rd);
          return;
        }
        // 1. Durable before anything that depends on it leaves (a failed write is fatal: main exits).
        this.storage.save({ snapshot: rd.snapshot, entries: rd.entries, hardState });
        this.finish(rd);
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Writes the Ready's entries now and fdatasyncs them off the event loop. Meanwhile the loop
   * keeps serving: HTTP requests, peers' messages and ticks are stepped into the core (allowed
   * between ready() and advance(), as in etcd's RawNode) and gather into the next Ready, which is
   * the group commit. Nothing of this Ready leaves before its entries are durable, and no other
   * Ready is handled before this one finishes.
   */
  private persistAsync(rd: Ready): void {
    this.syncing = new Promise((resolve) => {
      this.storage.appendAsync(rd.entries, (error) => {
        this.syncing = undefined;
        resolve();
        // The disk state is unknown: fatal, as a failed save() is (main exits).
        if (error) throw error;
        if (this.stopped) return;
        if (this.frozen) {
          this.syncedWhileFrozen = rd;
          return;
        }
        this.finishAndDrain(rd);
      });
    });
  }

  private finishAndDrain(rd: Ready): void {
    this.draining = true;
    try {
      this.finish(rd);
    } finally {
      this.draining = false;
    }
    this.drain();
  }

  /** The rest of a persisted Ready: send, apply, then advance the core. */
  private finish(rd: Ready): void {
    // 2. Send.
    for (const m of rd.messages) {
      this.transport.send(m);
      this.sampler?.record(m);
    }
    // 3. Apply (queued: MySQL works behind the loop).
    if (rd.snapshot) this.applier.enqueueSnapshot(rd.snapshot);
    this.applier.enqueueEntries(rd.committedEntries);
    for (const rs of rd.readStates) this.reads.resolve(rs.context, rs.index);
    if (rd.hardState) {
      this.term = rd.hardState.term;
      this.commit = rd.hardState.commit;
    }
    this.raw.advance();
    this.afterAdvance(rd);
  }

  /**
   * The hard state is rewritten only when the term or the vote changed: those must be durable
   * before any message of this Ready leaves. A commit index that moved on its own is not worth
   * the file's three fsyncs per Ready (the profile's largest cost): after a restart the commit
   * is learned again from the leader, it never drops below the snapshot, and MySQL keeps its
   * own applied index, so a lower recovered commit only delays answers (as etcd's MustSync).
   */
  private hardStateToPersist(hs: Ready['hardState']): Ready['hardState'] {
    if (hs === undefined) return undefined;
    const durable = this.storage.getHardState();
    return hs.term !== durable.term || hs.vote !== durable.vote ? hs : undefined;
  }

  private afterAdvance(rd: Ready): void {
    if (rd.committedEntries.some((e) => e.type === 'conf')) {
      for (const e of rd.committedEntries) if (e.type === 'conf') this.onConfApplied(e);
      const last = rd.committedEntries[rd.committedEntries.length - 1].index;
      const st = this.raw.status();
      this.confHistory.push({ index: last, conf: st.conf });
      this.transport.setPeers(this.peerAddresses(st.conf));
    }
    if (rd.softState) this.onSoftState(rd.softState.role, rd.softState.leader);
  }

  private resendReads(): void {
    for (const ctx of this.reads.keys()) this.raw.readIndex(ctx);
  }

  private onSoftState(role: Role, leader: NodeId): void {
    const was = this.role;
    this.role = role;
    this.leader = leader;
    if (was !== role) this.log.info(`became ${role} in term ${this.raw.status().term}`);
    this.emit({
      type: 'role',
      id: this.id,
      role: this.nodeRole(),
      term: this.raw.status().term,
      leaderId: leader,
    });
    if (leader !== 0) this.resendReads();
    const url = this.leaderClientUrl();
    if (url !== undefined) {
      for (const w of this.leaderWaiters) w(url);
      this.leaderWaiters.clear();
    }
    if (role !== 'leader' && this.pending.length > 0) {
      const err = new NotLeaderError(leader);
      for (const p of this.pending.splice(0)) p.reject(err);
    }
  }

  private onConfApplied(e: Entry): void {
    const cc = JSON.parse(e.data) as ConfChange;
    if (cc.type === 'addLearner') {
      const address = PeerRegistry.parseContext(cc.context);
      if (address) this.peers.learn(cc.nodeId, address);
      else if (this.peers.get(cc.nodeId) === undefined)
        this.log.warn(`n${cc.nodeId} joined without an address: it cannot be reached from here`);
    }
    this.log.info(`membership: ${cc.type} n${cc.nodeId} applied at ${e.index}`);
    this.confWaiters.resolve(e.index, e);
  }

  private peerAddresses(conf: ConfState): Map<NodeId, PeerAddress> {
    const out = new Map<NodeId, PeerAddress>();
    for (const id of [...conf.voters, ...conf.learners]) {
      const a = this.peers.get(id);
      if (a) out.set(id, { host: a.host, port: a.raftPort });
    }
    return out;
  }

  /**
   * A single-server membership change, proposed here (leader only). Resolves once it is applied
   * on this node; rejects with NotLeaderError, ProposalDropped (another change is in progress,
   * or a learner promoted before it caught up) or NoQuorumError.
   */
  async changeMembership(
    change: Extract<ControlRequest, { type: 'confChange' }>['change'],
  ): Promise<number> {
    if (!this.isLeader()) throw new NotLeaderError(this.leader);
    const cc: ConfChange =
      change.type === 'addLearner'
        ? { type: 'addLearner', nodeId: change.nodeId, context: JSON.stringify(change.address) }
        : { type: change.type, nodeId: change.nodeId };
    const at = this.raw.proposeConfChange(cc);
    const applied = this.confWaiters.wait(
      at.index,
      Math.max(
        this.requestTimeoutMs,
        10 * this.config.timers.electionTicks * this.config.timers.tickMs,
      ),
      () => new NoQuorumError(`the membership change at index ${at.index} was not applied in time`),
    );
    this.drain();
    const e = await applied;
    if (e.term !== at.term) throw new NotLeaderError(this.leader);
    return at.index;
  }

  /** Asks the leader (directly, or through this follower) to hand over to `to`. */
  transferLeadership(to: NodeId): void {
    this.raw.transferLeadership(to);
    this.drain();
  }

  // ---- applying ----

  private onApplied(entry: Entry, result: CommandResult | null): void {
    this.proposals.resolve(entry.index, { entry, result });
  }

  private onAppliedProgress(applied: number): void {
    this.appliedWaiters.reached(applied);
    this.maybeSnapshot(applied);
  }

  /** Every `snapshotEntries` applied entries, MySQL's state becomes the snapshot and the WAL shrinks. */
  private maybeSnapshot(applied: number): void {
    if (this.snapshotting || this.stopped) return;
    if (applied - this.storage.snapshot().metadata.index < this.config.snapshotEntries) return;
    this.snapshotting = true;
    void (async () => {
      try {
        const snap = await this.applier.stateMachine().snapshot();
        if (this.stopped || snap.index <= this.storage.snapshot().metadata.index) return;
        await this.storage.createSnapshotAsync(
          snap.index,
          this.confAt(snap.index),
          snap.data,
          this.config.catchUpEntries,
        );
        this.log.info(
          `snapshot at ${snap.index}/${snap.term} (${snap.data.length} bytes); WAL compacted`,
        );
      } catch (e) {
        this.log.warn(`snapshot failed (will retry later): ${(e as Error).message}`);
      } finally {
        this.snapshotting = false;
      }
    })();
  }

  private confAt(index: number): ConfState {
    let conf = this.initialConf;
    for (const h of this.confHistory) if (h.index <= index) conf = h.conf;
    return conf;
  }

  // ---- NodeService ----

  isLeader(): boolean {
    return this.role === 'leader';
  }

  leaderClientUrl(): string | undefined {
    return this.leader === 0 ? undefined : this.peers.clientUrl(this.leader);
  }

  waitForLeader(timeoutMs: number): Promise<string | undefined> {
    const now = this.leaderClientUrl();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (url: string | undefined): void => {
        clearTimeout(timer);
        this.leaderWaiters.delete(done);
        resolve(url);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.leaderWaiters.add(done);
    });
  }

  propose(command: TaskCommand): Promise<CommittedWrite> {
    if (this.stopped) return Promise.reject(new NoQuorumError('the node is shutting down'));
    if (!this.isLeader()) return Promise.reject(new NotLeaderError(this.leader));
    return new Promise((resolve, reject) => {
      this.pending.push({ data: JSON.stringify(command), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // Requests arriving in the same turn of the event loop share one append.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.pending.length > 0 && !this.stopped) {
      const batch = this.pending.splice(0, MAX_PROPOSALS_PER_FLUSH);
      if (!this.isLeader()) {
        const err = new NotLeaderError(this.leader);
        for (const p of batch) p.reject(err);
        continue;
      }
      let at: { index: number; term: number };
      try {
        at = this.raw.proposeBatch(batch.map((p) => p.data));
      } catch (e) {
        if (!(e instanceof ProposalDropped)) throw e;
        const err = new NotLeaderError(this.leader);
        for (const p of batch) p.reject(err);
        continue;
      }
      batch.forEach((p, i) => this.track(p, at.index + i, at.term));
    }
    this.drain();
  }

  private track(p: PendingProposal, index: number, term: number): void {
    this.proposals
      .wait(index, this.requestTimeoutMs, () =>
        this.commit >= index && this.applier.status !== 'up'
          ? new MySqlUnavailableError(
              `the write committed at index ${index} but this node's MySQL is ${this.applier.status}; ` +
                'it will be applied when MySQL returns',
            )
          : new NoQuorumError(
              `no quorum confirmed the write (index ${index}) within ${this.requestTimeoutMs} ms; ` +
                'it may still be applied: retry with the same Idempotency-Key',
            ),
      )
      .then(({ entry, result }) => {
        if (entry.term !== term) {
          // Another leader's entry took this index: ours was never committed.
          p.reject(new NotLeaderError(this.leader));
        } else if (result === null) {
          p.reject(new Error(`the state machine gave no answer for entry ${index}`));
        } else {
          // A retried Idempotency-Key is answered as the first attempt was, where it landed.
          const { entry: first, ...answer } = result;
          p.resolve({ result: answer, index: first?.index ?? index, term: first?.term ?? term });
        }
      }, p.reject);
  }

  async readBarrier(mode: 'linearizable' | 'leader'): Promise<void> {
    if (this.applier.status !== 'up') {
      throw new MySqlUnavailableError(
        `this node's MySQL is ${this.applier.status}: cannot serve reads`,
      );
    }
    const deadline = Date.now() + this.requestTimeoutMs;
    let index: number;
    if (mode === 'leader') {
      if (!this.isLeader()) throw new NotLeaderError(this.leader);
      // The lease: CheckQuorum deposes a leader that has not heard from a quorum for an election
      // timeout, and a new leader needs at least that long to be elected. Until this leader has
      // committed an entry of its own term its commit index may be stale, so use ReadIndex then.
      const st = this.raw.status();
      if (this.raw.raft.raftLog.term(st.commit) === st.term) index = st.commit;
      else index = await this.readIndex(deadline);
    } else {
      index = await this.readIndex(deadline);
    }
    await this.appliedWaiters.wait(
      this.applier.applied,
      index,
      Math.max(1, deadline - Date.now()),
      () =>
        this.applier.status !== 'up'
          ? new MySqlUnavailableError(`MySQL is ${this.applier.status}: cannot serve the read`)
          : new NoQuorumError(`this node did not apply up to ${index} in time`),
    );
  }

  private readIndex(deadline: number): Promise<number> {
    const ctx = `n${this.id}.${++this.readSeq}`;
    const p = this.reads.wait(
      ctx,
      Math.max(1, deadline - Date.now()),
      () =>
        new NoQuorumError(
          this.leader === 0
            ? 'no leader is known: a linearizable read needs a quorum'
            : `no quorum confirmed the leader (n${this.leader}) in time: a linearizable read needs one`,
        ),
    );
    this.raw.readIndex(ctx);
    this.drain();
    return p;
  }

  async listTasks(query: ListQuery): Promise<Task[]> {
    return this.withMySql((sm) => sm.list(query));
  }

  async getTask(id: string): Promise<Task | null> {
    return this.withMySql((sm) => sm.get(id));
  }

  async checksum(): Promise<ChecksumResponse> {
    return this.withMySql((sm) => sm.checksum());
  }

  private async withMySql<T>(
    fn: (sm: ReturnType<Applier['stateMachine']>) => Promise<T>,
  ): Promise<T> {
    try {
      return await fn(this.applier.stateMachine());
    } catch (e) {
      this.applier.reportUnavailable(e);
      throw e;
    }
  }

  appliedIndex(): number {
    return this.applier.applied;
  }

  commitIndex(): number {
    return this.commit;
  }

  /**
   * An in-process pause, for platforms without SIGSTOP: no ticks, no messages in or out, no
   * Ready handled; pending requests time out. Time stands still for the core, as in a real pause.
   */
  freeze(): void {
    this.frozen = true;
    this.log.info('frozen (paused by the supervisor)');
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    this.log.info('thawed');
    const rd = this.syncedWhileFrozen;
    this.syncedWhileFrozen = undefined;
    if (rd) this.finishAndDrain(rd);
    else this.drain();
  }

  setFaults(spec: FaultSpec): void {
    this.transport.setFaults(spec);
  }

  clearFaults(): void {
    this.transport.clearFaults();
  }

  status(): NodeStatus {
    const st = this.raw.status();
    const mysql =
      this.applier.error === undefined
        ? { status: this.applier.status }
        : { status: this.applier.status, error: this.applier.error };
    const self = selfOf(this.config);
    return {
      id: this.id,
      role: this.nodeRole(),
      term: st.term,
      votedFor: st.vote,
      leaderId: st.leader,
      commitIndex: st.commit,
      appliedIndex: this.applier.applied,
      lastLogIndex: st.lastIndex,
      snapshotIndex: st.snapshotIndex,
      // The stored log (the WAL's): entries still unpersisted have no term to show yet.
      // Entries kept behind the snapshot for lagging followers show as the snapshot, as before.
      logTerms: logTermRuns(
        Math.max(this.storage.firstIndex() - 1, this.storage.snapshot().metadata.index),
        this.storage.lastIndex(),
        (i) => this.storage.term(i),
      ),
      voters: st.conf.voters,
      learners: st.conf.learners,
      electionElapsed: st.electionElapsed,
      electionTimeout: st.electionTimeout,
      clientUrl: `http://${self.host}:${self.clientPort}`,
      mysql,
      progress: st.progress.map((p) => ({
        id: p.id,
        match: p.match,
        next: p.next,
        state: p.state,
      })),
    };
  }

  private nodeRole(): NodeRole {
    if (this.raw.status().isLearner) return 'learner';
    return this.role;
  }
}
