/**
 * A real cluster of node processes for the cluster tests: `startCluster()` writes one config
 * file per node into a temp dir (free ports, one shared secret and token), forks
 * `build/cluster/node/main.js --config nodeN.json` for each, waits for their `listening`
 * messages and then until the cluster is ready: a leader that serves a linearizable read (it
 * has committed an entry of its term and applied it to its MySQL, so writes are accepted), with
 * every node following it and every node's MySQL up.
 *
 * Every node's stdout/stderr is captured (per start) so a failing test can print the node's last
 * lines. Processes are always cleaned up: `destroy()` in afterAll, and a process 'exit' hook that
 * SIGKILLs whatever is left. The nodes also exit by themselves when their IPC channel closes.
 *
 * The build must be current: `npm test` builds first; when running vitest directly, run
 * `npm run build:node` before (or point RAFTBOARD_NODE_MAIN at another main.js).
 * RAFTBOARD_CLUSTER_ECHO=1 echoes every node line to the test's stderr;
 * RAFTBOARD_KEEP_CLUSTER_DIR=1 keeps the temp dirs (configs, WALs) for inspection.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ChecksumResponse,
  NodeStatus,
  ReadConsistency,
  TaskListResponse,
  TaskResponse,
  WriteResponse,
} from '../../cluster/api/node.js';
import type { ApiError, TaskStatus } from '../../cluster/api/task.js';
import type { ControlReply, NodeToParent } from '../../cluster/node/control.js';
import type { FaultSpec } from '../../cluster/node/transport/faults.js';
import { loadOrCreateSecret } from '../../cluster/node/transport/secret.js';
import { dropDatabase } from '../../db/connection.js';
import { freePort } from '../../db/provision/mariadb.js';
import { beforeEach } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NODE_MAIN =
  process.env.RAFTBOARD_NODE_MAIN ?? path.join(REPO_ROOT, 'build', 'cluster', 'node', 'main.js');

const ECHO = process.env.RAFTBOARD_CLUSTER_ECHO === '1';
const KEEP_DIRS = process.env.RAFTBOARD_KEEP_CLUSTER_DIR === '1';

export interface Timers {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
}

export const TEST_TIMERS: Timers = { tickMs: 20, electionTicks: 10, heartbeatTicks: 2 };

export interface ClusterOptions {
  /** Number of nodes, ids 1..n (default 3). */
  readonly nodes?: number;
  /**
   * MySQL server URL(s): one for every node, or one per node (index 0 is node 1). Each node gets
   * its own database on it. Default RAFTBOARD_TEST_MYSQL_URL or mysql://root@127.0.0.1:3306/.
   */
  readonly mysqlUrls?: string | readonly string[];
  readonly timers?: Partial<Timers>;
  readonly snapshotEntries?: number;
  readonly requestTimeoutMs?: number;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** A short name used in the temp dir and database names. */
  readonly label?: string;
  /** How long each node may take to send `listening` (default 30 s). */
  readonly startTimeoutMs?: number;
  /** How long to wait for a leader that serves a quorum read (default 30 s). */
  readonly readyTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Polling

function describeValue(v: unknown): string {
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns something other than undefined/false/null, and returns that.
 * A check that throws (e.g. an `expect` inside it) counts as "not yet". On timeout the error says
 * `what` and the last state: the last error thrown, or the last value returned, plus `extra()`.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
  opts: { intervalMs?: number; extra?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'never checked';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(opts.intervalMs ?? 50);
  }
  let extra = '';
  if (opts.extra) extra = await opts.extra().catch((e: unknown) => `(${describeValue(e)})`);
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last state: ${describeValue(last)}` +
      (extra ? `\n${extra}` : ''),
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP client

export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly body: T; readonly headers: Headers }
  | {
      readonly ok: false;
      readonly status: number;
      readonly body: ApiError;
      readonly headers: Headers;
    };

export interface RequestOptions {
  /** JSON-encoded as the body. */
  readonly body?: unknown;
  /** Sent as is (overrides `body`). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface WriteOptions {
  readonly idempotencyKey?: string;
  readonly ifMatch?: number;
  readonly timeoutMs?: number;
}

export interface ListQuery {
  readonly consistency?: ReadConsistency;
  readonly status?: TaskStatus | string;
  readonly q?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** A typed fetch wrapper for one node's client API, with the cluster token. */
export class NodeClient {
  constructor(
    readonly nodeId: number,
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /**
   * One request. Resolves with the status and parsed JSON body (2xx: `T`, otherwise ApiError);
   * throws when the node cannot be reached or answers something that is not JSON.
   */
  async request<T>(
    method: string,
    urlPath: string,
    opts: RequestOptions = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let body: string | Buffer | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['content-type'] = 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, opts.headers ?? {});
    const url = `${this.baseUrl}${urlPath}`;
    const res = await fetch(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(
        `${method} ${url} (node ${this.nodeId}): HTTP ${res.status} with a non-JSON body: ` +
          JSON.stringify(text.slice(0, 300)),
      );
    }
    if (res.ok) return { ok: true, status: res.status, body: parsed as T, headers: res.headers };
    return { ok: false, status: res.status, body: parsed as ApiError, headers: res.headers };
  }

  private writeHeaders(opts: WriteOptions): Record<string, string> {
    const h: Record<string, string> = {};
    if (opts.idempotencyKey !== undefined) h['idempotency-key'] = opts.idempotencyKey;
    if (opts.ifMatch !== undefined) h['if-match'] = String(opts.ifMatch);
    return h;
  }

  createTask(body: object, opts: WriteOptions = {}): Promise<ApiResult<WriteResponse>> {
    return this.request('POST', '/tasks', {
      body,
      headers: this.writeHeaders(opts),
      timeoutMs: opts.timeoutMs,
    });
  }

  patchTask(id: string, patch: object, opts: WriteOptions = {}): Promise<ApiResult<WriteResponse>> {
    return this.request('PATCH', `/tasks/${encodeURIComponent(id)}`, {
      body: patch,
      headers: this.writeHeaders(opts),
      timeoutMs: opts.timeoutMs,
    });
  }

  deleteTask(
    id: string,
    opts: WriteOptions & { expectedVersion?: number } = {},
  ): Promise<ApiResult<WriteResponse>> {
    return this.request('DELETE', `/tasks/${encodeURIComponent(id)}`, {
      body:
        opts.expectedVersion === undefined ? undefined : { expectedVersion: opts.expectedVersion },
      headers: this.writeHeaders(opts),
      timeoutMs: opts.timeoutMs,
    });
  }

  getTask(id: string, consistency?: ReadConsistency): Promise<ApiResult<TaskResponse>> {
    const q = consistency === undefined ? '' : `?consistency=${consistency}`;
    return this.request('GET', `/tasks/${encodeURIComponent(id)}${q}`);
  }

  listTasks(query: ListQuery = {}, timeoutMs?: number): Promise<ApiResult<TaskListResponse>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) params.set(k, String(v));
    }
    const qs = params.size > 0 ? `?${params.toString()}` : '';
    return this.request('GET', `/tasks${qs}`, { timeoutMs });
  }

  status(): Promise<ApiResult<NodeStatus>> {
    return this.request('GET', '/status', { timeoutMs: 5_000 });
  }

  checksum(): Promise<ApiResult<ChecksumResponse>> {
    return this.request('GET', '/checksum', { timeoutMs: 5_000 });
  }
}

/** The body of a successful answer, or an error that shows what came back instead. */
export function ok<T>(res: ApiResult<T>, what = 'request'): T {
  if (!res.ok) {
    throw new Error(`${what}: expected 2xx, got HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

// ---------------------------------------------------------------------------------------------
// Node processes

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A node exited (or did not say `listening` in time) while being started. */
export class NodeStartError extends Error {
  constructor(
    readonly nodeId: number,
    readonly exit: ExitInfo | undefined,
    readonly stderr: string,
    why: string,
  ) {
    super(`node ${nodeId} ${why}; its output ends with:\n${tail(stderr, 30)}`);
    this.name = 'NodeStartError';
  }
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Every node process any cluster of this test worker started: killed on exit, whatever happens. */
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of allChildren) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  allChildren.add(child);
  child.once('exit', () => allChildren.delete(child));
}

type ControlRequestBody =
  | { readonly type: 'status' }
  | { readonly type: 'faults'; readonly spec: FaultSpec }
  | { readonly type: 'clearFaults' }
  | { readonly type: 'shutdown' };

interface Pending {
  readonly resolve: (r: ControlReply) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const MAX_LINES = 20_000;

class NodeProcess {
  child: ChildProcess | undefined;
  exit: ExitInfo | undefined;
  exited: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  clientUrl: string | undefined;
  /** Lines of stdout+stderr, one array per start. */
  readonly runs: string[][] = [];
  readonly events: NodeToParent[] = [];
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    readonly id: number,
    readonly configPath: string,
    readonly dataDir: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  output(which: 'last' | 'all' = 'last'): string {
    const runs = which === 'all' ? this.runs : this.runs.slice(-1);
    return runs.map((r) => r.join('\n')).join('\n--- restart ---\n');
  }

  /** Forks the node and resolves when it says `listening`; NodeStartError if it exits first. */
  async start(timeoutMs: number): Promise<void> {
    if (this.running) throw new Error(`node ${this.id} is already running`);
    if (!fs.existsSync(NODE_MAIN)) {
      throw new Error(
        `${NODE_MAIN} does not exist: build the node program first (npm run build:node)`,
      );
    }
    const lines: string[] = [];
    this.runs.push(lines);
    this.exit = undefined;
    this.clientUrl = undefined;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = fork(NODE_MAIN, ['--config', this.configPath], {
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    this.child = child;
    trackChild(child);
    const capture = (stream: NodeJS.ReadableStream | null, tag: string): void => {
      if (!stream) return;
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const p of parts) push(tag === 'out' ? `[stdout] ${p}` : p);
      });
      stream.on('end', () => {
        if (partial !== '') push(tag === 'out' ? `[stdout] ${partial}` : partial);
        partial = '';
      });
    };
    const push = (line: string): void => {
      lines.push(line);
      if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
      if (ECHO) process.stderr.write(`[n${this.id}] ${line}\n`);
    };
    capture(child.stdout, 'out');
    capture(child.stderr, 'err');

    let onListening: (() => void) | undefined;
    child.on('message', (raw: unknown) => {
      const msg = raw as NodeToParent;
      if (typeof msg !== 'object' || msg === null) return;
      if (msg.type === 'reply') {
        const p = this.pending.get(msg.id);
        if (p) {
          this.pending.delete(msg.id);
          clearTimeout(p.timer);
          p.resolve(msg);
        }
        return;
      }
      this.events.push(msg);
      if (this.events.length > 1000) this.events.splice(0, this.events.length - 1000);
      if (msg.type === 'listening') {
        this.clientUrl = msg.clientUrl;
        onListening?.();
      }
    });
    // Streams are read to the end before the exit is reported, so stderr is complete.
    const streamsDone = Promise.all(
      [child.stdout, child.stderr].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!s) return resolve();
            s.once('close', () => resolve());
          }),
      ),
    );
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        const info = { code, signal };
        void Promise.race([streamsDone, sleep(2_000)]).then(() => {
          this.exit = info;
          for (const [id, p] of this.pending) {
            clearTimeout(p.timer);
            p.reject(
              new Error(`node ${this.id} exited (${describeExit(info)}) before reply ${id}`),
            );
          }
          this.pending.clear();
          resolve(info);
        });
      });
      child.once('error', (e) => {
        push(`[harness] child process error: ${e.message}`);
      });
    });

    const listening = new Promise<void>((resolve) => {
      onListening = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      listening.then(() => 'listening' as const),
      this.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'listening') return;
    if (outcome === 'exited') {
      throw new NodeStartError(
        this.id,
        this.exit,
        this.output(),
        `exited during start-up (${describeExit(this.exit)})`,
      );
    }
    await this.kill('SIGKILL');
    throw new NodeStartError(
      this.id,
      this.exit,
      this.output(),
      `did not send 'listening' within ${timeoutMs} ms`,
    );
  }

  request(body: ControlRequestBody, timeoutMs = 5_000): Promise<ControlReply> {
    const child = this.child;
    if (!child || !this.running || !child.connected) {
      return Promise.reject(new Error(`node ${this.id} is not running`));
    }
    const id = this.nextRequestId++;
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${this.id}: no reply to ${body.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ id, ...body }, (err) => {
        if (err) {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(new Error(`node ${this.id}: cannot send ${body.type}: ${err.message}`));
        }
      });
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    if (!this.running || !this.child) return this.exit ?? { code: null, signal: null };
    this.child.kill(signal);
    return this.exited;
  }

  /** Clean stop through IPC; SIGTERM, then SIGKILL when it takes too long. */
  async stop(timeoutMs = 10_000): Promise<ExitInfo> {
    if (!this.running || !this.child) return this.exit ?? { code: null, signal: null };
    const child = this.child;
    const done = this.exited;
    this.request({ type: 'shutdown' }, timeoutMs).catch(() => undefined);
    if (await within(done, timeoutMs)) return done;
    child.kill('SIGTERM');
    if (await within(done, 5_000)) return done;
    child.kill('SIGKILL');
    return done;
  }
}

async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeExit(exit: ExitInfo | undefined): string {
  if (!exit) return 'still running';
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return `exit code ${exit.code}`;
}

// ---------------------------------------------------------------------------------------------
// The cluster

export interface NodeConfigFile {
  readonly id: number;
  readonly peers: readonly {
    readonly id: number;
    readonly host: string;
    readonly raftPort: number;
    readonly clientPort: number;
  }[];
  readonly dataDir: string;
  readonly mysql: { readonly url: string; readonly database: string };
  readonly secretFile: string;
  readonly tokenFile: string;
  readonly timers: Timers;
  readonly snapshotEntries: number;
  readonly requestTimeoutMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

let clusterCounter = 0;

export class Cluster {
  private readonly procs = new Map<number, NodeProcess>();
  private readonly clients = new Map<number, NodeClient>();
  private destroyed = false;

  constructor(
    readonly dir: string,
    readonly ids: readonly number[],
    readonly token: string,
    readonly secretFile: string,
    readonly configs: ReadonlyMap<number, NodeConfigFile>,
    private readonly startTimeoutMs: number,
    private readonly readyTimeoutMs: number,
  ) {
    for (const id of ids) {
      const c = configs.get(id)!;
      this.procs.set(id, new NodeProcess(id, path.join(dir, `node${id}.json`), c.dataDir));
      const self = c.peers.find((p) => p.id === id)!;
      this.clients.set(id, new NodeClient(id, `http://127.0.0.1:${self.clientPort}`, token));
    }
  }

  private proc(id: number): NodeProcess {
    const p = this.procs.get(id);
    if (!p) throw new Error(`no node ${id} in this cluster (ids ${this.ids.join(', ')})`);
    return p;
  }

  client(id: number): NodeClient {
    this.proc(id);
    return this.clients.get(id)!;
  }

  /** Ids of the nodes whose process is running. */
  live(): number[] {
    return this.ids.filter((id) => this.proc(id).running);
  }

  isRunning(id: number): boolean {
    return this.proc(id).running;
  }

  dataDir(id: number): string {
    return this.proc(id).dataDir;
  }

  config(id: number): NodeConfigFile {
    return this.configs.get(id)!;
  }

  /** The node's stdout+stderr since its last start (or over all its starts). */
  nodeStderr(id: number, which: 'last' | 'all' = 'last'): string {
    return this.proc(id).output(which);
  }

  /** Events the node sent over IPC (listening, role, mysql, fatal), oldest first. */
  nodeEvents(id: number): readonly NodeToParent[] {
    return this.proc(id).events;
  }

  /** Resolves when the node's process exits (immediately if it is not running). */
  exited(id: number): Promise<ExitInfo> {
    return this.proc(id).exited;
  }

  /** Starts (forks) a stopped node and waits for `listening`. Throws NodeStartError. */
  async start(id: number): Promise<void> {
    await this.proc(id).start(this.startTimeoutMs);
  }

  /** Sends `signal` and waits for the process to exit. */
  kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    return this.proc(id).kill(signal);
  }

  /** Clean stop (IPC shutdown). */
  stop(id: number): Promise<ExitInfo> {
    return this.proc(id).stop();
  }

  /** Stops the node if it runs (SIGKILL when `signal` is given, else cleanly), then starts it. */
  async restart(id: number, signal?: NodeJS.Signals): Promise<void> {
    if (signal !== undefined) await this.kill(id, signal);
    else await this.stop(id);
    await this.start(id);
  }

  async stopAll(signal?: NodeJS.Signals): Promise<ExitInfo[]> {
    return Promise.all(
      this.ids.map((id) => (signal !== undefined ? this.kill(id, signal) : this.stop(id))),
    );
  }

  /** Starts every stopped node and waits until the cluster is ready; returns the leader's id. */
  async startAll(): Promise<number> {
    await Promise.all(this.ids.filter((id) => !this.isRunning(id)).map((id) => this.start(id)));
    return this.waitReady();
  }

  /** Stops every node (cleanly, or with `signal`), starts them all, waits until ready. */
  async restartAll(signal?: NodeJS.Signals): Promise<number> {
    await this.stopAll(signal);
    return this.startAll();
  }

  /** The node's status over IPC. */
  async ipcStatus(id: number, timeoutMs = 3_000): Promise<NodeStatus> {
    const r = await this.proc(id).request({ type: 'status' }, timeoutMs);
    if (!r.ok) throw new Error(`node ${id}: status failed: ${r.error}`);
    if (!r.status) throw new Error(`node ${id}: status reply without a status`);
    return r.status;
  }

  /** Status of every live node (an Error in place of the ones that did not answer). */
  async statuses(): Promise<Map<number, NodeStatus | Error>> {
    const out = new Map<number, NodeStatus | Error>();
    await Promise.all(
      this.live().map(async (id) => {
        try {
          out.set(id, await this.ipcStatus(id, 2_000));
        } catch (e) {
          out.set(id, e instanceof Error ? e : new Error(String(e)));
        }
      }),
    );
    return out;
  }

  /** One line per node: process state, role, term, leader, commit/applied, MySQL. */
  async describe(): Promise<string> {
    const st = await this.statuses();
    return this.ids
      .map((id) => {
        const p = this.proc(id);
        if (!p.running) return `  n${id}: not running (${describeExit(p.exit)})`;
        const s = st.get(id);
        if (!s || s instanceof Error) return `  n${id}: running, status: ${s?.message ?? '?'}`;
        return (
          `  n${id}: ${s.role} term ${s.term} leader ${s.leaderId} commit ${s.commitIndex} ` +
          `applied ${s.appliedIndex} last ${s.lastLogIndex} mysql ${s.mysql.status}` +
          (s.mysql.error ? ` (${s.mysql.error})` : '')
        );
      })
      .join('\n');
  }

  /** `waitFor` that adds the cluster's state to the timeout error. */
  waitFor<T>(
    check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    timeoutMs: number,
    what: string,
    intervalMs?: number,
  ): Promise<T> {
    return waitFor(check, timeoutMs, what, {
      intervalMs,
      extra: async () => `cluster:\n${await this.describe()}`,
    });
  }

  /**
   * The leader: a live node that says it leads, whose term is the highest any live node is in
   * (or a node with a higher term knows no leader yet), and that a majority of the cluster
   * (itself included) follows in that term.
   */
  async leader(timeoutMs = 15_000): Promise<number> {
    const majority = Math.floor(this.ids.length / 2) + 1;
    return this.waitFor(
      async () => {
        const st = await this.statuses();
        const good = [...st.values()].filter((s): s is NodeStatus => !(s instanceof Error));
        const leaders = good.filter((s) => s.role === 'leader');
        leaders.sort((a, b) => b.term - a.term);
        const l = leaders[0];
        if (!l) return undefined;
        const followers = good.filter((s) => s.term === l.term && s.leaderId === l.id);
        return followers.length >= majority ? l.id : undefined;
      },
      timeoutMs,
      'a leader followed by a majority',
    );
  }

  /** The live nodes other than the leader. */
  async followers(timeoutMs?: number): Promise<number[]> {
    const l = await this.leader(timeoutMs);
    return this.live().filter((id) => id !== l);
  }

  /**
   * Waits until the cluster is ready for a test: a leader that answers a linearizable read (a
   * quorum works, it has committed in its term and applied to its MySQL), every live node
   * following it in its term and every live node's MySQL up.
   */
  async waitReady(timeoutMs = this.readyTimeoutMs): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    return this.waitFor(
      async () => {
        const l = await this.leader(Math.max(100, deadline - Date.now()));
        const res = await this.client(l).listTasks(
          { consistency: 'linearizable', limit: 1 },
          5_000,
        );
        if (!res.ok) throw new Error(`n${l} answered ${res.status} ${JSON.stringify(res.body)}`);
        const st = await this.statuses();
        const ls = st.get(l);
        if (!ls || ls instanceof Error) throw new Error(`n${l} status: ${ls?.message ?? 'none'}`);
        const term = ls.term;
        for (const [id, s] of st) {
          if (s instanceof Error) throw s;
          if (s.leaderId !== l || s.term !== term) {
            throw new Error(`n${id} follows ${s.leaderId} in term ${s.term}, not n${l} in ${term}`);
          }
          if (s.mysql.status !== 'up') throw new Error(`n${id} MySQL is ${s.mysql.status}`);
        }
        return l;
      },
      timeoutMs,
      'a leader that serves a linearizable read, followed by every live node',
      100,
    );
  }

  /** Replaces the node's transport faults (the parts given). */
  async setFaults(id: number, spec: FaultSpec): Promise<void> {
    const r = await this.proc(id).request({ type: 'faults', spec });
    if (!r.ok) throw new Error(`node ${id}: faults refused: ${r.error}`);
  }

  async clearFaults(id: number): Promise<void> {
    const r = await this.proc(id).request({ type: 'clearFaults' });
    if (!r.ok) throw new Error(`node ${id}: clearFaults refused: ${r.error}`);
  }

  /** Installs the same partition on every live node. */
  async partition(groups: readonly (readonly number[])[]): Promise<void> {
    await Promise.all(this.live().map((id) => this.setFaults(id, { partitions: groups })));
  }

  /** Clears the faults of every live node. */
  async heal(): Promise<void> {
    await Promise.all(this.live().map((id) => this.clearFaults(id)));
  }

  /**
   * Waits until every live node (or `ids`) has applied at least the leader's commit index (as it
   * was when called) and all report the same applied index, then returns their checksums. It does
   * not compare the checksums: the test does.
   */
  async checksums(
    timeoutMs = 20_000,
    ids: readonly number[] = this.live(),
  ): Promise<Map<number, ChecksumResponse>> {
    const l = await this.leader(timeoutMs);
    const target = (await this.ipcStatus(l)).commitIndex;
    return this.waitFor(
      async () => {
        const out = new Map<number, ChecksumResponse>();
        for (const id of ids) {
          const res = await this.client(id).checksum();
          if (!res.ok)
            throw new Error(`n${id} /checksum: ${res.status} ${JSON.stringify(res.body)}`);
          out.set(id, res.body);
        }
        const applied = [...out.values()].map((c) => c.appliedIndex);
        const summary = [...out].map(([id, c]) => `n${id}@${c.appliedIndex}`).join(' ');
        if (applied.some((a) => a < target)) {
          throw new Error(`not all caught up to commit ${target}: ${summary}`);
        }
        if (new Set(applied).size !== 1) throw new Error(`applied indexes differ: ${summary}`);
        return out;
      },
      timeoutMs,
      `checksums of n${ids.join(', n')} at one applied index`,
      100,
    );
  }

  /** WAL segment files of a node, oldest first (absolute paths). */
  walSegments(id: number): string[] {
    const found: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && /^[0-9a-f]{16}-[0-9a-f]{16}\.wal$/.test(e.name)) found.push(p);
      }
    };
    walk(this.dataDir(id));
    return found.sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
  }

  /** Stops everything, drops the nodes' databases (best effort) and removes the temp dir. */
  async destroy(opts: { dropDatabases?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all(
      this.ids.map(async (id) => {
        const p = this.proc(id);
        if (!p.running) return;
        const done = await within(p.stop(3_000), 8_000);
        if (!done) await p.kill('SIGKILL');
      }),
    );
    if (opts.dropDatabases ?? true) {
      await Promise.all(
        [...this.configs.values()].map((c) =>
          within(
            dropDatabase(c.mysql.url, c.mysql.database).catch(() => undefined),
            5_000,
          ),
        ),
      );
    }
    if (!KEEP_DIRS) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Writes the configs, forks every node and waits for a ready leader. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const n = opts.nodes ?? 3;
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  clusterCounter += 1;
  const label = (opts.label ?? 'c').replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'c';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `raftboard-cluster-${label}-`));
  const secretFile = path.join(dir, 'cluster.secret');
  await loadOrCreateSecret(secretFile);
  const token = randomBytes(24).toString('hex');
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

  const defaultUrl = process.env.RAFTBOARD_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/';
  const urls = opts.mysqlUrls ?? defaultUrl;
  const urlOf = (id: number): string => {
    if (typeof urls === 'string') return urls;
    const u = urls[id - 1];
    if (u === undefined) throw new Error(`no MySQL URL for node ${id} (${urls.length} given)`);
    return u;
  };

  const peers: { id: number; host: string; raftPort: number; clientPort: number }[] = [];
  const used = new Set<number>();
  const port = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!used.has(p)) {
        used.add(p);
        return p;
      }
    }
  };
  for (const id of ids) {
    peers.push({ id, host: '127.0.0.1', raftPort: await port(), clientPort: await port() });
  }
  const run = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}${clusterCounter}`;
  const configs = new Map<number, NodeConfigFile>();
  for (const id of ids) {
    const config: NodeConfigFile = {
      id,
      peers,
      dataDir: path.join(dir, `n${id}`),
      mysql: { url: urlOf(id), database: `rb_${label}_${run}_n${id}`.slice(0, 64) },
      secretFile,
      tokenFile,
      timers: { ...TEST_TIMERS, ...opts.timers },
      snapshotEntries: opts.snapshotEntries ?? 10_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 2_000,
      logLevel: opts.logLevel ?? 'info',
    };
    configs.set(id, config);
    fs.writeFileSync(path.join(dir, `node${id}.json`), JSON.stringify(config, null, 2));
  }
  const cluster = new Cluster(
    dir,
    ids,
    token,
    secretFile,
    configs,
    opts.startTimeoutMs ?? 30_000,
    opts.readyTimeoutMs ?? 30_000,
  );
  try {
    await Promise.all(ids.map((id) => cluster.start(id)));
    await cluster.waitReady();
  } catch (e) {
    const outputs = ids
      .map((id) => `--- node ${id} ---\n${tail(cluster.nodeStderr(id), 20)}`)
      .join('\n');
    await cluster.destroy();
    if (e instanceof NodeStartError) throw e;
    throw new Error(`${(e as Error).message}\n${outputs}`, { cause: e });
  }
  return cluster;
}

/** A unique Idempotency-Key. */
export function newKey(prefix = 'k'): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

/**
 * After a failed test, prints the last lines every node wrote (over all its starts), so the
 * failure report carries the nodes' side of the story.
 */
export function printNodeOutputOnFailure(get: () => Cluster | undefined, lines = 40): void {
  beforeEach((ctx) => {
    ctx.onTestFailed(() => {
      const c = get();
      if (!c) return;
      const parts = c.ids.map(
        (id) =>
          `--- node ${id} output (last ${lines} lines) ---\n${tail(c.nodeStderr(id, 'all'), lines)}`,
      );
      process.stderr.write(`${parts.join('\n')}\n`);
    });
  });
}
