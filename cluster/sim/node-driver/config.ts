/**
 * The per-seed knobs of a node-driver run and the NodeConfig each simulated node is given (the
 * same schema as a real node's config file, so defaults and validation are the real ones).
 */
import type { NodeId } from '../../raft/index.js';
import { parseNodeConfig, type NodeConfig } from '../../node/config.js';
import type { SimRng } from '../rng.js';
import { clientPortOf, raftPortOf, SIM_HOST } from './transport.js';

export interface Knobs {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Small, so snapshots, compaction and snapshot catch-up happen in every run. */
  readonly snapshotEntries: number;
  readonly catchUpEntries: number;
  readonly requestTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly stalledAfterMs: number;
}

export function drawKnobs(rng: SimRng): Knobs {
  const electionTicks = rng.pick([6, 8, 10]);
  return {
    tickMs: rng.pick([10, 20, 25]),
    electionTicks,
    heartbeatTicks: rng.range(1, Math.min(3, electionTicks - 2)),
    snapshotEntries: rng.pick([5, 10, 20, 40]),
    catchUpEntries: rng.pick([0, 2, 5, 20]),
    requestTimeoutMs: rng.pick([500, 1000, 2000]),
    queryTimeoutMs: rng.pick([300, 1000, 3000]),
    stalledAfterMs: rng.pick([200, 500, 3000]),
  };
}

export interface MemberSpec {
  readonly id: NodeId;
  /** Every member this node is told about at start (itself included). */
  readonly peers: readonly NodeId[];
  /** The cluster's original voters (membership at index 0). */
  readonly bootstrapVoters: readonly NodeId[];
}

export function nodeConfig(seed: number, spec: MemberSpec, k: Knobs): NodeConfig {
  const peers = [...new Set([...spec.peers, spec.id])].sort((a, b) => a - b);
  return parseNodeConfig(
    {
      id: spec.id,
      clusterId: `sim-${seed}`,
      peers: peers.map((id) => ({
        id,
        host: SIM_HOST,
        raftPort: raftPortOf(id),
        clientPort: clientPortOf(id),
      })),
      dataDir: `/sim/n${spec.id}`,
      mysql: {
        url: 'mysql://root@sim/',
        database: `raftboard_n${spec.id}`,
        queryTimeoutMs: k.queryTimeoutMs,
        stalledAfterMs: k.stalledAfterMs,
      },
      secretFile: '/sim/secret',
      tokenFile: '/sim/token',
      listenHost: SIM_HOST,
      timers: {
        tickMs: k.tickMs,
        electionTicks: k.electionTicks,
        heartbeatTicks: k.heartbeatTicks,
      },
      bootstrapVoters: [...spec.bootstrapVoters],
      snapshotEntries: k.snapshotEntries,
      catchUpEntries: k.catchUpEntries,
      requestTimeoutMs: k.requestTimeoutMs,
      logLevel: 'debug',
    },
    '/',
  );
}
