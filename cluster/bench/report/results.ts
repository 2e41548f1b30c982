/**
 * The shape of `bench-results/bench.json`: one `SystemResult` per system, the ratios between
 * them and each target with its verdict. A scenario that was not selected is absent; one that
 * failed carries its error instead of numbers.
 */
import type { LoadResult } from '../load/generator.js';
import type { SystemName } from '../targets/target.js';

export type ScenarioName =
  'writes' | 'reads' | 'metrics' | 'steady' | 'memory' | 'catchup' | 'failover' | 'coldstart';

export const SCENARIOS: readonly ScenarioName[] = [
  'writes',
  'reads',
  'metrics',
  'steady',
  'memory',
  'catchup',
  'failover',
  'coldstart',
];

export interface FailoverResult {
  readonly trials: number;
  /** Kill of the leader → first acknowledged write through another member, per trial. */
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly p99Ms: number;
  /** Trials with no acknowledged write within the trial's limit. */
  readonly failed: number;
}

export interface SteadyResult {
  readonly seconds: number;
  readonly clients: number;
  /** Term increments seen across the members during the load (each is an election). */
  readonly elections: number;
  readonly writesPerSec: number;
  readonly errors: number;
}

export interface CatchupResult {
  readonly entries: number;
  /** Restart of the stopped follower → its applied index reaches the leader's commit index. */
  readonly ms: number;
  /** The part of `ms` after its process was running (listening). */
  readonly afterRunningMs: number;
}

export interface ProcessMemory {
  readonly label: string;
  readonly kind: 'supervisor' | 'node' | 'mysql' | 'etcd';
  /** Resident set size after the cluster started, before any load; undefined if not running then. */
  readonly idleRssMb?: number;
  /** Resident set size when the memory step ran (after the write and read load). */
  readonly rssMb: number;
  /** The highest resident size sampled (every second) over the whole run. */
  readonly peakRssMb: number;
}

/** The whole system's resident memory: every process of `memory` added up. */
export interface Footprint {
  /** After the start, before any load. */
  readonly idleMb: number;
  /** The highest sum of one sample (every second) over the run: the processes at the same time. */
  readonly peakMb: number;
  /** Log entries the leader had committed by the end of the fault scenarios (one per write). */
  readonly entries: number;
}

/**
 * Elections (term increments, the highest term any member reports) during each scenario that ran
 * and over the whole run. Failover and coldstart cause them on purpose; every other one is
 * unprovoked.
 */
export interface ElectionsResult {
  readonly total: number;
  readonly byScenario: Readonly<Partial<Record<ScenarioName, number>>>;
  /** The total without the scenarios that kill or stop the leader (failover, coldstart). */
  readonly unprovoked: number;
}

/**
 * "What a person sees": the commit latency of the Metrics tab is the time the window's own writes
 * take through the supervisor's control API (`POST /api/tasks`, relayed to the leader) until
 * their answer. The bench sends the same writes (idempotency key included, as the UI does) over
 * the same interval to the control API and directly to the leader, one client each.
 */
export interface MetricsTabResult {
  readonly seconds: number;
  readonly viaControlApi: LoadResult;
  readonly direct: LoadResult;
  /** viaControlApi p50 ÷ direct p50. */
  readonly ratio: number;
}

export interface SystemResult {
  readonly system: SystemName;
  /** Empty data dir → ready (accepts writes). */
  readonly coldStartFreshMs: number;
  readonly writes?: readonly LoadResult[];
  readonly reads?: { readonly linearizable: LoadResult; readonly stale: LoadResult };
  readonly metricsTab?: MetricsTabResult;
  readonly steady?: SteadyResult;
  readonly memory?: readonly ProcessMemory[];
  readonly footprint?: Footprint;
  readonly elections?: ElectionsResult;
  readonly catchup?: CatchupResult;
  readonly failover?: FailoverResult;
  /** Every member stopped, then started on its existing data → ready. */
  readonly coldStartExistingMs?: number;
  /** Scenario → why it failed. */
  readonly errors: Readonly<Partial<Record<ScenarioName | 'start', string>>>;
}

export interface Ratio {
  readonly name: string;
  /** raftboard ÷ etcd */
  readonly value: number;
  readonly raftboard: number;
  readonly etcd: number;
  readonly unit: string;
}

export interface TargetCheck {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** "≥ 1.0×", "≤ 500 ms" */
  readonly target: string;
  readonly met: boolean;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average at the start and at the end of the run. */
  readonly loadAvgStart: number;
  readonly loadAvgEnd: number;
  readonly etcdVersion?: string;
  readonly mysqlVersion?: string;
}

export interface BenchReport {
  readonly date: string;
  readonly durationS: number;
  readonly machine: Machine;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  readonly systems: readonly SystemResult[];
  readonly ratios: readonly Ratio[];
  readonly targets: readonly TargetCheck[];
}
