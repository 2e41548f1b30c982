/**
 * Each node's config file (cluster/node/config.ts), as the supervisor writes it: every member as
 * a peer, the original voters as `bootstrapVoters` (so a node added later never campaigns on its
 * own and a restarted one keeps its history), and Raft timers stretched by the slow-motion factor.
 */
import fs from 'node:fs';
import {
  DEFAULT_CATCH_UP_ENTRIES,
  DEFAULT_SNAPSHOT_ENTRIES,
  DEFAULT_TIMERS as NODE_DEFAULT_TIMERS,
  type NodeConfig,
} from '../node/config.js';
import { SupervisorError } from './errors.js';
import type { Layout, Member } from './layout.js';

export interface Timers {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
}

/** The node defaults, from cluster/node/config.ts (one place); `slow` multiplies tickMs. */
export const DEFAULT_TIMERS: Timers = NODE_DEFAULT_TIMERS;
const DEFAULT_REQUEST_TIMEOUT_MS = 2_000;

export const MIN_SLOW = 0.1;
export const MAX_SLOW = 30;

export function checkSlow(factor: number): void {
  if (!Number.isFinite(factor) || factor < MIN_SLOW || factor > MAX_SLOW) {
    throw new SupervisorError(
      'invalid',
      `the slow-motion factor must be ${MIN_SLOW}..${MAX_SLOW}, got ${factor}`,
    );
  }
}

/**
 * Every timer times `slow`: the tick (elections and heartbeats count ticks) and the request
 * timeout, so a write in slow motion still gets its quorum before the node gives up.
 */
export function scaledTimers(base: Timers, slow: number): Timers & { requestTimeoutMs: number } {
  return {
    tickMs: Math.max(1, Math.round(base.tickMs * slow)),
    electionTicks: base.electionTicks,
    heartbeatTicks: base.heartbeatTicks,
    requestTimeoutMs: Math.min(
      60_000,
      Math.max(100, Math.round(DEFAULT_REQUEST_TIMEOUT_MS * slow)),
    ),
  };
}

export interface NodeConfigInput {
  readonly layout: Layout;
  /** cluster.json's: every node of the cluster carries the same one. */
  readonly clusterId: string;
  readonly self: Member;
  readonly members: readonly Member[];
  readonly bootstrapVoters: readonly number[];
  readonly mysql: { readonly url: string; readonly database: string };
  readonly timers: Timers & { requestTimeoutMs: number };
  readonly logLevel: NodeConfig['logLevel'];
}

export function buildNodeConfig(input: NodeConfigInput): NodeConfig {
  const { layout, self, timers } = input;
  const { requestTimeoutMs, ...raftTimers } = timers;
  return {
    id: self.id,
    clusterId: input.clusterId,
    peers: input.members.map((m) => ({
      id: m.id,
      host: '127.0.0.1',
      raftPort: m.raftPort,
      clientPort: m.clientPort,
    })),
    dataDir: layout.nodeDir(self.id),
    mysql: { url: input.mysql.url, database: input.mysql.database },
    secretFile: layout.secretFile,
    tokenFile: layout.tokenFile,
    listenHost: '127.0.0.1',
    timers: raftTimers,
    bootstrapVoters: [...input.bootstrapVoters],
    snapshotEntries: DEFAULT_SNAPSHOT_ENTRIES,
    catchUpEntries: DEFAULT_CATCH_UP_ENTRIES,
    requestTimeoutMs,
    logLevel: input.logLevel,
  };
}

/** Atomically, owner-only: the config holds the MySQL URL, maybe with a password. */
export function writeNodeConfig(file: string, config: NodeConfig): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
