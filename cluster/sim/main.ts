/**
 * The simulator's command line: `npm run sim -- [--driver core|node] --seeds N [--nodes K]
 * [--steps S] [--seed X] [--trace] [--workers W] [--verbose]`. Sweeps seeds 1..N across worker
 * threads (seed i goes to worker i mod W, so the split is deterministic), replays the first
 * failing seed with the trace on, and ends with exactly one line:
 * `simulated N seeds, T steps, V invariant violations`. Nothing is written to disk.
 *
 * `--driver core` (the default) runs the pure Raft core (fuzz.ts); `--driver node` runs K
 * production RaftNodes over simulated disks, databases and network (node-driver/run.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_STEPS, runSeed } from './fuzz.js';
import type { Violation } from './invariants.js';
import { NODE_DEFAULT_NODES, NODE_DEFAULT_STEPS } from './node-driver/defaults.js';

type Driver = 'core' | 'node';

interface Args {
  driver: Driver;
  /** Node driver: fault kinds left out (to look past a known bug). */
  skip: string[];
  seeds: number;
  nodes: number;
  steps: number;
  seed?: number;
  trace: boolean;
  workers: number;
  verbose: boolean;
}

/** What a worker is given. */
interface WorkerJob {
  seeds: number[];
  driver: Driver;
  skip: string[];
  nodes: number;
  steps: number;
}

/** What one seed's run gives back, whichever the driver. */
interface RunOutcome {
  readonly steps: number;
  readonly violations: readonly Violation[];
  readonly trace?: readonly string[];
}

/** What a worker reports per seed. */
interface SeedReport {
  seed: number;
  steps: number;
  violation?: Violation;
}

const TRACE_TAIL = 150;
const HEARTBEAT = /\bhb(Resp)? t\d+/;

function usage(msg: string): never {
  console.error(msg);
  console.error(
    'usage: npm run sim -- [--driver core|node] [--seeds N] [--nodes K] [--steps S] [--seed X] [--skip FAULT,...] [--trace] [--workers W] [--verbose]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    driver: 'core',
    skip: [],
    seeds: 100,
    nodes: 0,
    steps: 0,
    trace: false,
    workers: Math.max(1, availableParallelism()),
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const int = (min: number): number => {
      const v = argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < min)
        usage(`${flag} needs an integer ≥ ${min}`);
      return n;
    };
    switch (flag) {
      case '--driver': {
        const d = argv[++i];
        if (d !== 'core' && d !== 'node') usage('--driver is core or node');
        a.driver = d;
        break;
      }
      case '--skip': {
        const v = argv[++i];
        if (v === undefined || v === '') usage('--skip needs fault kinds, e.g. freeze,diskEio');
        a.skip = v.split(',');
        break;
      }
      case '--seeds':
        a.seeds = int(1);
        break;
      case '--nodes':
        a.nodes = int(1);
        break;
      case '--steps':
        a.steps = int(1);
        break;
      case '--seed':
        a.seed = int(0);
        break;
      case '--workers':
        a.workers = int(1);
        break;
      case '--trace':
        a.trace = true;
        break;
      case '--verbose':
        a.verbose = true;
        break;
      case '--help':
      case '-h':
        usage('Deterministic simulation of the Raft core (--driver node: of the production node).');
      // falls through (usage exits)
      default:
        usage(`unknown option ${flag}`);
    }
  }
  if (a.nodes > 9) usage('--nodes is at most 9');
  if (a.skip.length > 0 && a.driver !== 'node') usage('--skip is for --driver node');
  // Each driver has its own defaults: the node driver's events are heavier.
  if (a.nodes === 0) a.nodes = a.driver === 'node' ? NODE_DEFAULT_NODES : 5;
  if (a.steps === 0) a.steps = a.driver === 'node' ? NODE_DEFAULT_STEPS : DEFAULT_STEPS;
  return a;
}

function reproduceCommand(a: Args, seed: number): string {
  const driver = a.driver === 'core' ? '' : ` --driver ${a.driver}`;
  const skip = a.skip.length > 0 ? ` --skip ${a.skip.join(',')}` : '';
  return `npm run sim --${driver} --seed ${seed} --nodes ${a.nodes} --steps ${a.steps}${skip} --trace`;
}

/** One seed with the chosen driver (the node driver is loaded only when asked for). */
async function runOne(
  job: Pick<WorkerJob, 'driver' | 'nodes' | 'steps' | 'skip'>,
  seed: number,
  trace = false,
): Promise<RunOutcome> {
  const { driver, nodes, steps } = job;
  if (driver === 'core') return runSeed({ seed, nodes, steps, trace });
  const { runNodeSeed } = await import('./node-driver/run.js');
  return runNodeSeed({ seed, nodes, steps, trace, skipFaults: job.skip });
}

function describe(v: Violation): string {
  return `[${v.kind}] ${v.message} (step ${v.step}, t=${v.time}ms)`;
}

/** Replays a failing seed with the trace on and prints what reproduces it. */
async function explainFailure(a: Args, seed: number, full: boolean): Promise<void> {
  const r = await runOne(a, seed, true);
  const lines = r.trace ?? [];
  // Heartbeats are most of a trace and rarely the story: the tail leaves them out.
  const story = full ? lines : lines.filter((l) => !HEARTBEAT.test(l));
  const shown = full ? lines : story.slice(Math.max(0, story.length - TRACE_TAIL));
  console.log(
    full
      ? `trace of seed ${seed} (${lines.length} lines):`
      : `trace of seed ${seed}, last ${shown.length} of ${lines.length} lines (heartbeats left out; --trace shows all):`,
  );
  for (const l of shown) console.log(`  ${l}`);
  const v = r.violations[0];
  if (v) console.log(`seed ${seed}: VIOLATION ${describe(v)}`);
  else
    console.log(
      `seed ${seed}: the traced replay did not reproduce the violation (a determinism bug in the simulator)`,
    );
  console.log(`reproduce: ${reproduceCommand(a, seed)}`);
}

async function runInline(
  seeds: number[],
  a: Args,
  onReport: (r: SeedReport) => void,
): Promise<void> {
  for (const seed of seeds) {
    const r = await runOne(a, seed);
    onReport({ seed, steps: r.steps, violation: r.violations[0] });
  }
}

function runWorkers(seeds: number[], a: Args, onReport: (r: SeedReport) => void): Promise<void> {
  const w = Math.min(a.workers, seeds.length);
  const jobs: Promise<void>[] = [];
  for (let k = 0; k < w; k++) {
    const mine = seeds.filter((_, i) => i % w === k);
    jobs.push(
      new Promise((resolve, reject) => {
        const job: WorkerJob = {
          seeds: mine,
          driver: a.driver,
          skip: a.skip,
          nodes: a.nodes,
          steps: a.steps,
        };
        const worker = new Worker(new URL(import.meta.url), { workerData: job });
        worker.on('message', (r: SeedReport) => onReport(r));
        worker.on('error', reject);
        worker.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`)),
        );
      }),
    );
  }
  return Promise.all(jobs).then(() => undefined);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const seeds = a.seed !== undefined ? [a.seed] : Array.from({ length: a.seeds }, (_, i) => i + 1);
  const started = performance.now();
  let done = 0;
  let totalSteps = 0;
  const failures: SeedReport[] = [];
  let lastProgress = started;
  const onReport = (r: SeedReport): void => {
    done++;
    totalSteps += r.steps;
    if (r.violation) failures.push(r);
    const now = performance.now();
    if (a.verbose && now - lastProgress > 2000) {
      lastProgress = now;
      console.log(
        `... ${done}/${seeds.length} seeds, ${totalSteps} steps, ${failures.length} violations`,
      );
    }
  };

  if (a.seed !== undefined && a.trace) {
    // One seed with its whole trace.
    const r = await runOne(a, a.seed, true);
    for (const l of r.trace ?? []) console.log(l);
    onReport({ seed: a.seed, steps: r.steps, violation: r.violations[0] });
    if (r.violations[0]) {
      console.log(`seed ${a.seed}: VIOLATION ${describe(r.violations[0])}`);
      console.log(`reproduce: ${reproduceCommand(a, a.seed)}`);
    }
  } else {
    if (a.workers <= 1 || seeds.length === 1) await runInline(seeds, a, onReport);
    else await runWorkers(seeds, a, onReport);
    const secs = (performance.now() - started) / 1000;
    console.log(
      `${seeds.length} seeds of ${a.nodes} nodes in ${secs.toFixed(1)} s ` +
        `(${(seeds.length / secs).toFixed(1)} seeds/s, ${Math.round(totalSteps / secs)} steps/s)`,
    );
    if (failures.length > 0) {
      failures.sort((x, y) => x.seed - y.seed);
      console.log(`failing seeds: ${failures.map((f) => f.seed).join(', ')}`);
      const first = failures[0];
      console.log(`first failing seed ${first.seed}: ${describe(first.violation!)}`);
      await explainFailure(a, first.seed, false);
    }
  }
  console.log(
    `simulated ${seeds.length} seeds, ${totalSteps} steps, ${failures.length} invariant violations`,
  );
  if (failures.length > 0) process.exitCode = 1;
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(2);
  });
} else {
  const job = workerData as WorkerJob;
  void (async () => {
    for (const seed of job.seeds) {
      const r = await runOne(job, seed);
      const report: SeedReport = { seed, steps: r.steps, violation: r.violations[0] };
      parentPort!.postMessage(report);
    }
  })();
}
