/**
 * Write throughput and latency through the client API of a real 3-node cluster (node processes,
 * TCP, WAL with fdatasync, a throwaway MariaDB), at 1, 16 and 64 concurrent clients. Concurrent
 * requests share Raft appends and MySQL transactions, so throughput should grow with
 * concurrency. A script, not a test: it prints a table and writes bench-results/node-writes.*.
 *
 * Run: npm run build:node && node build/test/bench/node-writes.bench.js [--seconds 5]
 *      [--clients 1,16,64] [--out bench-results/node-writes]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startMariaDb } from '../../db/provision/mariadb.js';
import { startCluster } from '../cluster/harness/start.js';

interface Row {
  readonly clients: number;
  readonly writesPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Terms the leader went through during the row (0 = no election). */
  readonly elections: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      clients: { type: 'string', default: '1,16,64' },
      out: { type: 'string', default: 'bench-results/node-writes' },
    },
  });
  const seconds = Number(values.seconds);
  const levels = values.clients.split(',').map(Number);
  if (!(seconds > 0) || levels.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new Error('--seconds must be positive and --clients a list of positive integers');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'raftboard-bench-'));
  const mysql = await startMariaDb({ dataDir: path.join(dir, 'mysql'), port: await freePort() });
  const rows: Row[] = [];
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  try {
    cluster = await startCluster({ mysqlUrls: mysql.url, label: 'bench' });
    const leader = await cluster.leader();
    const client = cluster.client(leader);
    let seq = 0;
    for (const clients of levels) {
      const termBefore = (await cluster.ipcStatus(leader)).term;
      const latencies: number[] = [];
      let errors = 0;
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() < until) {
            const t0 = performance.now();
            const r = await client.request('POST', '/tasks', {
              body: { title: `bench ${++seq}`, description: 'x'.repeat(64) },
            });
            if (r.ok) latencies.push(performance.now() - t0);
            else errors++;
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      const termAfter = (await cluster.ipcStatus(await cluster.leader())).term;
      rows.push({
        clients,
        writesPerSec: Math.round(latencies.length / seconds),
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        errors,
        elections: termAfter - termBefore,
      });
      console.error(`${clients} clients: ${rows[rows.length - 1].writesPerSec} writes/s`);
    }
  } finally {
    await cluster?.destroy();
    await mysql.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}`;
  const lines = [
    '# Write throughput through the client API (3 node processes, one MariaDB)',
    '',
    `Machine: ${machine}. Date: ${new Date().toISOString()}. ${seconds} s per row, POST /tasks to the leader.`,
    '',
    '| concurrent clients | committed writes/s | p50 latency | p99 latency | errors | elections |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.clients} | ${r.writesPerSec.toLocaleString('en-US')} | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms | ${r.errors} | ${r.elections} |`,
    ),
  ];
  console.log(lines.join('\n'));
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(`${values.out}.md`, lines.join('\n') + '\n');
  writeFileSync(`${values.out}.json`, JSON.stringify({ machine, seconds, rows }, null, 2) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
