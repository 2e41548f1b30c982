/**
 * Speed of the linearizability checker (issue 6 §1: "a 10,000-operation history from 8 clients
 * checks in under 10 s on this machine").
 *
 * Histories come from `synthesize`: 8 sequential clients with random latencies over ~50 live
 * tasks, 5% of answers lost (outcome unknown, half of those writes applied). Measured: the whole
 * `checkHistory` call — partitioning, the search and, for the mutated history, shrinking and
 * explaining the counterexample. Hotter shapes (5 tasks, 1 task) show how contention costs.
 *
 * Run: npx tsc -p tsconfig.json && node build/test/bench/verify.bench.js
 *      (prints a table; writes bench-results/verify.json and verify.md)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { SimRng } from '../../cluster/sim/rng.js';
import {
  checkHistory,
  synthesize,
  taskIdOf,
  type Op,
  type SynthOptions,
} from '../../cluster/verify/index.js';
import { mutateRead } from '../verify/mutate.js';

const TARGET_MS = 10_000;
const SEEDS = [1, 2, 3, 4, 5];

interface Row {
  readonly name: string;
  readonly ops: number;
  readonly tasks: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly verdict: string;
  readonly target?: string;
}

function time(ops: readonly Op[]): { ms: number; verdict: string } {
  const start = performance.now();
  const r = checkHistory(ops);
  const ms = performance.now() - start;
  const verdict =
    r.ok === true
      ? 'linearizable'
      : r.ok === false
        ? `anomaly on ${r.taskId} (${r.counterexample.length} ops${r.minimal ? '' : ', not minimal'})`
        : `unknown: ${r.reason}`;
  return { ms, verdict };
}

function measure(
  name: string,
  shape: Omit<SynthOptions, 'seed'>,
  mutate: boolean,
  target?: string,
): Row {
  const times: number[] = [];
  const verdicts = new Set<string>();
  let tasks = 0;
  for (const seed of SEEDS) {
    let ops = synthesize({ seed, ...shape });
    tasks = new Set(ops.map(taskIdOf)).size;
    if (mutate) ops = mutateObservably(ops, seed);
    const { ms, verdict } = time(ops);
    times.push(ms);
    verdicts.add(verdict.replace(/ on \S+/, ''));
  }
  times.sort((a, b) => a - b);
  return {
    name,
    ops: shape.ops,
    tasks,
    medianMs: Math.round(times[Math.floor(times.length / 2)]),
    maxMs: Math.round(times[times.length - 1]),
    verdict: [...verdicts].join(' / '),
    target,
  };
}

/** A history with one read changed in a way no linearization can explain. */
function mutateObservably(ops: Op[], seed: number): Op[] {
  const rng = new SimRng(seed, 'bench-mutate');
  for (let attempt = 0; attempt < 100; attempt++) {
    const m = mutateRead(ops, rng);
    if (m?.observable) return m.ops;
  }
  throw new Error(`seed ${seed}: no observable mutation found`);
}

function main(): void {
  // Deletes are rare so the ~50 tasks live long: ~200 operations each, the hard part for the search.
  const base = {
    ops: 10_000,
    clients: 8,
    tasks: 50,
    unknownRate: 0.05,
    latencyMs: 20,
    deleteRate: 0.001,
  };
  // Warm up the JIT so the first measured row is not penalised.
  checkHistory(synthesize({ seed: 99, ...base, ops: 2_000 }));
  // Every client on one task: the most overlap per task; then with many answers lost.
  const hot = { ...base, tasks: 1, deleteRate: 0 };
  const lossy = { ...hot, unknownRate: 0.2, latencyMs: 100 };
  const rows: Row[] = [
    measure('10k ops, 8 clients, ~50 tasks, 5% unknown', base, false, `< ${TARGET_MS / 1000} s`),
    measure(
      'same, one read mutated (find + shrink + explain)',
      base,
      true,
      `< ${TARGET_MS / 1000} s`,
    ),
    measure('10k ops, 8 clients, ~5 tasks, 5% unknown', { ...base, tasks: 5 }, false),
    measure('10k ops, 8 clients, 1 task, 5% unknown', hot, false),
    measure('same, one read mutated', hot, true),
    measure(
      '10k ops, 8 clients, ~50 tasks, 5% deletes (churn)',
      { ...base, deleteRate: 0.05 },
      false,
    ),
    measure('10k ops, 8 clients, 1 task, 20% unknown, 5× latency', lossy, false),
    measure('same, one read mutated', lossy, true),
  ];
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}`;
  const lines = [
    `# Linearizability checker benchmark`,
    ``,
    `Machine: ${machine}. Date: ${new Date().toISOString()}. Seeds: ${SEEDS.join(', ')}.`,
    ``,
    `| history | ops | task ids | check time (median) | max | verdict | target |`,
    `|---|---:|---:|---:|---:|---|---|`,
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.ops.toLocaleString('en-US')} | ${r.tasks} | ${r.medianMs.toLocaleString('en-US')} ms | ${r.maxMs.toLocaleString('en-US')} ms | ${r.verdict} | ${r.target ?? ''} |`,
    ),
  ];
  console.log(lines.join('\n'));
  const worst = Math.max(...rows.filter((r) => r.target).map((r) => r.maxMs));
  const verdict = worst < TARGET_MS ? 'met' : 'NOT met';
  console.log(`\nchecker target < ${TARGET_MS} ms for 10k ops: ${verdict} (worst ${worst} ms)`);
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/verify.md', lines.join('\n') + '\n');
  writeFileSync(
    'bench-results/verify.json',
    JSON.stringify({ machine, seeds: SEEDS, rows, verdict }, null, 2) + '\n',
  );
}

main();
