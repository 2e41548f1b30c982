import { FuzzClients } from './clients.js';
import { SimCluster } from './cluster.js';
import { FaultScheduler, type FaultProfile } from './faults.js';
import type { Violation } from './invariants.js';
import { checkDurability, healAndCheckLiveness } from './liveness.js';
import type { MakeDriver, MakeNode, NodeConfig } from './node.js';
import { SimRng } from './rng.js';

export const DEFAULT_STEPS = 6000;

export interface FuzzOptions {
  readonly seed: number;
  /** Voters at start. Default 5. */
  readonly nodes?: number;
  /** Events in the fault phase (the liveness and durability phases come on top). */
  readonly steps?: number;
  /** Inject faults; without them only clients run. Default true. */
  readonly faults?: boolean;
  readonly makeNode?: MakeNode;
  readonly driver?: MakeDriver;
  /** Force a fault profile instead of the seed's choice. */
  readonly profile?: FaultProfile;
  /** Core config overrides, applied on top of the seed's random knobs. */
  readonly config?: Partial<NodeConfig>;
  /** Record the readable trace (slower; the runner turns it on to replay a failing seed). */
  readonly trace?: boolean;
}

export interface FuzzResult {
  readonly seed: number;
  /** Events processed in all phases. */
  readonly steps: number;
  /** Simulated time covered. */
  readonly simMs: number;
  /** At most one: a run stops at its first violation. */
  readonly violations: Violation[];
  /** Writes acknowledged, reads served, terms with a leader, highest applied index. */
  readonly stats: {
    acked: number;
    reads: number;
    elections: number;
    applied: number;
    messages: number;
    snapshotChunks: number;
    profile: FaultProfile;
  };
  readonly trace?: readonly string[];
}

/**
 * One seeded run: a cluster with per-seed knobs (small append batches and inflight windows to
 * stress pipelining, snapshot frequency, chunk size), clients writing and reading, a fault
 * scheduler, then heal + liveness + durability. The seed decides everything, so the same seed
 * always replays the same run (and the same trace).
 */
export function runSeed(opts: FuzzOptions): FuzzResult {
  const seed = opts.seed;
  const knobs = new SimRng(seed, 'knobs');
  const config: { -readonly [K in keyof NodeConfig]?: NodeConfig[K] } = {};
  // Small batches split a new leader's entries across messages, so old-term entries can reach a
  // majority before the leader's own no-op does (Figure 8's setting).
  if (knobs.chance(0.5)) config.maxEntriesPerMsg = knobs.pick([1, 1, 2, 3]);
  // Short election timeouts and sparse heartbeats: more elections per simulated second and per
  // step (heartbeats are most of the events), and elections racing slow messages.
  config.electionTick = knobs.pick([5, 6, 8, 10]);
  config.heartbeatTick = knobs.range(1, Math.min(3, config.electionTick - 2));
  if (knobs.chance(0.3)) config.maxInflightMsgs = knobs.range(1, 4);
  if (knobs.chance(0.2)) config.maxBytesPerMsg = knobs.range(1, 40);
  if (knobs.chance(0.3)) config.snapshotChunkSize = knobs.range(16, 128);
  const snapshotEvery = knobs.chance(0.7) ? knobs.range(4, 40) : 0;
  const snapshotTail = knobs.range(0, 6);
  // The core must be safe without its optional election refinements too.
  if (knobs.chance(0.2)) config.preVote = false;
  if (knobs.chance(0.2)) config.checkQuorum = false;
  const seedProfile = knobs.pick<FaultProfile>(['mixed', 'mixed', 'churn', 'churn', 'orphans']);
  const profile = opts.profile ?? seedProfile;
  Object.assign(config, opts.config);

  const cluster = new SimCluster({
    nodes: opts.nodes ?? 5,
    seed,
    config,
    snapshotEvery,
    snapshotTail,
    makeNode: opts.makeNode,
    driver: opts.driver,
    trace: opts.trace,
    throwOnViolation: false,
  });
  if (opts.trace) {
    cluster.note(
      `seed ${seed}: ${opts.nodes ?? 5} nodes, config ${JSON.stringify(config)}, ` +
        `snapshot every ${snapshotEvery || 'never'} (tail ${snapshotTail}), faults: ${opts.faults === false ? 'none' : profile}`,
    );
  }
  const steps = opts.steps ?? DEFAULT_STEPS;
  const clients = new FuzzClients(cluster, new SimRng(seed, 'clients'), 5);
  const faults =
    opts.faults === false
      ? undefined
      : new FaultScheduler(cluster, new SimRng(seed, 'faults'), {
          profile,
          minGapMs: 20,
          maxGapMs: 400,
          extraNodes: 3,
        });

  const c = cluster.checker;
  try {
    while (cluster.steps < steps && c.ok && cluster.step());
    if (c.ok) {
      faults?.stop();
      clients.stop();
      cluster.note('--- fault phase over: heal, restart everyone, expect progress ---');
      if (healAndCheckLiveness(cluster))
        checkDurability(cluster, 10 * cluster.config.electionTick * cluster.tickMs);
    }
  } catch (e) {
    // The core (or a test-only variant) threw: as bad as a broken invariant.
    const err = e as Error;
    const where = (err.stack ?? '')
      .split('\n')
      .slice(1, 4)
      .map((l) => l.trim())
      .join(' | ');
    c.fail('exception', `${err.name}: ${err.message}${where ? ` (${where})` : ''}`);
  }
  return {
    seed,
    steps: cluster.steps,
    simMs: cluster.now,
    violations: c.violations.slice(0, 1),
    stats: {
      acked: c.ackedCount,
      reads: cluster.readsServed,
      elections: c.leaderTerms,
      applied: c.highestApplied,
      messages: cluster.messageCount().sent,
      snapshotChunks: cluster.messageCount().byType.snap ?? 0,
      profile,
    },
    trace: opts.trace ? cluster.traceLines() : undefined,
  };
}
