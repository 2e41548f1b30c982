/**
 * The shape of `bench-results/bench.json`: one `SystemResult` per system, the ratios between
 * them and each target with its verdict. A scenario that was not selected is absent; one that
 * failed carries its error instead of numbers.
 */
import type { LoadResult } from '../load/generator.js';
import type { SystemName } from '../targets/target.js';

export type ScenarioName =
  'writes' | 'reads' | 'steady' | 'memory' | 'catchup' | 'failover' | 'coldstart';

export const SCENARIOS: readonly ScenarioName[] = [
  'writes',
  'reads',
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
  readonly kind: 'node' | 'mysql' | 'etcd';
  /** Resident set size when the memory step ran (after the write and read load). */
  readonly rssMb: number;
  /** The highest resident size sampled (every second) over the whole run. */
  readonly peakRssMb: number;
}

export interface SystemResult {
  readonly system: SystemName;
  /** Empty data dir → ready (accepts writes). */
  readonly coldStartFreshMs: number;
  readonly writes?: readonly LoadResult[];
  readonly reads?: { readonly linearizable: LoadResult; readonly stale: LoadResult };
  readonly steady?: SteadyResult;
  readonly memory?: readonly ProcessMemory[];
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
