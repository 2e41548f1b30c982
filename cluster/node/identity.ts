/**
 * The node's identity in its durable state: `raft/identity.json` holds the cluster id and node id
 * the raft dir was created for (review H4). It is written at the first start (from the config's
 * `clusterId`) and checked at every later one, so a data dir cannot be started under another
 * cluster's config or another node id. The same identity is stamped into the node's database
 * (db/identity.ts), which ties the database to this log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ClusterIdentityError } from '../../db/errors.js';
import type { NodeIdentity } from '../../db/identity.js';
import { atomicWrite } from './wal/fsutil.js';
import type { NodeConfig } from './config.js';

export const IDENTITY_FILE = 'identity.json';

const identitySchema = z.strictObject({
  clusterId: z.string().min(1).max(64),
  nodeId: z.number().int().min(1),
});

/**
 * The identity of the raft dir `raftDir` (which exists): read and checked against the config, or
 * created from it. A config without `clusterId` (written by an older version) keeps the stored
 * one, or gets a new one once, logged.
 */
export function loadNodeIdentity(
  raftDir: string,
  config: Pick<NodeConfig, 'id' | 'clusterId'>,
  log: (line: string) => void,
): NodeIdentity {
  const file = path.join(raftDir, IDENTITY_FILE);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== undefined) {
    let parsed;
    try {
      parsed = identitySchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !parsed.success) {
      throw new ClusterIdentityError(`${file} is not a node identity; refusing to start`);
    }
    const stored = parsed.data;
    if (config.clusterId !== undefined && config.clusterId !== stored.clusterId) {
      throw new ClusterIdentityError(
        `the data dir ${raftDir} belongs to cluster ${stored.clusterId}, but the config names ` +
          `cluster ${config.clusterId}: refusing to start (use the config of that cluster, or ` +
          'another data dir)',
      );
    }
    if (config.id !== stored.nodeId) {
      throw new ClusterIdentityError(
        `the data dir ${raftDir} belongs to node ${stored.nodeId} of cluster ` +
          `${stored.clusterId}, but the config is node ${config.id}: refusing to start`,
      );
    }
    return stored;
  }
  const identity: NodeIdentity = { clusterId: config.clusterId ?? randomUUID(), nodeId: config.id };
  atomicWrite(raftDir, IDENTITY_FILE, Buffer.from(`${JSON.stringify(identity)}\n`));
  log(
    config.clusterId === undefined
      ? `the config names no clusterId (an older config): this node's data now belongs to the ` +
          `new cluster id ${identity.clusterId} (kept in ${file})`
      : `cluster ${identity.clusterId}, node ${identity.nodeId}: kept in ${file}`,
  );
  return identity;
}
