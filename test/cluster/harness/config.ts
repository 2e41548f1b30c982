/**
 * The files a cluster runs from: a temp dir holding the shared secret, the client token and one
 * `nodeN.json` config per node, with free ports and a database of its own for every node.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateSecret } from '../../../cluster/node/transport/secret.js';
import { freePort } from '../../../db/provision/mariadb.js';
import { mysqlUrlFor } from './mariadb.js';

/** Nodes per cluster, ids 1..n. */
const NODE_COUNT = 3;

export interface Timers {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
}

const TEST_TIMERS: Timers = { tickMs: 20, electionTicks: 10, heartbeatTicks: 2 };

export interface ClusterOptions {
  /**
   * MySQL server URL(s): one for every node, or one per node (index 0 is node 1). Each node gets
   * its own database on it.
   */
  readonly mysqlUrls: string | readonly string[];
  readonly requestTimeoutMs?: number;
  /** Applied entries between snapshots (default 10,000: none in a short test). */
  readonly snapshotEntries?: number;
  /** Entries kept behind a snapshot for lagging followers (node default 10,000). */
  readonly catchUpEntries?: number;
  /** A short name used in the temp dir and database names. */
  readonly label?: string;
  /** Raft timers (default: 20 ms ticks, election after 10, heartbeat every 2). */
  readonly timers?: Timers;
}

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
  readonly catchUpEntries?: number;
  readonly requestTimeoutMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** What `writeClusterFiles` wrote. */
export interface ClusterFiles {
  readonly dir: string;
  readonly ids: readonly number[];
  readonly token: string;
  readonly secretFile: string;
  readonly configs: ReadonlyMap<number, NodeConfigFile>;
}

/** The config file of node `id` in a cluster dir. */
export function configPath(dir: string, id: number): string {
  return path.join(dir, `node${id}.json`);
}

/** Free TCP ports, none of them handed out twice. */
function portAllocator(): () => Promise<number> {
  const used = new Set<number>();
  return async () => {
    for (;;) {
      const p = await freePort();
      if (!used.has(p)) {
        used.add(p);
        return p;
      }
    }
  };
}

let clusterCounter = 0;

/** Creates the temp dir, the secret, the token and every node's config file. */
export async function writeClusterFiles(opts: ClusterOptions): Promise<ClusterFiles> {
  const ids = Array.from({ length: NODE_COUNT }, (_, i) => i + 1);
  clusterCounter += 1;
  const label = (opts.label ?? 'c').replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'c';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `raftboard-cluster-${label}-`));
  const secretFile = path.join(dir, 'cluster.secret');
  await loadOrCreateSecret(secretFile);
  const token = randomBytes(24).toString('hex');
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

  const peers: { id: number; host: string; raftPort: number; clientPort: number }[] = [];
  const port = portAllocator();
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
      mysql: {
        url: mysqlUrlFor(opts.mysqlUrls, id),
        database: `rb_${label}_${run}_n${id}`.slice(0, 64),
      },
      secretFile,
      tokenFile,
      timers: opts.timers ?? TEST_TIMERS,
      snapshotEntries: opts.snapshotEntries ?? 10_000,
      ...(opts.catchUpEntries === undefined ? {} : { catchUpEntries: opts.catchUpEntries }),
      requestTimeoutMs: opts.requestTimeoutMs ?? 2_000,
      logLevel: 'info',
    };
    configs.set(id, config);
    fs.writeFileSync(configPath(dir, id), JSON.stringify(config, null, 2));
  }
  return { dir, ids, token, secretFile, configs };
}
