/**
 * The cluster's data dir, and `cluster.json` in it: which nodes exist and the ports each one was
 * given. Ports are allocated once and kept, so node configs, peers' address books and bookmarks
 * stay valid across restarts; one is moved only when something else took it meanwhile.
 *
 * ```
 * DATA/
 *   cluster.json        cluster id, members, ports, MySQL mode, original voters
 *   cluster.secret      the transport's shared secret (0600)
 *   token               the API token of the current run (0600)
 *   supervisor.pid      the running supervisor, which holds a lock on DATA (a second one is refused)
 *   nodes/n1/
 *     node.json         the node's config (rewritten at every start)
 *     node.pid          the node process, so a crashed supervisor's leftovers are found
 *     lock.pid          written by the node, which holds a lock on this dir
 *     raft/ peers.json  the node's own files (WAL, hard state, snapshots, identity.json)
 *     mysql/            the managed MariaDB data dir
 * ```
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { MySqlMode } from '../api/control.js';

export const CLUSTER_FILE = 'cluster.json';

const OWN_ENTRIES = new Set([
  CLUSTER_FILE,
  `${CLUSTER_FILE}.tmp`,
  'cluster.secret',
  'token',
  'supervisor.pid',
  '.lock.sock',
  'nodes',
]);

const port = z.number().int().min(1).max(65_535);

const memberSchema = z.strictObject({
  id: z.number().int().min(1).max(1_000_000),
  raftPort: port,
  clientPort: port,
  /** Managed and docker modes: the node's own MySQL server. */
  mysqlPort: port.nullable(),
});

const clusterFileSchema = z.strictObject({
  version: z.literal(1),
  /**
   * Made once with the cluster; every node config carries it, and each node keeps it in its raft
   * dir and stamps it into its database (review H4). Absent in files of the older version: the
   * supervisor adopts a new one (planCluster).
   */
  clusterId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .optional(),
  mysqlMode: z.enum(['managed', 'docker', 'external']),
  /** The membership at index 0; every node config carries it (see node config `bootstrapVoters`). */
  bootstrapVoters: z.array(z.number().int().min(1)).min(1).max(9),
  /** Ids are never reused: a removed node's id stays retired. */
  nextId: z.number().int().min(2),
  nodes: z.array(memberSchema).max(9),
  createdAt: z.string(),
});

export type Member = z.infer<typeof memberSchema>;
export type ClusterFile = z.infer<typeof clusterFileSchema>;

/** Electron's userData folder for productName "Raftboard", plus `cluster`: app and CLI share it. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  let appData: string;
  if (process.platform === 'win32') appData = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
  else if (process.platform === 'darwin')
    appData = path.join(home, 'Library', 'Application Support');
  else appData = env.XDG_CONFIG_HOME ?? path.join(home, '.config');
  return path.join(appData, 'Raftboard', 'cluster');
}

export class Layout {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get clusterFile(): string {
    return path.join(this.root, CLUSTER_FILE);
  }
  get secretFile(): string {
    return path.join(this.root, 'cluster.secret');
  }
  get tokenFile(): string {
    return path.join(this.root, 'token');
  }
  get supervisorPidFile(): string {
    return path.join(this.root, 'supervisor.pid');
  }
  get nodesDir(): string {
    return path.join(this.root, 'nodes');
  }
  nodeDir(id: number): string {
    return path.join(this.nodesDir, `n${id}`);
  }
  nodeConfig(id: number): string {
    return path.join(this.nodeDir(id), 'node.json');
  }
  nodePidFile(id: number): string {
    return path.join(this.nodeDir(id), 'node.pid');
  }
  mysqlDir(id: number): string {
    return path.join(this.nodeDir(id), 'mysql');
  }

  /** Node ids that have a folder here (members or leftovers). */
  nodeIdsOnDisk(): number[] {
    if (!fs.existsSync(this.nodesDir)) return [];
    return fs
      .readdirSync(this.nodesDir)
      .map((name) => /^n(\d+)$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  readClusterFile(): ClusterFile | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.clusterFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(
        `${this.clusterFile} is not valid JSON (${(e as Error).message}); fix it or start with --fresh`,
      );
    }
    const parsed = clusterFileSchema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`${this.clusterFile} is not a Raftboard cluster file (${why}); use --fresh`);
    }
    return parsed.data;
  }

  /** Atomic replace: a crash leaves the old file or the new one, never half of one. */
  writeClusterFile(file: ClusterFile): void {
    fs.mkdirSync(this.root, { recursive: true });
    const tmp = `${this.clusterFile}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
    fs.renameSync(tmp, this.clusterFile);
  }

  /**
   * Files in the data dir that Raftboard did not put there. `--fresh` and a new cluster refuse
   * a folder with any: a mistyped --data-dir must never wipe or litter someone's files.
   */
  foreignEntries(): string[] {
    if (!fs.existsSync(this.root)) return [];
    return fs.readdirSync(this.root).filter((name) => !OWN_ENTRIES.has(name));
  }

  /** Deletes everything in the data dir (the dir itself stays). */
  wipe(): void {
    if (!fs.existsSync(this.root)) return;
    const foreign = this.foreignEntries();
    if (foreign.length > 0) {
      throw new Error(
        `refusing to wipe ${this.root}: it holds files Raftboard did not create ` +
          `(${foreign.slice(0, 5).join(', ')}); is --data-dir right?`,
      );
    }
    for (const name of fs.readdirSync(this.root)) {
      if (name === path.basename(this.supervisorPidFile) || name === '.lock.sock') continue;
      fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
  }
}

/** Hands out loopback ports that are free now and not handed out before by this allocator. */
export class PortAllocator {
  private readonly given = new Set<number>();

  constructor(reserved: Iterable<number> = []) {
    for (const p of reserved) this.given.add(p);
  }

  async next(): Promise<number> {
    for (;;) {
      const p = await listenOnce(0);
      if (p !== undefined && !this.given.has(p)) {
        this.given.add(p);
        return p;
      }
    }
  }

  /** `wanted` if it is free now (and reserves it), else a new one. */
  async keep(wanted: number): Promise<number> {
    if ((await listenOnce(wanted)) !== undefined) {
      this.given.add(wanted);
      return wanted;
    }
    return this.next();
  }
}

/** Binds 127.0.0.1:port and closes again; the bound port, or undefined when it is taken. */
function listenOnce(portNumber: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ port: portNumber, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** The file's cluster id; planCluster gives a file of the older version one before any use. */
export function clusterIdOf(file: ClusterFile): string {
  if (file.clusterId === undefined) throw new Error('cluster.json has no cluster id yet');
  return file.clusterId;
}

/** A cluster id: random, so two clusters (say, before and after --fresh) never share one. */
export function newClusterId(): string {
  return randomUUID();
}

/** A new cluster file: `n` nodes, fresh ports. */
export async function newClusterFile(
  n: number,
  mysqlMode: MySqlMode,
  ports: PortAllocator,
): Promise<ClusterFile> {
  const nodes: Member[] = [];
  for (let id = 1; id <= n; id++) {
    nodes.push({
      id,
      raftPort: await ports.next(),
      clientPort: await ports.next(),
      mysqlPort: mysqlMode === 'external' ? null : await ports.next(),
    });
  }
  return {
    version: 1,
    clusterId: newClusterId(),
    mysqlMode,
    bootstrapVoters: nodes.map((m) => m.id),
    nextId: n + 1,
    nodes,
    createdAt: new Date().toISOString(),
  };
}
