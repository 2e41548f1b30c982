/**
 * The production composition of a node: its data dir locked, the WAL opened (and recovered),
 * its identity loaded, the TCP transport with the fault hooks the supervisor drives, MySQL as
 * the task store, the system clock and real randomness. The simulator composes the same
 * RaftNode over simulated ones instead.
 */
import type { NodeId } from '../raft/index.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { QUERY_TIMEOUT_MS } from '../../db/query-timeout.js';
import { systemClock } from './clock.js';
import { selfOf, type NodeConfig } from './config.js';
import type { NodeEvent } from './control.js';
import type { Failpoints } from './failpoints.js';
import { acquireDirLock } from './dir-lock.js';
import { loadNodeIdentity } from './identity.js';
import type { Logger } from './log.js';
import { peerMySqlUp } from './peer-health.js';
import { RaftNode } from './raft-node.js';
import {
  FaultyTransport,
  TcpTransport,
  type LogLevel,
  type PeerAddress,
} from './transport/index.js';
import { DiskStorage } from './wal/index.js';

export interface StartNodeOptions {
  readonly config: NodeConfig;
  readonly secret: Uint8Array;
  /** The client API token: a leader with a sick MySQL asks the others' /status with it. */
  readonly token?: string;
  readonly log: Logger;
  readonly emit?: (event: NodeEvent) => void;
  readonly traceMessages?: boolean;
  /**
   * The node cannot go on (its database belongs to another cluster, node or log, or its disk
   * failed); main.ts exits. Default: log it.
   */
  readonly onFatal?: (error: Error) => void;
  /** Crash points a test armed (RAFTBOARD_FAILPOINTS, the `failpoint` message). Default: none. */
  readonly failpoints?: Failpoints;
}

/** A running production node and its transport (faults are set on it; `inner.port`). */
export interface StartedNode {
  readonly node: RaftNode;
  readonly transport: FaultyTransport<TcpTransport>;
}

/**
 * Opens the WAL (throws WalCorruptionError / DiskStorageError when it cannot be trusted),
 * starts the transport and the tick timer, and starts connecting to MySQL in the background.
 */
export async function startNode(opts: StartNodeOptions): Promise<StartedNode> {
  const { config, log } = opts;
  // Before recovery touches anything: a second process on this dir (same config started
  // twice) must not truncate, rename or delete files under a live node.
  const lock = await acquireDirLock(config.dataDir, {
    what: `data dir ${config.dataDir}`,
    pidFile: `${config.dataDir}/lock.pid`,
  });
  const raftDir = `${config.dataDir}/raft`;
  let storage: DiskStorage | undefined;
  try {
    storage = DiskStorage.open(raftDir, {
      bootstrap: {
        voters: config.bootstrapVoters ?? config.peers.map((p) => p.id),
        learners: [],
      },
      log: (m) => log.warn(m),
      failpoints: opts.failpoints,
    });
    const identity = loadNodeIdentity(raftDir, config, (m) => log.info(m));
    let transport: FaultyTransport<TcpTransport> | undefined;
    const transportLog = (level: LogLevel, msg: string): void => log[level](`transport: ${msg}`);
    const node = RaftNode.create({
      config,
      log,
      storage,
      identity,
      clock: systemClock,
      // Real randomness for election timeouts: the core only needs an int source.
      random: { int: (n) => Math.floor(Math.random() * n) },
      // Injected faults (PUT /api/network) wrap the TCP transport.
      transport: (handlers) => {
        transport = new FaultyTransport(
          { id: config.id, clock: systemClock, random: Math.random, log: transportLog },
          handlers,
          (h) =>
            new TcpTransport({
              id: config.id,
              host: config.listenHost,
              port: selfOf(config).raftPort,
              peers: new Map<NodeId, PeerAddress>(
                config.peers.map((p) => [p.id, { host: p.host, port: p.raftPort }]),
              ),
              secret: opts.secret,
              ...h,
              log: transportLog,
            }),
        );
        return transport;
      },
      openStore: (o) =>
        TaskStateMachine.open(config.mysql.url, {
          database: config.mysql.database,
          identity: o.identity,
          verifyApplied: o.verifyApplied,
          queryTimeoutMs: config.mysql.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
          log: o.log,
        }),
      peerMySqlUp: async (url) => opts.token !== undefined && peerMySqlUp(url, opts.token),
      peersDir: config.dataDir,
      emit: opts.emit,
      traceMessages: opts.traceMessages,
      onFatal: opts.onFatal,
      onStopped: () => lock.release(),
      failpoints: opts.failpoints,
    });
    await node.run();
    return { node, transport: transport! };
  } catch (e) {
    storage?.close();
    await lock.release();
    throw e;
  }
}
