/** A running cluster: its node processes, a client per node, and what tests do with them. */
import fs from 'node:fs';
import type { ChecksumResponse, NodeStatus } from '../../../cluster/api/node.js';
import type { ControlReply, NodeToParent } from '../../../cluster/node/control.js';
import type { FailpointName } from '../../../cluster/node/failpoints.js';
import { NodeClient } from './client.js';
import { configPath, type ClusterFiles, type NodeConfigFile } from './config.js';
import type { ControlRequestBody } from './control.js';
import { describeNode } from './diagnostics.js';
import { dropNodeDatabases } from './mariadb.js';
import { NodeProcess, type ExitInfo } from './node-process.js';
import { waitFor, within, type Check } from './poll.js';
import { findLeader, settledChecksums, waitUntilReady } from './readiness.js';
import { walSegments } from './wal.js';

const KEEP_DIRS = process.env.RAFTBOARD_KEEP_CLUSTER_DIR === '1';
/** How long each node may take to send `listening`. */
const START_TIMEOUT_MS = 30_000;
/** How long to wait for a leader that serves a quorum read. */
const READY_TIMEOUT_MS = 30_000;

export class Cluster {
  readonly dir: string;
  readonly ids: readonly number[];
  readonly secretFile: string;
  private readonly configs: ReadonlyMap<number, NodeConfigFile>;
  private readonly procs = new Map<number, NodeProcess>();
  private readonly clients = new Map<number, NodeClient>();
  private destroyed = false;

  constructor(files: ClusterFiles) {
    ({ dir: this.dir, ids: this.ids, secretFile: this.secretFile, configs: this.configs } = files);
    for (const id of this.ids) {
      const c = this.configs.get(id)!;
      this.procs.set(id, new NodeProcess(id, configPath(this.dir, id), c.dataDir));
      const self = c.peers.find((p) => p.id === id)!;
      this.clients.set(id, new NodeClient(id, `http://127.0.0.1:${self.clientPort}`, files.token));
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

  /** The pid of the node's running process (undefined when it is not running). */
  pid(id: number): number | undefined {
    const p = this.proc(id);
    return p.running ? p.child?.pid : undefined;
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

  /** WAL segment files of a node, oldest first (absolute paths). */
  walSegments(id: number): string[] {
    return walSegments(this.dataDir(id));
  }

  /**
   * Starts (forks) a stopped node and waits for `listening`. Throws NodeStartError.
   * `failpoints`: its RAFTBOARD_FAILPOINTS for this start (e.g. `wal-after-sync@3`).
   */
  async start(id: number, opts: { failpoints?: string } = {}): Promise<void> {
    await this.proc(id).start(START_TIMEOUT_MS, opts.failpoints);
  }

  /**
   * Arms a failpoint on a running node (the `failpoint` control message): it SIGKILLs itself at
   * the point, after `after` hits (default 0: the next one). See cluster/node/failpoints.ts.
   */
  armFailpoint(id: number, name: FailpointName, after?: number): Promise<void> {
    return this.command(
      id,
      after === undefined ? { type: 'failpoint', name } : { type: 'failpoint', name, after },
    );
  }

  /** Asks node `via` (the leader, or a follower that forwards it) to hand leadership to `to`. */
  transferLeadership(via: number, to: number): Promise<void> {
    return this.command(via, { type: 'transferLeadership', to });
  }

  /** Asks node `id` to campaign now (the `campaign` control message); returns its reply. */
  campaign(id: number): Promise<ControlReply> {
    return this.proc(id).request({ type: 'campaign' });
  }

  /** Sends `signal` and waits for the process to exit. */
  kill(id: number, signal: NodeJS.Signals): Promise<ExitInfo> {
    return this.proc(id).kill(signal);
  }

  /** Stops every node: with `signal`, else cleanly (IPC shutdown). */
  async stopAll(signal?: NodeJS.Signals): Promise<ExitInfo[]> {
    return Promise.all(
      this.ids.map((id) => (signal !== undefined ? this.kill(id, signal) : this.proc(id).stop())),
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
    return this.ids.map((id) => describeNode(id, this.proc(id), st.get(id))).join('\n');
  }

  /** `waitFor` that adds the cluster's state to the timeout error. */
  waitFor<T>(check: Check<T>, timeoutMs: number, what: string, intervalMs?: number): Promise<T> {
    return waitFor(check, timeoutMs, what, {
      intervalMs,
      extra: async () => `cluster:\n${await this.describe()}`,
    });
  }

  /** The leader a majority follows (see `findLeader`). */
  leader(timeoutMs = 15_000): Promise<number> {
    return findLeader(this, timeoutMs);
  }

  /** The live nodes other than the leader. */
  async followers(): Promise<number[]> {
    const l = await this.leader();
    return this.live().filter((id) => id !== l);
  }

  /** Waits until the cluster is ready for a test (see `waitUntilReady`); returns the leader. */
  waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<number> {
    return waitUntilReady(this, timeoutMs);
  }

  /** Checksums of every live node (or `ids`) at one applied index (see `settledChecksums`). */
  checksums(
    timeoutMs = 20_000,
    ids: readonly number[] = this.live(),
  ): Promise<Map<number, ChecksumResponse>> {
    return settledChecksums(this, timeoutMs, ids);
  }

  /** Installs the same partition on every live node. */
  async partition(groups: readonly (readonly number[])[]): Promise<void> {
    await Promise.all(
      this.live().map((id) => this.command(id, { type: 'faults', spec: { partitions: groups } })),
    );
  }

  /** Clears the transport faults of every live node. */
  async heal(): Promise<void> {
    await Promise.all(this.live().map((id) => this.command(id, { type: 'clearFaults' })));
  }

  private async command(id: number, body: ControlRequestBody): Promise<void> {
    const r = await this.proc(id).request(body);
    if (!r.ok) throw new Error(`node ${id}: ${body.type} refused: ${r.error}`);
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
    if (opts.dropDatabases ?? true) await dropNodeDatabases(this.configs.values());
    if (!KEEP_DIRS) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
