/**
 * The Supervisor: one per app. It provisions a MySQL per node, writes each node's config, runs
 * the node processes, aggregates their status at 10 Hz, injects faults and publishes everything
 * as events. The Electron main process and the headless CLI both drive this class; it knows
 * nothing about either (no HTTP, no Electron).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type {
  ActionResult,
  ClusterStatus,
  MySqlAction,
  NetworkFaults,
  NodeAction,
} from '../api/control.js';
import type { MySqlStatus, NodeStatus } from '../api/node.js';
import type { NodeConfig } from '../node/config.js';
import type { ControlReply, NodeEvent } from '../node/control.js';
import { loadOrCreateSecret } from '../node/transport/secret.js';
import {
  NodeMySql,
  preflight,
  removeDockerMySql,
  targetForNewNode,
  type FindOptions,
  type MySqlMode,
  type MySqlTargetOfNode,
} from '../../db/provision/index.js';
import { SupervisorError } from './errors.js';
import { EventBus, type EventBody } from './events.js';
import { everyFixedRate, type FixedRateTimer } from './fixed-rate.js';
import { Layout, PortAllocator, clusterIdOf, type ClusterFile, type Member } from './layout.js';
import {
  moveLeadershipAway,
  proposeConfChange,
  waitCaughtUp,
  waitForLeader,
  type ConfChangeBody,
  type MembershipHost,
} from './membership.js';
import { HEALED, applyNetworkBody, describeFaults, isHealed } from './network.js';
import { NodeProcess, describeExit } from './node-process.js';
import {
  DEFAULT_TIMERS,
  buildNodeConfig,
  checkSlow,
  scaledTimers,
  writeNodeConfig,
  type Timers,
} from './node-config.js';
import { acquireDirLock, DirLockError, type DirLock } from '../node/dir-lock.js';
import {
  emptyExternalDatabases,
  externalTargets,
  mysqlSpecOf,
  planCluster,
  stopLeftovers,
  wipeDataDir,
} from './startup.js';
import { FirstCampaign } from './first-campaign.js';
import { defaultNodeMain } from './node-main.js';
import { waitServing } from './serving.js';
import { FRESH_MS, ViewTracker, buildClusterStatus, type NodeSnapshot } from './status.js';

export interface SupervisorOptions {
  readonly dataDir: string;
  /** Nodes of a new cluster (1..9, default 3); an existing data dir keeps its members. */
  readonly nodes?: number;
  readonly mysqlMode?: MySqlMode;
  /** External mode: one URL per node, or one with `{node}` in its database name. */
  readonly mysqlUrls?: readonly string[];
  /** Managed mode: where to find mariadbd (default: PATH and the usual places). */
  readonly mysqlFind?: FindOptions;
  /** The API token (at least 16 characters); default random. */
  readonly token?: string;
  /** Wipe the data dir first. */
  readonly fresh?: boolean;
  /** Multiply every Raft timer by this (teaching); default 1. */
  readonly slow?: number;
  /** Base Raft timers before `slow` (tests use faster ones). */
  readonly timers?: Partial<Timers>;
  readonly logLevel?: NodeConfig['logLevel'];
  /** The node program (default build/cluster/node/main.js next to this file's build). */
  readonly nodeMain?: string;
  /** Runtime for the node processes (Electron with ELECTRON_RUN_AS_NODE=1); default this Node. */
  /** How `pause` works: SIGSTOP, or an in-process freeze (default: freeze on Windows only). */
  readonly pauseMode?: 'signal' | 'freeze';
  readonly execPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** V8/Node flags of the node processes (default NODE_EXEC_ARGV in node-process.ts). */
  readonly nodeExecArgv?: readonly string[];
  /** Status polling period (default 100 ms: 10 Hz). */
  readonly statusIntervalMs?: number;
  /** How long a node may take to listen (default 30 s). */
  readonly nodeStartTimeoutMs?: number;
  /** How long the cluster may take to accept writes (default 60 s, times `slow`). */
  readonly readyTimeoutMs?: number;
  /**
   * Then how long every started node may take to serve a linearizable read (default 30 s, times
   * `slow` when above 1, at most 4 times); a node that does not is named, and start-up goes on
   * without it.
   */
  readonly servingTimeoutMs?: number;
  /** How long a node may take to stop before SIGKILL (default 5 s). */
  readonly stopGraceMs?: number;
}

interface Entry {
  readonly member: Member;
  readonly proc: NodeProcess;
  readonly mysql: NodeMySql;
  mysqlReported: { status: MySqlStatus; error?: string } | undefined;
  polling: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

export class Supervisor {
  readonly events = new EventBus();
  readonly layout: Layout;
  readonly token: string;
  private readonly entries = new Map<number, Entry>();
  private file: ClusterFile | undefined;
  private network: NetworkFaults = HEALED;
  private slowFactor: number;
  private readonly baseTimers: Timers;
  private readonly nodeMain: string;
  private poller: FixedRateTimer | undefined;
  private tracker = new ViewTracker(Date.now());
  private phase: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private aborted = false;
  /** Set while start() waits for the first leader (first-campaign.ts). */
  private firstCampaign: FirstCampaign | undefined;
  /** The exclusive hold on the data dir, from the start of start() to the end of teardown. */
  private rootLock: DirLock | undefined;
  /** Membership and slow-motion changes run one at a time. */
  private exclusive: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: SupervisorOptions) {
    this.layout = new Layout(opts.dataDir);
    const token = opts.token ?? randomBytes(24).toString('base64url');
    if (token.length < 16 || /\s/.test(token)) {
      throw new SupervisorError('invalid', 'the token must be at least 16 characters, no spaces');
    }
    this.token = token;
    const slow = opts.slow ?? 1;
    checkSlow(slow);
    this.slowFactor = slow;
    this.baseTimers = { ...DEFAULT_TIMERS, ...opts.timers };
    this.nodeMain = opts.nodeMain ?? defaultNodeMain();
  }

  get mysqlMode(): MySqlMode {
    return this.file?.mysqlMode ?? this.opts.mysqlMode ?? 'managed';
  }

  get slow(): number {
    return this.slowFactor;
  }

  /** Node ids of the current members, ascending. */
  get memberIds(): number[] {
    return [...this.entries.keys()].sort((a, b) => a - b);
  }

  // -------------------------------------------------------------------------------------------
  // Start and stop

  /**
   * Provisions MySQL, starts every node and resolves once a leader accepts writes. On failure
   * everything started is stopped again and the error says what went wrong.
   */
  start(): Promise<void> {
    if (this.phase !== 'new') return Promise.reject(new Error('a Supervisor starts once'));
    this.phase = 'starting';
    this.starting = this.doStart();
    return this.starting;
  }

  /** Throws when shutdown() was called while starting: start gives up and cleans up. */
  private checkAborted(): void {
    if (this.aborted) throw new SupervisorError('conflict', 'start-up cancelled (shutting down)');
  }

  private async doStart(): Promise<void> {
    const started = Date.now();
    fs.mkdirSync(this.layout.root, { recursive: true, mode: 0o700 });
    // Before anything else, and held until teardown (freed by the kernel if this process dies).
    try {
      this.rootLock = await acquireDirLock(this.layout.root, {
        what: `data dir ${this.layout.root}`,
        pidFile: this.layout.supervisorPidFile,
      });
    } catch (e) {
      if (!(e instanceof DirLockError)) throw e;
      const who = e.holderPid === undefined ? '' : ` (pid ${e.holderPid})`;
      throw new Error(
        `data dir ${this.layout.root} is in use by another Raftboard${who}; stop it first, or pass --data-dir`,
      );
    }
    try {
      if (!fs.existsSync(this.nodeMain)) {
        throw new Error(`the node program ${this.nodeMain} does not exist: run npm run build:node`);
      }
      await stopLeftovers(this.layout, (m) => this.progress(m));
      const before =
        this.opts.fresh === true
          ? await wipeDataDir(this.layout, (m) => this.progress(m))
          : undefined;
      const file = await planCluster(
        this.layout,
        { mysqlMode: this.opts.mysqlMode ?? 'managed', nodes: this.opts.nodes },
        (m) => this.progress(m),
      );
      this.file = file;
      this.checkAborted();
      this.progress(
        `data dir ${this.layout.root}: ${file.nodes.length} node(s), MySQL ${file.mysqlMode}`,
      );
      const externals = externalTargets(file, this.opts.mysqlUrls ?? []);
      if (this.opts.fresh === true && file.mysqlMode === 'external') {
        await emptyExternalDatabases(file, before, this.opts.mysqlUrls ?? [], (m) =>
          this.progress(m),
        );
      }
      const t0 = Date.now();
      const found = await preflight(file.mysqlMode, [...externals.values()], this.opts.mysqlFind);
      this.progress(`MySQL: ${found} (${seconds(t0)})`);
      // Only now, so a start that cannot work leaves no cluster behind (and a retry with another
      // --mysql mode is not refused as a mode change).
      if (this.layout.readClusterFile() === undefined) {
        this.layout.writeClusterFile(file);
        this.progress('ports allocated and kept in cluster.json');
      }
      await loadOrCreateSecret(this.layout.secretFile);
      fs.writeFileSync(this.layout.tokenFile, `${this.token}\n`, { mode: 0o600 });
      fs.chmodSync(this.layout.tokenFile, 0o600);
      for (const member of file.nodes) this.addEntry(member, externals.get(member.id));
      this.checkAborted();
      // Each node process starts alongside its MySQL: loading the node program takes longer
      // than starting MariaDB on an existing data dir, and the node connects in the background
      // (retrying until MySQL accepts), so nothing waits for the other (cold start, README).
      this.writeConfigs();
      this.startPolling();
      await Promise.all(
        [...this.entries.values()].map((e) =>
          Promise.all([this.startMySql(e), this.startProcess(e)]),
        ),
      );
      this.checkAborted();
      // Every member listens: one whose MySQL is up campaigns now, not after a random timeout.
      this.firstCampaign = new FirstCampaign(
        (id) => this.entry(id).proc.request({ type: 'campaign' }),
        (m) => this.progress(m),
      );
      void this.firstCampaign.offer(this.mysqlUpIds());
      await this.waitReady().finally(() => {
        this.firstCampaign?.close();
        this.firstCampaign = undefined;
      });
      this.checkAborted();
      await this.waitEveryNodeServing();
      this.checkAborted();
      this.phase = 'running';
      this.progress(`cluster ready (${seconds(started)})`);
    } catch (e) {
      this.emit({ type: 'error', message: (e as Error).message });
      await this.teardown();
      this.phase = 'stopped';
      throw e;
    }
  }

  /** Stops every node (asked, then killed after a bounded wait) and every managed MySQL. */
  shutdown(): Promise<void> {
    if (this.phase === 'new') {
      this.phase = 'stopped';
      return Promise.resolve();
    }
    if (this.phase === 'starting' && this.starting !== undefined) {
      // start() notices, stops what it started and rejects: nothing is left to do then.
      this.aborted = true;
      return this.starting.then(
        () => this.shutdown(),
        () => undefined,
      );
    }
    if (this.phase === 'stopped') return this.stopping ?? Promise.resolve();
    this.stopping ??= (async () => {
      this.phase = 'stopping';
      await this.teardown();
      this.phase = 'stopped';
    })();
    return this.stopping;
  }

  private async teardown(): Promise<void> {
    const t0 = Date.now();
    const grace = this.opts.stopGraceMs ?? 5_000;
    // Never leave a frozen MySQL behind, and let each node close its connections to it.
    await Promise.all([...this.entries.values()].map((e) => this.resumeMySql(e)));
    const live = [...this.entries.values()].filter((e) => e.proc.alive);
    if (live.length > 0) this.progress(`stopping ${live.length} node(s)`);
    await Promise.all(live.map((e) => e.proc.stop(grace)));
    this.poller?.stop();
    this.poller = undefined;
    const servers = [...this.entries.values()].filter(
      (e) => e.mysql.controllable && e.mysql.state !== 'stopped',
    );
    if (servers.length > 0) this.progress(`stopping ${servers.length} MySQL server(s)`);
    await Promise.all(servers.map((e) => e.mysql.stop().catch(() => undefined)));
    await this.rootLock?.release();
    this.rootLock = undefined;
    this.progress(`stopped (${seconds(t0)})`);
  }

  private addEntry(member: Member, external: MySqlTargetOfNode | undefined): Entry {
    const id = member.id;
    fs.mkdirSync(this.layout.nodeDir(id), { recursive: true, mode: 0o700 });
    const spec = mysqlSpecOf(this.layout, this.mysqlMode, member, external, this.opts.mysqlFind);
    const mysql = new NodeMySql(spec, {
      log: (line) => this.progress(`n${id} mysql: ${line}`),
      onUnexpectedExit: (exit, logFile) => {
        this.emit({
          type: 'error',
          nodeId: id,
          message: `n${id}'s MySQL exited on its own (${describeExit(exit)}); see ${logFile}`,
        });
        this.emitMySql(id);
      },
    });
    const proc = new NodeProcess({
      id,
      nodeMain: this.nodeMain,
      configPath: this.layout.nodeConfig(id),
      pidFile: this.layout.nodePidFile(id),
      execPath: this.opts.execPath,
      env: this.opts.env,
      execArgv: this.opts.nodeExecArgv,
      pauseMode: this.opts.pauseMode,
      onEvent: (event) => this.onNodeEvent(id, event),
      onLine: (stream, line) => this.emit({ type: 'log', nodeId: id, stream, line }),
      onStatusChange: (status, exit) => {
        this.emit(
          exit === undefined
            ? { type: 'process', nodeId: id, status }
            : { type: 'process', nodeId: id, status, exit },
        );
        if (status === 'crashed' && exit !== undefined) {
          const last = proc.recentLines[proc.recentLines.length - 1] ?? '(no output)';
          this.emit({
            type: 'error',
            nodeId: id,
            message: `n${id} crashed (${describeExit(exit)}): ${last}`,
          });
        }
      },
    });
    const entry: Entry = { member, proc, mysql, mysqlReported: undefined, polling: false };
    this.entries.set(id, entry);
    return entry;
  }

  /** SIGCONTs (unpauses) the node's MySQL if the supervisor paused it; true if it did. */
  private async resumeMySql(e: Entry): Promise<boolean> {
    if (!e.mysql.paused) return false;
    try {
      await e.mysql.resume();
      this.progress(`n${e.member.id} mysql: resumed`);
      this.emitMySql(e.member.id);
      return true;
    } catch (err) {
      this.progress(`n${e.member.id} mysql: could not resume: ${(err as Error).message}`);
      return false;
    }
  }

  private async startMySql(e: Entry): Promise<void> {
    const t0 = Date.now();
    await e.mysql.start();
    this.progress(`n${e.member.id} mysql: ready (${seconds(t0)})`);
    this.emitMySql(e.member.id);
  }

  private async startProcess(e: Entry): Promise<void> {
    const t0 = Date.now();
    e.mysqlReported = undefined;
    this.progress(`n${e.member.id}: starting node process`);
    await e.proc.start(this.opts.nodeStartTimeoutMs ?? 30_000);
    this.progress(`n${e.member.id}: listening on ${e.proc.clientUrl ?? '?'} (${seconds(t0)})`);
    if (!isHealed(this.network)) {
      await e.proc.request({ type: 'faults', spec: this.network }).catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Configs

  private timers(): Timers & { requestTimeoutMs: number } {
    return scaledTimers(this.baseTimers, this.slowFactor);
  }

  /** Every member's config: all members as peers, the original voters as bootstrap. */
  private writeConfigs(): void {
    const file = this.requireFile();
    const members = [...this.entries.values()].map((o) => o.member);
    for (const e of this.entries.values()) {
      const config = buildNodeConfig({
        layout: this.layout,
        clusterId: clusterIdOf(file),
        self: e.member,
        members,
        bootstrapVoters: file.bootstrapVoters,
        mysql: { url: e.mysql.serverUrl, database: e.mysql.database },
        timers: this.timers(),
        logLevel: this.opts.logLevel ?? 'info',
      });
      writeNodeConfig(this.layout.nodeConfig(e.member.id), config);
    }
  }

  private requireFile(): ClusterFile {
    if (this.file === undefined) throw new Error('the supervisor has not started');
    return this.file;
  }

  private saveMembers(nextId?: number): void {
    const file = this.requireFile();
    this.file = {
      ...file,
      nextId: nextId ?? file.nextId,
      nodes: this.memberIds.map((id) => (this.entries.get(id) as Entry).member),
    };
    this.layout.writeClusterFile(this.file);
  }

  // -------------------------------------------------------------------------------------------
  // Status

  private startPolling(): void {
    const every = this.opts.statusIntervalMs ?? 100;
    // The first election is timed from here: before it no node could campaign.
    this.tracker = new ViewTracker(Date.now());
    // Fixed rate, not setInterval: the status stream is promised at 10 Hz even on a busy machine.
    this.poller = everyFixedRate(() => this.tick(), every);
  }

  private tick(): void {
    for (const e of this.entries.values()) {
      if (e.proc.status !== 'running' || e.polling) continue;
      e.polling = true;
      e.proc
        .request({ type: 'status' }, 1_000)
        .catch(() => undefined)
        .finally(() => {
          e.polling = false;
        });
    }
    const view = this.status();
    for (const ev of this.tracker.update(view, Date.now())) this.emit(ev);
    this.emit({ type: 'status', cluster: view });
  }

  /** `GET /api/cluster`, computed now. */
  status(): ClusterStatus {
    const snapshots: NodeSnapshot[] = this.memberIds.map((id) => {
      const e = this.entries.get(id) as Entry;
      return {
        id,
        process: e.proc.status,
        pid: e.proc.pid,
        exit: e.proc.exit,
        lastLines: e.proc.recentLines,
        status: e.proc.lastStatus,
        statusAt: e.proc.lastStatusAt,
        clientUrl: `http://127.0.0.1:${e.member.clientPort}`,
        tickMs: this.timers().tickMs,
        mysqlMode: e.mysql.mode,
        mysqlServer: e.mysql.state,
        mysqlReported: e.mysqlReported,
      };
    });
    return buildClusterStatus(snapshots, Date.now(), {
      network: this.network,
      slow: this.slowFactor,
      mysqlMode: this.mysqlMode,
    });
  }

  /** A live node's client API for `/api/tasks`: the leader's if there is one. */
  taskTarget(): string | undefined {
    const view = this.status();
    const leader = view.nodes.find((n) => n.id === view.leaderId && n.status === 'running');
    if (leader !== undefined) return leader.clientUrl;
    return view.nodes.find((n) => n.status === 'running')?.clientUrl;
  }

  private currentStatus(id: number): NodeStatus | undefined {
    const e = this.entries.get(id);
    if (e === undefined || e.proc.status !== 'running') return undefined;
    if (Date.now() - e.proc.lastStatusAt > FRESH_MS) return undefined;
    return e.proc.lastStatus;
  }

  private onNodeEvent(id: number, event: NodeEvent): void {
    const e = this.entries.get(id);
    switch (event.type) {
      case 'role': {
        const role = event.role === 'preCandidate' ? 'candidate' : event.role;
        if (role === 'candidate') this.tracker.campaignSeen(Date.now());
        this.emit({ type: 'role', nodeId: id, role, term: event.term, leaderId: event.leaderId });
        break;
      }
      case 'mysql':
        if (e !== undefined) e.mysqlReported = { ...event.status };
        if (event.status.status === 'up') void this.firstCampaign?.offer([id]);
        this.emitMySql(id);
        break;
      case 'fatal':
        this.emit({ type: 'error', nodeId: id, message: `n${id}: ${event.message}` });
        break;
      case 'messages':
        for (const m of event.messages) {
          this.emit(
            m.entries === undefined
              ? { type: 'message', from: m.from, to: m.to, kind: m.kind, term: m.term }
              : {
                  type: 'message',
                  from: m.from,
                  to: m.to,
                  kind: m.kind,
                  term: m.term,
                  entries: m.entries,
                },
          );
        }
        break;
      case 'listening':
        break;
    }
  }

  private emitMySql(id: number): void {
    const node = this.status().nodes.find((n) => n.id === id);
    if (node === undefined) return;
    const { status, server, error } = node.mysql;
    this.emit(
      error === undefined
        ? { type: 'mysql', nodeId: id, status, server }
        : { type: 'mysql', nodeId: id, status, server, error },
    );
  }

  private emit(body: EventBody): void {
    this.events.emit(body);
  }

  /** The members whose node reported its MySQL up, in member order. */
  private mysqlUpIds(): number[] {
    return [...this.entries.values()]
      .filter((e) => e.mysqlReported?.status === 'up')
      .map((e) => e.member.id);
  }

  private progress(message: string): void {
    this.emit({ type: 'progress', message });
  }

  /** Resolves once a leader serves a linearizable read: it committed in its term, MySQL works. */
  async waitReady(
    timeoutMs = (this.opts.readyTimeoutMs ?? 60_000) * this.slowFactor,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no leader yet';
    let announced = 0;
    while (Date.now() < deadline) {
      this.checkAborted();
      const view = this.status();
      const crashed = view.nodes.filter((n) => n.status === 'crashed');
      const quorum = Math.floor(view.nodes.length / 2) + 1;
      if (view.nodes.length - crashed.length < quorum) {
        const why = crashed
          .map((n) => `n${n.id}: ${n.lastLines[n.lastLines.length - 1] ?? '(no output)'}`)
          .join('\n  ');
        throw new Error(`too many nodes crashed for a quorum:\n  ${why}`);
      }
      const leader = view.nodes.find((n) => n.id === view.leaderId);
      if (leader !== undefined) {
        if (announced !== leader.id) {
          this.progress(`n${leader.id} elected leader in term ${view.term}; waiting for writes`);
          announced = leader.id;
        }
        try {
          const res = await fetch(`${leader.clientUrl}/tasks?limit=1`, {
            headers: { authorization: `Bearer ${this.token}` },
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          if (res.ok) return leader.id;
          last = `n${leader.id} answered HTTP ${res.status}`;
        } catch (e) {
          last = `n${leader.id}: ${(e as Error).message}`;
        }
      }
      await sleep(100);
    }
    const lines = this.memberIds
      .map((id) => {
        const e = this.entries.get(id) as Entry;
        return `  n${id} (${e.proc.status}):\n${e.proc.tail(5)}`;
      })
      .join('\n');
    throw new Error(`the cluster did not accept writes within ${timeoutMs} ms (${last})\n${lines}`);
  }

  /**
   * Ready also means every started node serves reads (docs/contract.md §1): a follower whose
   * MySQL is still connecting would answer 503. One that cannot within the bound is named in a
   * progress line (the CLI prints it just before the ready line); the cluster works without it.
   */
  private async waitEveryNodeServing(): Promise<void> {
    // Slow motion stretches the heartbeats a read waits for, but a broken node should not hold
    // the ready line for a quarter of an hour at --slow 30: at most 4 times the bound.
    const timeoutMs =
      (this.opts.servingTimeoutMs ?? 30_000) * Math.min(4, Math.max(1, this.slowFactor));
    const t0 = Date.now();
    const missing = await waitServing(
      () =>
        this.status().nodes.map((n) => ({
          id: n.id,
          clientUrl: n.clientUrl,
          running: n.status === 'running',
          status: n.status,
        })),
      this.token,
      timeoutMs,
      () => this.checkAborted(),
    );
    if (missing.length === 0) {
      this.progress(`every node serves reads (${seconds(t0)})`);
      return;
    }
    for (const m of missing) {
      this.progress(`n${m.id} does not serve reads (${m.reason}); ready without it`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Faults (each one is also an event)

  private entry(id: number): Entry {
    const e = this.entries.get(id);
    if (e === undefined) {
      throw new SupervisorError(
        'not_found',
        `there is no node ${id} (nodes: ${this.memberIds.join(', ')})`,
      );
    }
    return e;
  }

  private requireRunning(): void {
    if (this.phase !== 'running') {
      throw new SupervisorError('conflict', `the cluster is ${this.phase}, not running`);
    }
  }

  /** Runs a fault action and reports it as an event, whether it worked or not. */
  private async act(
    action: string,
    nodeId: number | undefined,
    fn: () => Promise<string>,
  ): Promise<ActionResult> {
    try {
      this.requireRunning();
      const message = await fn();
      this.emit(
        nodeId === undefined
          ? { type: 'fault', action, ok: true, detail: message }
          : { type: 'fault', action, nodeId, ok: true, detail: message },
      );
      return nodeId === undefined
        ? { ok: true, action, message }
        : { ok: true, action, nodeId, message };
    } catch (e) {
      const error = (e as Error).message;
      this.emit(
        nodeId === undefined
          ? { type: 'fault', action, ok: false, error }
          : { type: 'fault', action, nodeId, ok: false, error },
      );
      throw e;
    }
  }

  /** pause | resume | kill | restart | stop | start */
  nodeAction(id: number, action: NodeAction): Promise<ActionResult> {
    return this.act(action, id, async () => {
      const e = this.entry(id);
      const p = e.proc;
      const need = (ok: boolean, what: string): void => {
        if (!ok) throw new SupervisorError('conflict', `n${id} is ${p.status}: cannot ${what} it`);
      };
      switch (action) {
        case 'pause':
          need(p.status === 'running', 'pause');
          return (await p.pause()) === 'signal'
            ? `n${id} paused (SIGSTOP)`
            : `n${id} paused (frozen in process)`;
        case 'resume':
          need(p.status === 'paused', 'resume');
          await p.resume();
          return `n${id} resumed`;
        case 'kill':
          need(p.alive, 'kill');
          await p.kill();
          return `n${id} killed (SIGKILL)`;
        case 'stop':
          need(p.alive, 'stop');
          await p.stop(this.opts.stopGraceMs ?? 5_000);
          return `n${id} stopped`;
        case 'start':
          need(!p.alive, 'start');
          await this.startProcess(e);
          return `n${id} started`;
        case 'restart': {
          // A restart makes the node whole again: a MySQL it had paused runs again first.
          const thawed = await this.resumeMySql(e);
          if (p.alive) await p.stop(this.opts.stopGraceMs ?? 5_000);
          await this.startProcess(e);
          return thawed ? `n${id} restarted (its MySQL resumed)` : `n${id} restarted`;
        }
      }
    });
  }

  /**
   * Stops, starts, pauses or resumes the node's own MySQL server (managed and docker modes).
   * Pause freezes it (SIGSTOP of mariadbd, `docker pause`): the node keeps its connections and
   * gets no answer, the fault behind a `stalled` MySQL.
   */
  mysqlAction(id: number, action: MySqlAction): Promise<ActionResult> {
    return this.act(`mysql-${action}`, id, async () => {
      const e = this.entry(id);
      if (!e.mysql.controllable) {
        throw new SupervisorError(
          'unsupported',
          `n${id}'s MySQL is an external server: Raftboard cannot ${action} it`,
        );
      }
      if (action === 'pause' || action === 'resume') {
        const state = e.mysql.state;
        if (action === 'pause' ? state !== 'running' : state !== 'paused') {
          throw new SupervisorError('conflict', `n${id}'s MySQL is ${state}: cannot ${action} it`);
        }
        await (action === 'pause' ? e.mysql.pause() : e.mysql.resume());
        this.emitMySql(id);
        const docker = e.mysql.mode === 'docker';
        return action === 'pause'
          ? `n${id}'s MySQL paused (${docker ? 'docker pause' : 'SIGSTOP'})`
          : `n${id}'s MySQL resumed (${docker ? 'docker unpause' : 'SIGCONT'})`;
      }
      if (action === 'stop') {
        await e.mysql.stop();
        this.emitMySql(id);
        return `n${id}'s MySQL stopped`;
      }
      await e.mysql.start();
      this.emitMySql(id);
      return `n${id}'s MySQL started`;
    });
  }

  /** `PUT /api/network`: replaces the parts given and installs the result on every node. */
  setNetwork(body: unknown): Promise<ActionResult> {
    return this.act('network', undefined, async () => {
      const next = applyNetworkBody(this.network, body, this.memberIds);
      this.network = next;
      await this.installNetwork();
      return describeFaults(next);
    });
  }

  /** `DELETE /api/network`. */
  heal(): Promise<ActionResult> {
    return this.act('heal', undefined, async () => {
      this.network = HEALED;
      await this.installNetwork();
      return 'network healed';
    });
  }

  get networkFaults(): NetworkFaults {
    return this.network;
  }

  private async installNetwork(): Promise<void> {
    const live = [...this.entries.values()].filter((e) => e.proc.status === 'running');
    const failures: string[] = [];
    await Promise.all(
      live.map(async (e) => {
        try {
          const reply = isHealed(this.network)
            ? await e.proc.request({ type: 'clearFaults' })
            : await e.proc.request({
                type: 'faults',
                spec: { partitions: this.network.partitions, links: this.network.links },
              });
          if (!reply.ok) failures.push(`n${e.member.id}: ${reply.error}`);
        } catch (err) {
          failures.push(`n${e.member.id}: ${(err as Error).message}`);
        }
      }),
    );
    // Paused and stopped nodes get the table when they next start or resume (see startProcess).
    if (failures.length > 0) {
      throw new SupervisorError('conflict', `faults not installed on ${failures.join('; ')}`);
    }
  }

  /** Rewrites every config with the new timers and restarts the running nodes one by one. */
  setSlow(factor: number): Promise<ActionResult> {
    return this.serially(() =>
      this.act('slow', undefined, async () => {
        checkSlow(factor);
        this.slowFactor = factor;
        this.writeConfigs();
        for (const e of this.entries.values()) {
          if (e.proc.status !== 'running') continue;
          await e.proc.stop(this.opts.stopGraceMs ?? 5_000);
          await this.startProcess(e);
        }
        return `every Raft timer ×${factor} (tick ${this.timers().tickMs} ms)`;
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Membership

  private membershipHost(): MembershipHost {
    return {
      leaderId: () => this.status().leaderId,
      currentStatus: (id) => this.currentStatus(id),
      confChange: (leaderId, change: ConfChangeBody, timeoutMs) =>
        this.entry(leaderId).proc.request({ type: 'confChange', change }, timeoutMs),
      transferLeadership: (leaderId, to): Promise<ControlReply> =>
        this.entry(leaderId).proc.request({ type: 'transferLeadership', to }),
      progress: (m) => this.progress(m),
      scale: Math.max(1, this.slowFactor),
    };
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.exclusive.then(fn, fn);
    this.exclusive = next.catch(() => undefined);
    return next;
  }

  /**
   * Adds a node: its MySQL, its process, `addLearner` on the leader, then `promote` once it
   * has caught up. Resolves with the new id.
   */
  async addNode(): Promise<ActionResult & { nodeId: number }> {
    return this.serially(async () => {
      let newId = 0;
      const result = await this.act('add-node', undefined, async () => {
        if (this.entries.size >= 9)
          throw new SupervisorError('conflict', 'a cluster has at most 9 nodes');
        const host = this.membershipHost();
        await waitForLeader(host, 5_000 * host.scale);
        const file = this.requireFile();
        const id = file.nextId;
        newId = id;
        this.saveMembers(id + 1);
        const used = this.memberIds.flatMap((m) => {
          const mm = (this.entries.get(m) as Entry).member;
          return [mm.raftPort, mm.clientPort, mm.mysqlPort ?? 0];
        });
        const ports = new PortAllocator(used);
        const member: Member = {
          id,
          raftPort: await ports.next(),
          clientPort: await ports.next(),
          mysqlPort: this.mysqlMode === 'external' ? null : await ports.next(),
        };
        const external =
          this.mysqlMode === 'external'
            ? targetForNewNode(this.opts.mysqlUrls ?? [], id)
            : undefined;
        this.progress(`adding n${id}`);
        const e = this.addEntry(member, external);
        try {
          await this.startMySql(e);
          this.writeConfigs();
          await this.startProcess(e);
          this.progress(`n${id}: joining as a learner`);
          await proposeConfChange(host, {
            type: 'addLearner',
            nodeId: id,
            address: {
              host: '127.0.0.1',
              raftPort: member.raftPort,
              clientPort: member.clientPort,
            },
          });
        } catch (err) {
          // A timed-out addLearner may still have been committed: then it is a member, kept.
          const leader = this.currentStatus(this.status().leaderId);
          if (leader !== undefined && [...leader.voters, ...leader.learners].includes(id)) {
            this.saveMembers();
            throw err;
          }
          // Nothing in Raft refers to it: undo completely.
          await e.proc.stop(2_000);
          await e.mysql.removeData();
          this.entries.delete(id);
          fs.rmSync(this.layout.nodeDir(id), { recursive: true, force: true });
          this.writeConfigs();
          throw err;
        }
        this.saveMembers();
        this.progress(`n${id}: learner; waiting until it has caught up`);
        await waitCaughtUp(host, id);
        await proposeConfChange(host, { type: 'promote', nodeId: id });
        return `n${id} added (learner, caught up, promoted to voter)`;
      });
      return { ...result, nodeId: newId };
    });
  }

  /** Removes a node from the membership (the leader included), then its process and data. */
  removeNode(id: number): Promise<ActionResult> {
    return this.serially(() =>
      this.act('remove-node', id, async () => {
        const e = this.entry(id);
        if (this.entries.size <= 1) {
          throw new SupervisorError('conflict', 'cannot remove the last node');
        }
        const host = this.membershipHost();
        await moveLeadershipAway(host, id);
        await proposeConfChange(host, { type: 'remove', nodeId: id });
        this.progress(`n${id} removed from the membership; stopping it and deleting its data`);
        await this.resumeMySql(e);
        await e.proc.stop(this.opts.stopGraceMs ?? 5_000);
        if (e.mysql.mode === 'docker')
          await removeDockerMySql(this.layout.root, id).catch(() => undefined);
        else await e.mysql.removeData();
        this.entries.delete(id);
        fs.rmSync(this.layout.nodeDir(id), { recursive: true, force: true });
        this.network = {
          partitions: this.network.partitions
            .map((g) => g.filter((m) => m !== id))
            .filter((g) => g.length > 0),
          links: this.network.links.filter((l) => l.from !== id && l.to !== id),
        };
        this.saveMembers();
        this.writeConfigs();
        return `n${id} removed`;
      }),
    );
  }
}
