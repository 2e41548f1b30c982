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
 *
 * The parts: config.ts (files, ports), node-process.ts (one process: start, IPC, stop; with
 * children.ts, output.ts, control.ts), cluster.ts (the nodes together), readiness.ts (waiting
 * for a leader, readiness, equal applied indexes), client.ts (HTTP), poll.ts (waiting),
 * mariadb.ts, wal.ts, diagnostics.ts (failure output), start.ts (`startCluster`), writes.ts
 * (`createTasks`, batches of writes).
 */
export { newKey, ok } from './client.js';
export type { Cluster } from './cluster.js';
export { printNodeOutputOnFailure } from './diagnostics.js';
export { NodeStartError } from './node-process.js';
export { sleep } from './poll.js';
export { startCluster } from './start.js';
export { useCluster } from './fixture.js';
export { createTasks } from './writes.js';
