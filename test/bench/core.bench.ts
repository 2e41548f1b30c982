/**
 * Speed of the pure Raft core (issue: "≥ 200,000 committed entries/s in one process").
 *
 * Three RawNodes over MemoryStorage, messages delivered synchronously with zero delay, so the
 * only cost measured is the core itself (plus the in-memory "disk"). Proposals are batched the
 * way the node process batches concurrent client requests. A second part measures the
 * deterministic simulator's speed in steps per second.
 *
 * Run: npm run bench:core   (prints a table; writes bench-results/core.json and core.md)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { DEFAULT_CONFIG, MemoryStorage, RawNode, type Message } from '../../cluster/raft/index.js';
import { runSeed } from '../../cluster/sim/fuzz.js';

const TARGET_ENTRIES_PER_SEC = 200_000;

interface Row {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
}

function lcg(seed: number): { int(n: number): number } {
  let s = seed >>> 0;
  return {
    int(n: number): number {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    },
  };
}

/** A zero-delay, synchronous 3-node cluster: persist, send, apply, advance — until quiet. */
class ZeroDelayCluster {
  readonly stores: MemoryStorage[];
  readonly nodes: RawNode[];
  applied = 0;

  constructor(n: number) {
    const voters = Array.from({ length: n }, (_, i) => i + 1);
    this.stores = voters.map(() => new MemoryStorage({ voters, learners: [] }));
    this.nodes = voters.map(
      (id) => new RawNode({ ...DEFAULT_CONFIG, id, rng: lcg(id) }, this.stores[id - 1]),
    );
  }

  pump(): void {
    let queue: Message[] = [];
    for (;;) {
      let busy = false;
      this.nodes.forEach((node, i) => {
        if (!node.hasReady()) return;
        busy = true;
        const rd = node.ready();
        if (rd.entries.length > 0) this.stores[i].append(rd.entries);
        if (rd.hardState) this.stores[i].setHardState(rd.hardState);
        for (const m of rd.messages) queue.push(m);
        if (i === 0) this.applied += rd.committedEntries.length;
        node.advance();
      });
      const batch = queue;
      queue = [];
      for (const m of batch) this.nodes[m.to - 1].step(m);
      if (!busy && batch.length === 0) return;
    }
  }

  electFirst(): RawNode {
    this.nodes[0].campaign();
    this.pump();
    if (this.nodes[0].status().role !== 'leader') throw new Error('node 1 did not become leader');
    return this.nodes[0];
  }

  /** Keeps the in-memory log from growing without bound during long runs. */
  compact(): void {
    this.nodes.forEach((node, i) => {
      const applied = node.status().applied;
      this.stores[i].createSnapshot(applied, node.status().conf, '');
      this.stores[i].compact(applied);
    });
  }
}

function measureCore(batch: number, entryBytes: number, seconds: number): number {
  const cluster = new ZeroDelayCluster(3);
  const leader = cluster.electFirst();
  const payload = 'x'.repeat(entryBytes);
  const commands = Array.from({ length: batch }, () => payload);
  const startApplied = cluster.applied;
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < seconds * 1000) {
    leader.proposeBatch(commands);
    cluster.pump();
    if (++rounds % 200 === 0) cluster.compact();
  }
  const elapsed = (performance.now() - start) / 1000;
  return (cluster.applied - startApplied) / elapsed;
}

function measureSim(seeds: number, nodes: number): { stepsPerSec: number; seedsPerSec: number } {
  let steps = 0;
  const start = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runSeed({ seed, nodes, faults: true });
    steps += result.steps;
    if (result.violations.length > 0)
      throw new Error(`seed ${seed}: ${result.violations[0].message}`);
  }
  const elapsed = (performance.now() - start) / 1000;
  return { stepsPerSec: steps / elapsed, seedsPerSec: seeds / elapsed };
}

function main(): void {
  const rows: Row[] = [];
  // Warm up the JIT so the first measured configuration is not penalised.
  measureCore(100, 64, 0.5);
  for (const [batch, bytes] of [
    [1, 64],
    [16, 64],
    [100, 64],
    [100, 1024],
  ] as const) {
    const rate = measureCore(batch, bytes, 2);
    rows.push({
      name: `core, 3 nodes, zero delay: batch ${batch} × ${bytes} B`,
      value: Math.round(rate),
      unit: 'committed entries/s',
      target: batch >= 16 ? `≥ ${TARGET_ENTRIES_PER_SEC.toLocaleString('en-US')}` : undefined,
    });
  }
  const sim = measureSim(200, 5);
  rows.push({
    name: 'simulator, 5 nodes, faults on',
    value: Math.round(sim.stepsPerSec),
    unit: 'steps/s',
  });
  rows.push({
    name: 'simulator, 5 nodes, faults on',
    value: Math.round(sim.seedsPerSec * 60),
    unit: 'seeds/min',
  });

  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}`;
  const lines = [
    `# Raft core benchmark`,
    ``,
    `Machine: ${machine}. Date: ${new Date().toISOString()}.`,
    ``,
    `| measurement | value | unit | target |`,
    `|---|---:|---|---|`,
    ...rows.map(
      (r) => `| ${r.name} | ${r.value.toLocaleString('en-US')} | ${r.unit} | ${r.target ?? ''} |`,
    ),
  ];
  console.log(lines.join('\n'));
  const best = Math.max(...rows.filter((r) => r.target).map((r) => r.value));
  const verdict = best >= TARGET_ENTRIES_PER_SEC ? 'met' : 'NOT met';
  console.log(
    `\ncore target ${TARGET_ENTRIES_PER_SEC} committed entries/s: ${verdict} (best ${best})`,
  );
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/core.md', lines.join('\n') + '\n');
  writeFileSync(
    'bench-results/core.json',
    JSON.stringify({ machine, rows, verdict }, null, 2) + '\n',
  );
}

main();
