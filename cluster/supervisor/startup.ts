/**
 * The steps before any node runs: stop what a crashed earlier run left on the data dir, wipe it
 * for `--fresh`, and decide the membership and ports (cluster.json, or a new cluster). Kept out
 * of supervisor.ts so the long-running part reads on its own.
 */
import path from 'node:path';
import type { MySqlMode } from '../api/control.js';
import { dropDatabase, parseMySqlUrl } from '../../db/connection.js';
import {
  removeDockerMySql,
  resolveExternalTargets,
  stopOrphanMariaDb,
  targetForNewNode,
  type FindOptions,
  type MySqlTargetOfNode,
  type NodeMySqlSpec,
} from '../../db/provision/index.js';
import { SupervisorError } from './errors.js';
import {
  Layout,
  PortAllocator,
  newClusterFile,
  newClusterId,
  type ClusterFile,
  type Member,
} from './layout.js';
import { stopLeftover } from './pidfile.js';

type Progress = (message: string) => void;

/**
 * Node processes and managed MariaDB servers a crashed earlier supervisor left (found by their
 * pid files), stopped before anything else so their ports are free again.
 */
export async function stopLeftovers(layout: Layout, progress: Progress): Promise<void> {
  for (const id of layout.nodeIdsOnDisk()) {
    const pid = await stopLeftover(layout.nodePidFile(id), layout.nodeConfig(id));
    if (pid !== undefined) progress(`stopped node n${id} (pid ${pid}) left by an earlier run`);
    await stopOrphanMariaDb(layout.mysqlDir(id), { log: (l) => progress(`n${id} mysql: ${l}`) });
  }
}

/**
 * `--fresh`: deletes the data dir's contents (and a docker cluster's containers). Returns the
 * cluster file it held, so external databases of its members can be emptied too.
 */
export async function wipeDataDir(
  layout: Layout,
  progress: Progress,
): Promise<ClusterFile | undefined> {
  progress(`--fresh: wiping ${layout.root}`);
  let old: ClusterFile | undefined;
  try {
    old = layout.readClusterFile();
  } catch {
    old = undefined;
  }
  if (old?.mysqlMode === 'docker') {
    for (const id of layout.nodeIdsOnDisk()) {
      await removeDockerMySql(layout.root, id).catch(() => undefined);
    }
  }
  layout.wipe();
  return old;
}

/**
 * `--fresh` in external mode: the databases the cluster is given are emptied (dropped; the
 * preflight creates them again), after one line saying which. Without this a new cluster would
 * meet the old cluster's stamp in them and refuse to start (review H4). `before` is the wiped
 * cluster file: with a `{node}` URL the databases of its members are emptied as well, so a node
 * added later does not meet an old database either.
 */
export async function emptyExternalDatabases(
  file: ClusterFile,
  before: ClusterFile | undefined,
  urls: readonly string[],
  progress: Progress,
): Promise<void> {
  const targets = [...externalTargets(file, urls).values()];
  if (urls.length === 1 && before?.mysqlMode === 'external') {
    for (const m of before.nodes) {
      if (!targets.some((t) => t.nodeId === m.id)) targets.push(targetForNewNode(urls, m.id));
    }
  }
  if (targets.length === 0) return;
  const where = (t: MySqlTargetOfNode): string => {
    const { host, port } = parseMySqlUrl(t.serverUrl);
    return `${host}:${port}`;
  };
  const byServer = new Map<string, string[]>();
  for (const t of targets) byServer.set(where(t), [...(byServer.get(where(t)) ?? []), t.database]);
  const list = [...byServer].map(([server, dbs]) => `${dbs.join(', ')} on ${server}`).join('; ');
  progress(`--fresh: emptying the external databases ${list} (their tasks are deleted)`);
  for (const t of targets) {
    try {
      await dropDatabase(t.serverUrl, t.database);
    } catch (e) {
      throw new SupervisorError(
        'invalid',
        `--fresh: cannot empty the database ${t.database} on ${where(t)}: ${(e as Error).message}`,
      );
    }
  }
}

/**
 * The cluster to run: the data dir's (its ports kept where still free), or a new one of
 * `nodes` nodes. A new one is not written yet: the caller saves it once MySQL is known to work.
 */
export async function planCluster(
  layout: Layout,
  wanted: { readonly mysqlMode: MySqlMode; readonly nodes: number | undefined },
  progress: Progress,
): Promise<ClusterFile> {
  const file = layout.readClusterFile();
  if (file === undefined) {
    const foreign = layout.foreignEntries();
    if (foreign.length > 0) {
      throw new SupervisorError(
        'invalid',
        `${layout.root} is not empty and holds no Raftboard cluster ` +
          `(${foreign.slice(0, 5).join(', ')}): pass an empty or new --data-dir`,
      );
    }
    const n = wanted.nodes ?? 3;
    if (!Number.isInteger(n) || n < 1 || n > 9) {
      throw new SupervisorError('invalid', `--nodes must be 1..9, got ${n}`);
    }
    progress(`new cluster of ${n} node(s)`);
    return newClusterFile(n, wanted.mysqlMode, new PortAllocator());
  }
  if (file.clusterId === undefined) {
    // A data dir of the older version: its nodes and databases adopt this id (they have none).
    const adopted = { ...file, clusterId: newClusterId() };
    layout.writeClusterFile(adopted);
    progress(
      `cluster.json had no cluster id (made by an older version): adopted ${adopted.clusterId}`,
    );
    return planCluster(layout, wanted, progress);
  }
  if (file.mysqlMode !== wanted.mysqlMode) {
    throw new SupervisorError(
      'invalid',
      `the data dir ${layout.root} holds a cluster created with --mysql ${file.mysqlMode}; ` +
        `start it with --mysql ${file.mysqlMode}, or use --fresh (deletes its data) or another --data-dir`,
    );
  }
  if (wanted.nodes !== undefined && wanted.nodes !== file.nodes.length) {
    progress(
      `the data dir holds ${file.nodes.length} node(s); --nodes ${wanted.nodes} is ignored ` +
        '(add or remove nodes in the control room, or use --fresh)',
    );
  }
  return keepPorts(layout, file, progress);
}

/** Kept ports that something else took meanwhile are replaced (and saved). */
async function keepPorts(
  layout: Layout,
  file: ClusterFile,
  progress: Progress,
): Promise<ClusterFile> {
  const ports = new PortAllocator();
  const nodes: Member[] = [];
  let changed = false;
  for (const m of file.nodes) {
    const keep = async (p: number, what: string): Promise<number> => {
      const q = await ports.keep(p);
      if (q !== p) {
        progress(`n${m.id}: port ${p} (${what}) is taken; using ${q}`);
        changed = true;
      }
      return q;
    };
    nodes.push({
      id: m.id,
      raftPort: await keep(m.raftPort, 'Raft'),
      clientPort: await keep(m.clientPort, 'client API'),
      mysqlPort: m.mysqlPort === null ? null : await keep(m.mysqlPort, 'MySQL'),
    });
  }
  const next = { ...file, nodes };
  if (changed) layout.writeClusterFile(next);
  return next;
}

/** External mode: each member's server URL and database, from the `--mysql-url` values. */
export function externalTargets(
  file: ClusterFile,
  urls: readonly string[],
): Map<number, MySqlTargetOfNode> {
  const out = new Map<number, MySqlTargetOfNode>();
  if (file.mysqlMode !== 'external') return out;
  const ids = file.nodes.map((m) => m.id);
  for (const t of resolveExternalTargets(urls, ids)) out.set(t.nodeId, t);
  return out;
}

/** How a member's MySQL is provided in `mode`. */
export function mysqlSpecOf(
  layout: Layout,
  mode: MySqlMode,
  member: Member,
  external: MySqlTargetOfNode | undefined,
  find: FindOptions | undefined,
): NodeMySqlSpec {
  if (mode === 'external') {
    if (external === undefined) throw new Error(`no external MySQL target for n${member.id}`);
    return { mode, nodeId: member.id, target: external };
  }
  if (member.mysqlPort === null) throw new Error(`n${member.id} has no MySQL port in cluster.json`);
  if (mode === 'docker') {
    return {
      mode,
      nodeId: member.id,
      clusterDir: layout.root,
      port: member.mysqlPort,
      passwordFile: path.join(layout.nodeDir(member.id), 'mysql-root-password'),
    };
  }
  return {
    mode,
    nodeId: member.id,
    dataDir: layout.mysqlDir(member.id),
    port: member.mysqlPort,
    find,
  };
}
