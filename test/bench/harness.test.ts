/**
 * `npm run bench` end to end, in a very short mode: a real 3-node Raftboard cluster with managed
 * MariaDB (and a real 3-member etcd when etcd is installed), every scenario, the report written.
 * It checks the report's shape and that the numbers are sane (positive, counts add up), never
 * how fast anything was: speed is the benchmark's business, not a test's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport, SystemResult } from '../../cluster/bench/report/results.js';
import { findEtcd } from '../../cluster/bench/targets/etcd.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = path.join(ROOT, 'build', 'cluster', 'bench', 'main.js');
const withEtcd = findEtcd() !== undefined;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-bench-test-'));

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function checkSystem(s: SystemResult, clients: number[]): void {
  expect(s.errors, `${s.system} scenarios that failed`).toEqual({});
  expect(s.coldStartFreshMs).toBeGreaterThan(0);
  expect(s.coldStartExistingMs).toBeGreaterThan(0);
  expect(s.writes?.map((w) => w.clients)).toEqual(clients);
  for (const w of s.writes ?? []) {
    expect(w.count, `${s.system} writes at ${w.clients} clients`).toBeGreaterThan(0);
    expect(w.perSec).toBeGreaterThan(0);
    expect(w.p50Ms).toBeGreaterThan(0);
    expect(w.p99Ms).toBeGreaterThanOrEqual(w.p50Ms);
  }
  for (const r of [s.reads?.linearizable, s.reads?.stale]) {
    expect(r?.count).toBeGreaterThan(0);
    expect(r?.perSec).toBeGreaterThan(0);
  }
  expect(s.failover?.trials).toBe(2);
  expect((s.failover?.samplesMs.length ?? 0) + (s.failover?.failed ?? 0)).toBe(2);
  expect(s.failover?.medianMs).toBeGreaterThan(0);
  expect(s.steady?.elections).toBeGreaterThanOrEqual(0);
  expect(s.steady?.writesPerSec).toBeGreaterThan(0);
  expect(s.catchup?.entries).toBeGreaterThanOrEqual(40);
  expect(s.catchup?.ms).toBeGreaterThan(0);
  expect(s.catchup?.afterRunningMs).toBeLessThanOrEqual(s.catchup?.ms ?? 0);
  for (const m of s.memory ?? []) {
    expect(m.rssMb, m.label).toBeGreaterThan(1);
    expect(m.idleRssMb, m.label).toBeGreaterThan(1);
    expect(m.peakRssMb).toBeGreaterThanOrEqual(m.rssMb);
    expect(m.peakRssMb).toBeGreaterThanOrEqual(m.idleRssMb ?? Infinity);
  }
  // The whole system: the idle sum is the processes' idle values added up; the peak of the sum
  // is at least the idle sum and at most the sum of the peaks.
  const mem = s.memory ?? [];
  const idleSum = mem.reduce((a, m) => a + (m.idleRssMb ?? 0), 0);
  expect(s.footprint?.idleMb).toBeCloseTo(idleSum, 6);
  expect(s.footprint?.peakMb).toBeGreaterThanOrEqual(idleSum);
  expect(s.footprint?.peakMb).toBeLessThanOrEqual(mem.reduce((a, m) => a + m.peakRssMb, 0) + 1e-6);
  expect(s.footprint?.entries).toBeGreaterThan(s.catchup?.entries ?? 0);
  // Elections: attributed to the scenarios that ran, adding up; a failover trial is at least one.
  const el = s.elections;
  const by = Object.values(el?.byScenario ?? {});
  expect(by.reduce((a, v) => a + v, 0)).toBe(el?.total);
  expect(el?.unprovoked).toBeLessThanOrEqual(el?.total ?? -1);
  expect(el?.byScenario.steady).toBe(s.steady?.elections);
  expect(el?.byScenario.failover).toBeGreaterThanOrEqual(s.failover?.samplesMs.length ?? 0);
}

describe(`npm run bench, very short${withEtcd ? ', with --compare etcd' : ' (etcd not installed: Raftboard only)'}`, () => {
  it('measures every scenario and writes the Markdown, the JSON and the chart', async () => {
    const args = [
      '--seconds',
      '0.5',
      '--clients',
      '1,4',
      '--trials',
      '2',
      '--steady-seconds',
      '1',
      '--catchup-entries',
      '40',
      '--out',
      out,
      ...(withEtcd ? ['--compare', 'etcd'] : []),
    ];
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')) as BenchReport;
    expect(report.systems.map((s) => s.system)).toEqual(
      withEtcd ? ['raftboard', 'etcd'] : ['raftboard'],
    );
    for (const s of report.systems) checkSystem(s, [1, 4]);

    const nodes = report.systems[0].memory?.filter((m) => m.kind === 'node') ?? [];
    const mysql = report.systems[0].memory?.filter((m) => m.kind === 'mysql') ?? [];
    expect(nodes.map((m) => m.label)).toEqual(['n1', 'n2', 'n3']);
    expect(mysql).toHaveLength(3);
    expect(report.systems[0].memory?.[0]).toMatchObject({
      label: 'supervisor',
      kind: 'supervisor',
    });
    // What the Metrics tab shows, through the control API, next to the leader's own latency.
    const tab = report.systems[0].metricsTab;
    expect(tab?.viaControlApi.count).toBeGreaterThan(0);
    expect(tab?.direct.count).toBeGreaterThan(0);
    expect(tab?.viaControlApi.errors).toBe(0);
    expect(tab?.ratio).toBeCloseTo((tab?.viaControlApi.p50Ms ?? 0) / (tab?.direct.p50Ms ?? 1), 6);
    const names = report.targets.map((t) => t.name);
    for (const want of [
      'n1 mysql peak resident memory',
      'idle cluster resident memory',
      'Metrics-tab commit latency p50',
    ]) {
      expect(
        names.some((x) => x.startsWith(want)),
        want,
      ).toBe(true);
    }
    if (withEtcd) expect(report.systems[1].metricsTab).toBeUndefined();
    if (withEtcd) {
      expect(report.systems[1].memory?.map((m) => m.label)).toEqual(['etcd 1', 'etcd 2', 'etcd 3']);
      expect(report.ratios.length).toBeGreaterThan(10);
      for (const q of report.ratios) expect(q.value, q.name).toBeGreaterThan(0);
      expect(report.targets.map((t) => t.name)).toContain('write throughput at 4 clients vs etcd');
    }
    for (const t of report.targets) expect(typeof t.met).toBe('boolean');
    expect(report.machine.cores).toBeGreaterThan(0);

    const md = fs.readFileSync(path.join(out, 'bench.md'), 'utf8');
    expect(md).toContain('# Raftboard benchmark');
    expect(md).toContain('| writes/s, 4 client(s) |');
    expect(md).toContain('| process | idle | after load | peak |');
    expect(md).toContain('| elections over the whole run');
    expect(md).toContain('| Metrics-tab commit latency p50');
    expect(r.stdout).toBe(md);
    const svg = fs.readFileSync(path.join(out, 'bench-latency.svg'), 'utf8');
    expect(svg).toContain('data-series="raftboard p50"');
    if (withEtcd) expect(svg).toContain('data-series="etcd p99"');
  }, 300_000);

  it('refuses a bad option with the usage and exit code 2', async () => {
    const r = await run(['--only', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope');
    expect(r.stderr).toContain('usage: npm run bench');
  });
});
