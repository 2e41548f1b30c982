/** A test file's cluster: started before its tests on a throwaway MariaDB, destroyed after. */
import { afterAll, beforeAll } from 'vitest';
import { useTestMariaDb } from '../../support/mariadb.js';
import type { Cluster } from './cluster.js';
import type { ClusterOptions } from './config.js';
import { printNodeOutputOnFailure } from './diagnostics.js';
import { startCluster } from './start.js';

/**
 * Call at the top level of a test file: starts a MariaDB (`useTestMariaDb`) and a cluster on it
 * before the file's tests, destroys the cluster after them, and prints the nodes' output when a
 * test fails. Returns the cluster (throws when it has not started).
 */
export function useCluster(
  label: string,
  opts: Omit<ClusterOptions, 'mysqlUrls' | 'label'> = {},
): () => Cluster {
  const db = useTestMariaDb();
  let cluster: Cluster | undefined;
  printNodeOutputOnFailure(() => cluster);

  beforeAll(async () => {
    cluster = await startCluster({ mysqlUrls: db.url, label, ...opts });
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  return () => {
    if (!cluster) throw new Error('cluster not started');
    return cluster;
  };
}
