/** Starting a cluster: write its files, fork every node, wait for a ready leader. */
import { Cluster } from './cluster.js';
import { writeClusterFiles, type ClusterOptions } from './config.js';
import { tail } from './diagnostics.js';
import { NodeStartError } from './node-process.js';

/** Writes the configs, forks every node and waits for a ready leader. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const files = await writeClusterFiles(opts);
  const cluster = new Cluster(files);
  try {
    await Promise.all(files.ids.map((id) => cluster.start(id)));
    await cluster.waitReady();
  } catch (e) {
    const outputs = files.ids
      .map((id) => `--- node ${id} ---\n${tail(cluster.nodeStderr(id), 20)}`)
      .join('\n');
    await cluster.destroy();
    if (e instanceof NodeStartError) throw e;
    throw new Error(`${(e as Error).message}\n${outputs}`, { cause: e });
  }
  return cluster;
}
