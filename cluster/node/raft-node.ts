/**
 * A Raft node: the pure core (cluster/raft) driven by the Ready loop (ready-driver.ts) over its
 * log storage, transport and clock, with the task store applying behind it (applier.ts). It
 * implements the NodeService the client API uses.
 *
 * Every dependency enters through RaftNodeDeps (as hashicorp/raft's NewRaft): open-node.ts
 * builds the production ones (WAL, TCP, MySQL, system clock); the simulator passes simulated
 * ones. Nothing here awaits the task store or a client, so ticks keep their rhythm however
 * slow the database is.
 *
 * A node whose MySQL is not up (stalled, down) stays a full Raft member, but steps aside: as
 * leader it hands leadership to a voter whose MySQL is up (handover.ts), and as follower it holds
 * its campaign back a little so that a healthy node is elected first (holdCampaign).
 */
import {
  DEFAULT_CONFIG,
  RawNode,
  type Config,
  type HardState,
  type NodeId,
  type Ready,
  type Rng,
  type Role,
} from '../raft/index.js';
import type { ChecksumResponse, MySqlStatus, NodeRole, NodeStatus } from '../api/node.js';
import type { Project, Task, TaskCommand } from '../api/task.js';
import type { ListQuery } from '../../db/statemachine.js';
import type { NodeIdentity } from '../../db/identity.js';
import type { OpenTaskStore, TaskStore } from '../../db/task-store.js';
import { Applier } from './applier.js';
import type { Clock, TimerHandle } from './clock.js';
import { DEFAULT_STALLED_AFTER_MS, selfOf, type NodeConfig } from './config.js';
import type { NodeEvent } from './control.js';
import type { Failpoints } from './failpoints.js';
import type { Logger } from './log.js';
import { NoQuorumError, type CommittedWrite, type NodeService } from './service.js';
import type { PeerAddress, PeerTransport, PeerTransportFactory } from './transport/index.js';
import type { LogStore } from './wal/log-store.js';
import { PeerRegistry } from './peers.js';
import { MessageSampler } from './message-sampler.js';
import { logTermRuns } from './log-terms.js';
import { SickLeaderHandover } from './handover.js';
import { ReadyDriver, type ReadyIO } from './ready-driver.js';
import { Proposals, type ProposalsDeps } from './proposals.js';
import { Reads, type ReadsDeps } from './reads.js';
import { Membership, type MembershipChange } from './membership.js';
import { Snapshots } from './snapshots.js';
import { Lease } from './lease.js';

export interface RaftNodeDeps {
  readonly config: NodeConfig;
  readonly log: Logger;
  /** The Raft log and hard state (the WAL in production). */
  readonly storage: LogStore;
  readonly transport: PeerTransportFactory;
  /** The task database committed entries are applied to (MySQL in production). */
  readonly openStore: OpenTaskStore;
  readonly identity: NodeIdentity;
  readonly clock: Clock;
  /** Election timeouts are drawn from it. */
  readonly random: Rng;
  /** Events for the parent process (role changes, MySQL status, sampled messages). */
  readonly emit?: (event: NodeEvent) => void;
  /** The node cannot go on (another cluster's database, a failed disk). Default: log it. */
  readonly onFatal?: (error: Error) => void;
  /** Whether the MySQL of the peer serving `clientUrl` is up (asked before a handover). */
  readonly peerMySqlUp?: (clientUrl: string) => Promise<boolean>;
  /** Where learned peer addresses are kept (peers.json's folder); undefined: in memory. */
  readonly peersDir?: string;
  /** Report sampled Raft messages through `emit` (only useful with a parent watching). */
  readonly traceMessages?: boolean;
  /** Whatever else stop() must release (the data dir lock). */
  readonly onStopped?: () => Promise<void>;
  /**
   * Where a test may crash the node on purpose (failpoints.ts): `vote-after-persist` here, and
   * the applier's. The storage takes its own (DiskStorage's `failpoints` option). Default: none.
   */
  readonly failpoints?: Failpoints;
}

/** A follower whose MySQL is not up campaigns this many election timeouts late (holdCampaign). */
const SICK_CAMPAIGN_DELAY_TIMEOUTS = 2;

export class RaftNode implements NodeService {
  readonly id: NodeId;
  readonly requestTimeoutMs: number;
  protected readonly config: NodeConfig;
  private readonly storage: LogStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly emit: (event: NodeEvent) => void;
  private readonly raw: RawNode;
  private readonly driver: ReadyDriver;
  private readonly transport: PeerTransport;
  private readonly applier: Applier;
  private readonly proposals: Proposals;
  private readonly reads: Reads;
  private readonly membership: Membership;
  private readonly snapshots: Snapshots;
  private readonly peers: PeerRegistry;
  private readonly handover: SickLeaderHandover;
  private sampler: MessageSampler | undefined;
  private tickTimer: TimerHandle | undefined;
  /** The clock's time of tick 0, and how many ticks ran since (runDueTicks). */
  private tickEpoch = 0;
  private ticksRun = 0;
  private drainScheduled = false;
  private stopped = false;
  private frozen = false;
  /** Ticks held back at the edge of a campaign while MySQL is not up (holdCampaign). */
  private heldTicks = 0;
  private readonly lease: Lease;

  private role: Role;
  private leader: NodeId;
  private commit: number;
  /**
   * The term as of the last Ready handled: what a role change in that Ready happened in (the
   * core may be in a later term already, with its own Ready still to come).
   */
  private term: number;

  protected constructor(private readonly deps: RaftNodeDeps) {
    const { config, storage, log, clock } = deps;
    this.config = config;
    this.storage = storage;
    this.clock = clock;
    this.log = log;
    this.emit = deps.emit ?? (() => undefined);
    this.id = config.id;
    this.requestTimeoutMs = config.requestTimeoutMs;
    this.peers = new PeerRegistry(config.peers, deps.peersDir, (m) => log.warn(m));
    this.raw = this.makeRawNode(
      {
        ...DEFAULT_CONFIG,
        id: config.id,
        electionTick: config.timers.electionTicks,
        heartbeatTick: config.timers.heartbeatTicks,
        rng: deps.random,
      },
      storage,
    );
    const st = this.raw.status();
    this.role = st.role;
    this.leader = st.leader;
    this.commit = st.commit;
    this.term = st.term;
    const { electionTicks, tickMs } = config.timers;
    this.lease = new Lease(config.id, this.raw, clock, electionTicks * tickMs);
    const drain = (): void => this.drain();
    this.transport = deps.transport({
      onMessage: (m) => {
        if (this.stopped || this.frozen) return; // a frozen process reads nothing
        this.runDueTicks();
        this.lease.onMessage(m, this.term);
        this.raw.step(m);
        this.scheduleDrain();
      },
      onUnreachable: (id) => {
        if (this.stopped || this.frozen) return;
        this.onLinkDown(id);
      },
    });
    this.driver = this.makeReadyDriver(this.raw, {
      save: (batch) => {
        const before = batch.hardState && storage.getHardState();
        storage.save(batch);
        // A new term or vote is durable; this Ready's messages (the vote) are not sent yet.
        const hs = batch.hardState;
        if (hs && before && (hs.term !== before.term || hs.vote !== before.vote))
          deps.failpoints?.hit('vote-after-persist');
      },
      appendAsync: (entries, done) => storage.appendAsync(entries, done),
      hardStateToPersist: (rd) => this.hardStateToPersist(rd),
      send: (messages) => {
        for (const m of messages) {
          this.transport.send(m);
          this.sampler?.record(m);
        }
      },
      apply: (rd) => this.apply(rd),
      afterAdvance: (rd) => this.afterAdvance(rd),
      onDiskError: (e) => this.fatal(e),
    });
    const status = (): MySqlStatus => this.applier.status;
    this.proposals = this.makeProposals({
      raw: this.raw,
      clock,
      requestTimeoutMs: this.requestTimeoutMs,
      isLeader: () => this.isLeader(),
      leader: () => this.leader,
      commitIndex: () => this.commit,
      mysqlStatus: status,
      drain,
    });
    this.reads = this.makeReads({
      id: this.id,
      raw: this.raw,
      clock,
      requestTimeoutMs: this.requestTimeoutMs,
      isLeader: () => this.isLeader(),
      leader: () => this.leader,
      mysqlStatus: status,
      appliedIndex: () => this.applier.applied,
      leaseUsable: () => this.lease.usable(),
      frozen: () => this.frozen,
      drain,
    });
    const electionMs = config.timers.electionTicks * config.timers.tickMs;
    this.membership = new Membership(
      {
        raw: this.raw,
        clock,
        peers: this.peers,
        log,
        isLeader: () => this.isLeader(),
        leader: () => this.leader,
        timeoutMs: Math.max(this.requestTimeoutMs, 10 * electionMs),
        drain,
      },
      { index: 0, conf: storage.initialState().conf },
    );
    this.snapshots = new Snapshots({
      storage,
      store: () => this.applier.stateMachine(),
      confAt: (i) => this.membership.confAt(i),
      onSnapshot: (i) => this.membership.trimBefore(i),
      snapshotEntries: config.snapshotEntries,
      catchUpEntries: config.catchUpEntries,
      log,
      stopped: () => this.stopped,
    });
    const stalledAfterMs = config.mysql.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS;
    this.applier = new Applier({
      openStore: deps.openStore,
      database: config.mysql.database,
      identity: deps.identity,
      raftLog: () => ({
        lastIndex: storage.lastIndex(),
        // The entry before the first one is the snapshot's (its term is kept); older is gone.
        termAt: (i) =>
          i >= storage.firstIndex() - 1 && i <= storage.lastIndex() ? storage.term(i) : undefined,
      }),
      onFatal: (e) => this.fatal(e),
      log,
      diskSnapshot: () => storage.snapshot(),
      onApplied: (entry, result) => this.proposals.onApplied(entry, result),
      onProgress: (applied) => {
        this.reads.onApplied(applied);
        this.snapshots.maybeSnapshot(applied);
      },
      stalledAfterMs,
      clock,
      failpoints: deps.failpoints,
      onStatus: (s, error) =>
        this.emit({
          type: 'mysql',
          id: this.id,
          status: error === undefined ? { status: s } : { status: s, error },
        }),
    });
    this.handover = new SickLeaderHandover({
      isLeader: () => this.isLeader(),
      mysqlStatus: status,
      voters: () => {
        const st = this.raw.status();
        const voters = new Set(st.conf.voters);
        return st.progress.filter((p) => p.id !== this.id && voters.has(p.id));
      },
      mysqlUpAt: async (id) => {
        const url = this.peers.clientUrl(id);
        return url !== undefined && deps.peerMySqlUp !== undefined && deps.peerMySqlUp(url);
      },
      transfer: (to) => this.transferLeadership(to),
      graceMs: stalledAfterMs,
      // The core abandons a transfer after an election timeout; try again after that.
      retryMs: Math.max(2 * electionMs, 500),
      log,
      now: () => clock.now(),
    });
    if (deps.traceMessages === true) {
      this.sampler = new MessageSampler(
        100,
        (messages, dropped) => this.emit({ type: 'messages', id: this.id, messages, dropped }),
        clock,
      );
    }
  }

  // The node's parts, built once in the constructor. Test-only subclasses override these to
  // plant bugs the simulator must catch (test/planted/); production code never does.
  protected makeRawNode(config: Config, storage: LogStore): RawNode {
    return new RawNode(config, storage);
  }

  protected makeReadyDriver(raw: RawNode, io: ReadyIO): ReadyDriver {
    return new ReadyDriver(raw, io);
  }

  protected makeProposals(d: ProposalsDeps): Proposals {
    return new Proposals(d);
  }

  protected makeReads(d: ReadsDeps): Reads {
    return new Reads(d);
  }

  /** Builds a node over its dependencies; nothing runs until {@link run}. */
  static create(deps: RaftNodeDeps): RaftNode {
    return new RaftNode(deps);
  }

  /** Starts the transport, the applier and the tick timer. */
  async run(): Promise<void> {
    await this.transport.start();
    // Members learned from earlier addLearner entries (peers.json) are dialled too.
    this.transport.setPeers(this.peerAddresses());
    this.applier.start();
    // Tick k is due half a tick before the interval's k-th firing, so a timer that fires a
    // fraction of a millisecond early (the loop's clock is coarser) still finds its tick due.
    this.tickEpoch = this.clock.now() - this.config.timers.tickMs / 2;
    this.ticksRun = 0;
    this.tickTimer = this.clock.setInterval(() => {
      if (this.frozen) return;
      this.lease.onTick();
      this.runDueTicks();
      this.drain();
    }, this.config.timers.tickMs);
    this.drain();
  }

  /**
   * Runs every tick due by the clock: one per tickMs since tickEpoch. A busy event loop fires
   * the interval late and would otherwise lose ticks, so "ticks since the leader's last
   * message" lagged wall time and failovers waited longer than the timeout. It also runs before
   * each incoming message is stepped, so a tick due before the message is never counted after
   * it: electionElapsed = k still means more than k - 1 ticks of wall time since the message
   * (the lease argument in cluster/raft/raft.ts relies on ticks never running early). After a
   * long stall at most two election timeouts of ticks run at once; the rest are dropped.
   */
  private runDueTicks(): void {
    if (this.tickTimer === undefined) return; // not running yet
    const { tickMs, electionTicks } = this.config.timers;
    const due = Math.floor((this.clock.now() - this.tickEpoch) / tickMs);
    if (due - this.ticksRun > 2 * electionTicks) this.ticksRun = due - 2 * electionTicks;
    while (this.ticksRun < due) {
      this.ticksRun++;
      this.tickOnce();
    }
  }

  private tickOnce(): void {
    if (!this.holdCampaign()) this.raw.tick();
    // A read request is lost when it meets a follower that knows no leader, or a dropped
    // link; ask again every heartbeat interval until it is answered or times out.
    if (this.ticksRun % this.config.timers.heartbeatTicks === 0) {
      if (this.role !== 'leader') this.reads.resend();
      // Every role: as a follower it forgets when MySQL fell sick, so a later leadership
      // starts its grace period afresh.
      this.handover.check();
    }
  }

  /** The transport this node was built with (the TCP one reports its port). */
  get peerTransport(): PeerTransport {
    return this.transport;
  }

  /**
   * The transport lost its connection to `id`. A leader probes that follower; a follower whose
   * link to its leader dropped campaigns sooner (Raft.reportUnreachable). Not a follower whose
   * MySQL is not up: it keeps the full randomized timeout, which holdCampaign holds back so a
   * healthy voter wins (the shortened one ends where the lease does, and cannot be held).
   */
  private onLinkDown(id: NodeId): void {
    if (this.role !== 'leader' && this.applier.status !== 'up') return;
    this.raw.reportUnreachable(id);
    this.scheduleDrain();
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
    this.driver.stop();
    this.clock.clearTimer(this.tickTimer);
    this.sampler?.stop();
    const gone = new NoQuorumError('the node is shutting down');
    this.proposals.close(gone);
    this.reads.close(gone);
    this.membership.close(gone);
    await this.transport.close();
    await this.applier.close();
    await this.driver.writing;
    this.persistCommit();
    this.storage.close();
    await this.deps.onStopped?.();
  }

  private fatal(error: Error): void {
    if (this.deps.onFatal) this.deps.onFatal(error);
    else this.log.error(error.message);
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
      // The commit of the last Ready handled, whose entries are on disk: the core's own may
      // count entries still in memory, over conflicting ones the disk holds (a follower).
      const commit = Math.min(this.commit, this.storage.lastIndex());
      if (commit > durable.commit)
        this.storage.save({ entries: [], hardState: { ...durable, commit } });
    } catch (e) {
      this.log.warn(`could not record the commit index at stop: ${(e as Error).message}`);
    }
  }

  // ---- the loop ----

  /** Messages that arrive together are handled in one Ready (one fsync: group commit). */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    this.clock.soon(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.stopped || this.frozen) return;
    this.driver.drain();
  }

  /**
   * The hard state is rewritten only when the term or the vote changed: those must be durable
   * before any message of this Ready leaves. A commit index that moved on its own is not worth
   * the file's three fsyncs per Ready (the profile's largest cost): after a restart the commit
   * is learned again from the leader, it never drops below the snapshot, and MySQL keeps its
   * own applied index, so a lower recovered commit only delays answers (as etcd's MustSync).
   *
   * Except past a membership change: the core takes a change into force when it applies it,
   * so a node restarted with a commit index below a committed change comes back with the old
   * configuration — a voter that believes it is not one never campaigns, and with a few such
   * nodes no leader can be elected. Changes are rare; their commit is written.
   */
  private hardStateToPersist(rd: Ready): HardState | undefined {
    const hs = rd.hardState;
    const durable = this.storage.getHardState();
    if (hs !== undefined && (hs.term !== durable.term || hs.vote !== durable.vote)) return hs;
    let conf = 0;
    for (const e of rd.committedEntries) if (e.type === 'conf') conf = e.index;
    if (conf <= durable.commit) return undefined;
    return { term: durable.term, vote: durable.vote, commit: Math.max(conf, hs?.commit ?? 0) };
  }

  /** Step 3 of a Ready: queued to the applier (the task store works behind the loop). */
  private apply(rd: Ready): void {
    if (rd.snapshot) {
      this.membership.onSnapshotInstalled(rd.snapshot.metadata.index, rd.snapshot.metadata.conf);
      this.applier.enqueueSnapshot(rd.snapshot);
    }
    this.applier.enqueueEntries(rd.committedEntries);
    for (const rs of rd.readStates) this.reads.onReadState(rs.context, rs.index);
    if (rd.hardState) {
      this.commit = rd.hardState.commit;
      this.term = rd.hardState.term;
    }
  }

  private afterAdvance(rd: Ready): void {
    const conf = this.membership.onCommitted(rd.committedEntries);
    if (conf || rd.snapshot) this.transport.setPeers(this.peerAddresses());
    if (rd.softState) this.onSoftState(rd.softState.role, rd.softState.leader);
  }

  private onSoftState(role: Role, leader: NodeId): void {
    const was = this.role;
    this.role = role;
    this.leader = leader;
    const term = this.term;
    if (was !== role) {
      this.log.info(`became ${role} in term ${term}`);
      this.lease.onRoleChange();
    }
    this.emit({ type: 'role', id: this.id, role: this.nodeRole(), term, leaderId: leader });
    if (leader !== 0) this.reads.resend();
    const url = this.leaderClientUrl();
    if (url !== undefined) {
      for (const w of this.leaderWaiters) w(url);
      this.leaderWaiters.clear();
    }
    if (role !== 'leader') this.proposals.onLeaderLost(leader);
  }

  /**
   * Every member this node knows an address for: its configuration's, and any other it was told
   * of (the config, learned addLearner entries). Dialling only the current configuration's
   * members cuts a node off from a leader its log does not show yet: a new member before it
   * applies its own addition, or a restarted node whose conf entries are not applied again yet.
   */
  private peerAddresses(): Map<NodeId, PeerAddress> {
    const out = new Map<NodeId, PeerAddress>();
    const conf = this.raw.status().conf;
    for (const id of new Set([...conf.voters, ...conf.learners, ...this.peers.ids()])) {
      const a = this.peers.get(id);
      if (a) out.set(id, { host: a.host, port: a.raftPort });
    }
    return out;
  }

  /** A single-server membership change, proposed here (leader only); see Membership.change. */
  changeMembership(change: MembershipChange): Promise<number> {
    return this.membership.change(change);
  }

  /**
   * Starts an election now (PreVote first), skipping the randomized timeout: the supervisor's
   * cold start asks one node once every member listens. Returns why not when this node leads,
   * knows a leader, or has no MySQL up (it would lead a cluster it cannot answer for, as in
   * holdCampaign). Raft decides the rest: a node whose log is behind is refused its votes.
   */
  campaign(): string | undefined {
    const { role, leader } = this.raw.status();
    if (role === 'leader' || leader !== 0) return `n${leader} leads`;
    if (this.applier.status !== 'up') return `its MySQL is ${this.applier.status}`;
    this.raw.campaign();
    this.drain();
    return undefined;
  }

  /** Asks the leader (directly, or through this follower) to hand over to `to`. */
  transferLeadership(to: NodeId): void {
    this.raw.transferLeadership(to);
    this.drain();
  }

  // ---- NodeService ----

  private readonly leaderWaiters = new Set<(url: string) => void>();

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
        this.clock.clearTimer(timer);
        this.leaderWaiters.delete(done);
        resolve(url);
      };
      const timer = this.clock.setTimeout(() => done(undefined), timeoutMs);
      this.leaderWaiters.add(done);
    });
  }

  propose(command: TaskCommand): Promise<CommittedWrite> {
    if (this.stopped) return Promise.reject(new NoQuorumError('the node is shutting down'));
    return this.proposals.propose(command);
  }

  readBarrier(mode: 'linearizable' | 'leader'): Promise<void> {
    return this.reads.barrier(mode);
  }

  async listTasks(query: ListQuery): Promise<Task[]> {
    return this.withStore((sm) => sm.list(query));
  }

  async getTask(id: string): Promise<Task | null> {
    return this.withStore((sm) => sm.get(id));
  }

  async listProjects(): Promise<Project[]> {
    return this.withStore((sm) => sm.listProjects());
  }

  async getProject(id: string): Promise<Project | null> {
    return this.withStore((sm) => sm.getProject(id));
  }

  async listTags(): Promise<{ name: string; count: number }[]> {
    return this.withStore((sm) => sm.listTags());
  }

  async checksum(): Promise<ChecksumResponse> {
    return this.withStore((sm) => sm.checksum());
  }

  private async withStore<T>(fn: (sm: TaskStore) => Promise<T>): Promise<T> {
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
    this.driver.freeze();
    this.log.info('frozen (paused by the supervisor)');
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    // Time stood still for the core: the ticks of the pause are not run.
    this.ticksRun = Math.floor((this.clock.now() - this.tickEpoch) / this.config.timers.tickMs);
    this.lease.onThaw();
    this.log.info('thawed');
    this.driver.thaw();
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
