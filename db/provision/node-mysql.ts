/**
 * One node's MySQL, whatever the mode: a managed MariaDB on the node's own data dir, a Docker
 * container, or a database on a server the user runs. The supervisor only sees this interface:
 * the server URL and database to put in the node config, start/stop (the control room's "stop
 * MySQL" fault) and whether the server runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MySqlMode, MySqlServerState } from '../../cluster/api/control.js';
import { ensureDatabase } from '../connection.js';
import {
  checkDockerEngine,
  dockerServerUrl,
  pauseDockerMySql,
  startDockerMySql,
  stopDockerMySql,
} from './docker.js';
import { checkExternalTargets, type MySqlTargetOfNode } from './external.js';
import {
  findMariaDbBinaries,
  managedServerUrl,
  startMariaDb,
  type FindOptions,
  type MariaDbExit,
  type MariaDbInstance,
} from './mariadb.js';

export type { MySqlMode, MySqlServerState };

/** Stop/start asked of a server Raftboard does not run (external mode). */
export class MySqlNotControllableError extends Error {
  override readonly name: string = 'MySqlNotControllableError';
}

/** Pause/resume asked of a server in the wrong state (not running, not paused). */
export class MySqlStateError extends Error {
  override readonly name: string = 'MySqlStateError';
}

/** The database every managed/docker node uses on its own server. */
export const NODE_DATABASE = 'raftboard';

export type NodeMySqlSpec =
  | {
      readonly mode: 'managed';
      readonly nodeId: number;
      /** The MariaDB data dir (initialised on first start). */
      readonly dataDir: string;
      /** Kept in cluster.json; nothing listens on it (the server is reached by its socket). */
      readonly port: number;
      readonly find?: FindOptions | undefined;
    }
  | {
      readonly mode: 'docker';
      readonly nodeId: number;
      /** Names the container and volume (stable per cluster). */
      readonly clusterDir: string;
      readonly port: number;
      /** root's password (0600, in the node's directory; created on first start). */
      readonly passwordFile: string;
    }
  | { readonly mode: 'external'; readonly nodeId: number; readonly target: MySqlTargetOfNode };

export interface NodeMySqlHooks {
  readonly log?: ((line: string) => void) | undefined;
  /** The server exited without being asked to (managed mode): the supervisor reports it. */
  readonly onUnexpectedExit?: ((exit: MariaDbExit, logFile: string) => void) | undefined;
}

/** Checks, before anything starts, that the mode can work at all; throws what to do if not. */
export async function preflight(
  mode: MySqlMode,
  external: readonly MySqlTargetOfNode[] = [],
  find: FindOptions = {},
): Promise<string> {
  switch (mode) {
    case 'managed': {
      const b = findMariaDbBinaries(find);
      return `${b.server} (${b.flavor})`;
    }
    case 'docker':
      return `Docker engine ${await checkDockerEngine()}`;
    case 'external':
      await checkExternalTargets(external);
      return `${external.length} external database(s) checked`;
  }
}

export class NodeMySql {
  private instance: MariaDbInstance | undefined;
  private serverState: MySqlServerState;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: NodeMySqlSpec,
    private readonly hooks: NodeMySqlHooks = {},
  ) {
    this.serverState = spec.mode === 'external' ? 'external' : 'stopped';
  }

  get mode(): MySqlMode {
    return this.spec.mode;
  }

  get nodeId(): number {
    return this.spec.nodeId;
  }

  /**
   * Known before the server runs (socket, port and password file are fixed), so configs can be
   * written first. It names the password file, never the password.
   */
  get serverUrl(): string {
    switch (this.spec.mode) {
      case 'external':
        return this.spec.target.serverUrl;
      case 'managed':
        return managedServerUrl(path.resolve(this.spec.dataDir));
      case 'docker':
        return dockerServerUrl(this.spec.port, this.spec.passwordFile);
    }
  }

  get database(): string {
    return this.spec.mode === 'external' ? this.spec.target.database : NODE_DATABASE;
  }

  get state(): MySqlServerState {
    return this.serverState;
  }

  /** Whether stop/start apply (not for a server the user runs). */
  get controllable(): boolean {
    return this.spec.mode !== 'external';
  }

  /** Starts the server if it is ours and not running, then creates the node's database. */
  start(): Promise<void> {
    return this.serially(async () => {
      const spec = this.spec;
      const log = this.hooks.log ?? (() => undefined);
      if (spec.mode === 'external') {
        await ensureDatabase(this.serverUrl, this.database);
        return;
      }
      if (this.serverState === 'running') return;
      if (this.serverState === 'paused') {
        await this.thaw();
        return;
      }
      this.serverState = 'starting';
      try {
        if (spec.mode === 'managed') {
          const instance = await startMariaDb({
            ...spec.find,
            dataDir: spec.dataDir,
            port: spec.port,
            log,
          });
          this.instance = instance;
          void instance.exited.then((exit) => {
            if (this.instance !== instance) return;
            this.instance = undefined;
            if (this.serverState === 'stopping') return;
            this.serverState = 'crashed';
            this.hooks.onUnexpectedExit?.(exit, instance.logFile);
          });
        } else {
          await startDockerMySql({
            clusterDir: spec.clusterDir,
            nodeId: spec.nodeId,
            port: spec.port,
            passwordFile: spec.passwordFile,
            log,
          });
        }
        await ensureDatabase(this.serverUrl, this.database);
        this.serverState = 'running';
      } catch (e) {
        this.serverState = 'stopped';
        await this.instance?.stop();
        this.instance = undefined;
        throw e;
      }
    });
  }

  /** Stops the server cleanly (managed/docker); its data stays for the next start. */
  stop(): Promise<void> {
    return this.serially(async () => {
      const spec = this.spec;
      if (spec.mode === 'external') {
        throw new MySqlNotControllableError(
          `node ${spec.nodeId}'s MySQL is an external server: Raftboard cannot stop or start it`,
        );
      }
      if (this.serverState === 'stopped' || this.serverState === 'crashed') return;
      // A frozen server cannot act on being asked to stop.
      if (this.serverState === 'paused') await this.thaw().catch(() => undefined);
      this.serverState = 'stopping';
      try {
        if (spec.mode === 'managed') await this.instance?.stop();
        else await stopDockerMySql(spec.clusterDir, spec.nodeId);
      } finally {
        this.instance = undefined;
        this.serverState = 'stopped';
      }
    });
  }

  /**
   * Freezes the running server (managed: SIGSTOP of mariadbd; docker: `docker pause`): it keeps
   * its connections and answers nothing, as a MySQL stuck on a full disk or a hung host would.
   * Throws when the server is not running, or is the user's (external mode).
   */
  pause(): Promise<void> {
    return this.serially(async () => {
      if (this.spec.mode === 'external') {
        throw new MySqlNotControllableError(
          `node ${this.spec.nodeId}'s MySQL is an external server: Raftboard cannot pause it`,
        );
      }
      if (this.serverState !== 'running') {
        throw new MySqlStateError(`node ${this.spec.nodeId}'s MySQL is ${this.serverState}`);
      }
      if (this.spec.mode === 'managed') this.signal('SIGSTOP');
      else await pauseDockerMySql(this.spec.clusterDir, this.spec.nodeId, true);
      this.serverState = 'paused';
    });
  }

  /** Thaws a paused server; throws when it is not paused. */
  resume(): Promise<void> {
    return this.serially(async () => {
      if (this.serverState !== 'paused') {
        throw new MySqlStateError(`node ${this.spec.nodeId}'s MySQL is ${this.serverState}`);
      }
      await this.thaw();
    });
  }

  get paused(): boolean {
    return this.serverState === 'paused';
  }

  private async thaw(): Promise<void> {
    if (this.spec.mode === 'managed') this.signal('SIGCONT');
    else if (this.spec.mode === 'docker') {
      await pauseDockerMySql(this.spec.clusterDir, this.spec.nodeId, false);
    }
    this.serverState = 'running';
  }

  private signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    const pid = this.instance?.pid;
    if (pid === undefined || pid <= 0) {
      throw new MySqlStateError(`node ${this.spec.nodeId}'s MySQL has no process to ${sig}`);
    }
    process.kill(pid, sig);
  }

  /** The managed server's pid (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.instance?.pid;
  }

  /** Deletes a managed server's data dir (after stop); used when a node is removed. */
  async removeData(): Promise<void> {
    await this.stop().catch(() => undefined);
    if (this.spec.mode === 'managed')
      fs.rmSync(this.spec.dataDir, { recursive: true, force: true });
  }

  // start and stop never interleave: a stop during a start waits for it, and the other way round.
  private serially(fn: () => Promise<void>): Promise<void> {
    const next = this.busy.then(fn, fn);
    this.busy = next.catch(() => undefined);
    return next;
  }
}
