/**
 * One seeded run of K production nodes (`npm run sim -- --driver node`): per-seed knobs, clients,
 * the fault scheduler for `steps` events, then heal and the final checks. The seed decides
 * everything, so the same seed replays the same run and the same trace.
 */
import type { Violation } from '../invariants.js';
import { NODE_DEFAULT_NODES, NODE_DEFAULT_STEPS } from './defaults.js';
import { SimRng } from '../rng.js';
import { emptyClientStats, NodeClients, type ClientStats } from './clients.js';
import { describeError, NodeSimCluster } from './cluster.js';
import { drawKnobs } from './config.js';
import { NodeFaultScheduler, type FaultCounts } from './faults.js';
import { finalPhase } from './final.js';
import type { Clock } from '../../node/clock.js';
import type { SimIoFactory } from './io.js';
import { simIo } from './sim-io.js';
import { isFailpointCrash } from './failpoints.js';
import type { MakeSimNode } from './node-api.js';

export { NODE_DEFAULT_NODES, NODE_DEFAULT_STEPS };

export interface NodeRunOptions {
  readonly seed: number;
  /** Voters at start (3 or 5 make sense). */
  readonly nodes?: number;
  /** Events in the fault phase (the final phase comes on top). */
  readonly steps?: number;
  /** Inject faults (default true). */
  readonly faults?: boolean;
  readonly trace?: boolean;
  /** The simulated disks and databases (default: cluster/sim/io's). */
  readonly io?: (clock: Clock) => SimIoFactory;
  /** Fault kinds to leave out (faults.ts ACTIONS), e.g. to look past a known bug. */
  readonly skipFaults?: readonly string[];
  /** Builds each node (default: the production RaftNode; test/planted has buggy variants). */
  readonly makeNode?: MakeSimNode;
  /** Sees the cluster once built (tests and debugging look inside). */
  readonly inspect?: (cluster: NodeSimCluster) => void;
  /** Clients running the workload. Default 5. */
  readonly clients?: number;
  /** Also run the side workload (projects, subtasks, recurrence: clients.ts). Default true. */
  readonly sideWrites?: boolean;
}

export interface NodeRunResult {
  readonly seed: number;
  readonly steps: number;
  readonly simMs: number;
  /** At most one: a run stops at its first violation. */
  readonly violations: Violation[];
  readonly stats: {
    readonly clients: ClientStats;
    readonly acked: number;
    readonly applied: number;
    readonly leaders: number;
    readonly messages: number;
    readonly faults: FaultCounts;
    readonly deaths: number;
    readonly refusals: number;
    readonly membershipChanges: number;
    readonly historyOps: number;
    readonly checkUnknown: boolean;
  };
  readonly trace?: readonly string[];
}

export async function runNodeSeed(opts: NodeRunOptions): Promise<NodeRunResult> {
  const { seed } = opts;
  const nodes = opts.nodes ?? NODE_DEFAULT_NODES;
  const knobs = drawKnobs(new SimRng(seed, 'knobs'));
  const c = new NodeSimCluster({
    seed,
    nodes,
    knobs,
    io: opts.io ?? ((clock) => simIo(seed, clock, knobs.queryTimeoutMs)),
    trace: opts.trace === true,
    makeNode: opts.makeNode,
  });
  opts.inspect?.(c);
  c.note(
    `seed ${seed}: ${nodes} production nodes, knobs ${JSON.stringify(knobs)}, ` +
      `faults: ${opts.faults === false ? 'none' : 'on'}`,
  );
  const onRejection = (reason: unknown): void => {
    // A failpoint fired inside a promise chain of its process: that machine's death.
    if (isFailpointCrash(reason)) return;
    if (c.checks.ok) c.checks.fail('exception', `unhandled rejection: ${describeError(reason)}`);
  };
  process.on('unhandledRejection', onRejection);
  const steps = opts.steps ?? NODE_DEFAULT_STEPS;
  let clients: NodeClients | undefined;
  let faults: NodeFaultScheduler | undefined;
  let historyOps = 0;
  let checkUnknown = false;
  try {
    for (const m of c.members.values()) await c.start(m);
    clients = new NodeClients(
      c,
      new SimRng(seed, 'clients'),
      opts.clients ?? 5,
      opts.sideWrites === false ? undefined : new SimRng(seed, 'side-writes'),
    );
    if (opts.faults !== false) {
      faults = new NodeFaultScheduler(
        c,
        new SimRng(seed, 'faults'),
        { min: 30, max: 500 },
        new Set(opts.skipFaults ?? []),
      );
    }
    while (c.steps < steps && c.checks.ok && (await c.step()));
    if (c.checks.ok) {
      clients.stop();
      faults?.healAll();
      const r = await finalPhase(c, clients, faults?.membership);
      historyOps = r.ops;
      checkUnknown = r.unknown;
    }
  } catch (e) {
    c.checks.fail('exception', describeError(e));
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  const counts = c.network.messageCounts();
  return {
    seed,
    steps: c.steps,
    simMs: c.now,
    violations: c.checks.violations.slice(0, 1),
    stats: {
      clients: clients?.stats ?? emptyClientStats(),
      acked: c.checks.acked,
      applied: c.checks.invariants.highestApplied,
      leaders: c.checks.invariants.leaderTerms,
      messages: counts.sent,
      faults: faults?.counts ?? {},
      deaths: c.deaths,
      refusals: c.refusals,
      membershipChanges: faults?.membership.changes ?? 0,
      historyOps,
      checkUnknown,
    },
    trace: opts.trace === true ? c.traceLines() : undefined,
  };
}
