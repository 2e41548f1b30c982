/**
 * The pure parts of the benchmark report: the SVG chart, the verdicts against the issue's
 * targets, the ratios against etcd, the Markdown, and the command line.
 */
import { describe, expect, it } from 'vitest';
import { UsageError, parseBenchArgs } from '../../cluster/bench/args.js';
import type { LoadResult } from '../../cluster/bench/load/generator.js';
import { latencyChart, logTicks } from '../../cluster/bench/report/chart.js';
import { markdown } from '../../cluster/bench/report/markdown.js';
import type { BenchReport, SystemResult } from '../../cluster/bench/report/results.js';
import { ratios, targets } from '../../cluster/bench/report/verdicts.js';

function row(clients: number, perSec: number, p50Ms: number, p99Ms: number): LoadResult {
  return {
    clients,
    perSec,
    p50Ms,
    p99Ms,
    count: Math.round(perSec * 10),
    maxMs: p99Ms * 2,
    meanMs: p50Ms,
    seconds: 10,
    errors: 0,
    errorSamples: [],
  };
}

const raftboard: SystemResult = {
  system: 'raftboard',
  coldStartFreshMs: 6_000,
  coldStartExistingMs: 1_800,
  writes: [row(1, 100, 10, 20), row(16, 800, 20, 40), row(64, 2_000, 30, 60)],
  failover: { trials: 3, samplesMs: [250, 280, 1_600], medianMs: 280, p99Ms: 1_600, failed: 0 },
  metricsTab: {
    seconds: 10,
    viaControlApi: row(1, 90, 12, 30),
    direct: row(1, 100, 10, 20),
    ratio: 1.2,
  },
  steady: { seconds: 60, clients: 16, elections: 1, writesPerSec: 700, errors: 0 },
  catchup: { entries: 10_000, ms: 1_500, afterRunningMs: 1_000 },
  memory: [
    { label: 'supervisor', kind: 'supervisor', idleRssMb: 90, rssMb: 100, peakRssMb: 110 },
    { label: 'n1', kind: 'node', idleRssMb: 70, rssMb: 80, peakRssMb: 90 },
    { label: 'n2', kind: 'node', idleRssMb: 75, rssMb: 95, peakRssMb: 120 },
    { label: 'n1 mysql', kind: 'mysql', idleRssMb: 60, rssMb: 70, peakRssMb: 79 },
    { label: 'n2 mysql', kind: 'mysql', idleRssMb: 60, rssMb: 110, peakRssMb: 115 },
  ],
  footprint: { idleMb: 355, peakMb: 480, entries: 100_000 },
  elections: { total: 22, byScenario: { steady: 1, failover: 20, coldstart: 1 }, unprovoked: 1 },
  errors: {},
};

const etcd: SystemResult = {
  system: 'etcd',
  coldStartFreshMs: 2_000,
  writes: [row(1, 400, 5, 9), row(16, 1_000, 10, 30), row(64, 2_500, 25, 50)],
  memory: [{ label: 'etcd 1', kind: 'etcd', rssMb: 50, peakRssMb: 60 }],
  errors: {},
};

describe('targets', () => {
  const checks = targets(raftboard, etcd);
  const byName = (n: string) => checks.find((c) => c.name === n);

  it('judges each measured target, met or not', () => {
    expect(byName('write throughput at 64 clients vs etcd')).toMatchObject({
      value: 0.8,
      met: false,
    });
    expect(byName('p50 latency at 1 client vs etcd')).toMatchObject({ value: 2, met: false });
    expect(byName('failover median')).toMatchObject({ value: 280, met: true });
    expect(byName('failover p99')).toMatchObject({ value: 1_600, met: false });
    expect(byName('elections in 60 s of steady load')).toMatchObject({ value: 1, met: false });
    expect(byName('catch-up of 10,000 entries')).toMatchObject({ value: 1_500, met: true });
    expect(byName('cold start, existing data dir, 3 nodes')).toMatchObject({ met: true });
    // Memory targets name the run's task count (one entry per write).
    expect(byName('n1 peak resident memory, 100,000 entries')).toMatchObject({
      value: 90,
      met: true,
    });
    expect(byName('n2 peak resident memory, 100,000 entries')).toMatchObject({
      value: 120,
      met: false,
    });
    expect(byName('n1 mysql peak resident memory, 100,000 entries')).toMatchObject({
      value: 79,
      met: true,
    });
    expect(byName('n2 mysql peak resident memory, 100,000 entries')).toMatchObject({
      value: 115,
      met: false,
    });
    expect(checks.some((c) => c.name.startsWith('supervisor'))).toBe(false);
    expect(byName('idle cluster resident memory (supervisor, nodes, MariaDBs)')).toMatchObject({
      value: 355,
      met: true,
    });
    expect(byName('Metrics-tab commit latency p50 vs the leader’s own')).toMatchObject({
      value: 1.2,
      met: true,
    });
  });

  it('leaves out what was not measured: no etcd ratios without etcd', () => {
    const alone = targets(raftboard, undefined);
    expect(alone.some((c) => c.name.includes('etcd'))).toBe(false);
    expect(alone.some((c) => c.name.includes('mysql'))).toBe(true);
    const nothing = targets({ system: 'raftboard', coldStartFreshMs: NaN, errors: {} }, undefined);
    expect(nothing).toEqual([]);
  });
});

describe('ratios', () => {
  it('divides raftboard by etcd where both measured, and only there', () => {
    const rs = ratios(raftboard, etcd);
    expect(rs.find((r) => r.name === 'write throughput, 64 client(s)')?.value).toBeCloseTo(0.8);
    expect(rs.find((r) => r.name === 'cold start, fresh')?.value).toBe(3);
    expect(rs.find((r) => r.name.startsWith('peak resident memory'))?.value).toBe(2);
    // etcd ran no failover here: no ratio rather than a division by a missing value.
    expect(rs.some((r) => r.name.startsWith('failover'))).toBe(false);
  });
});

describe('markdown', () => {
  it('shows both systems, the verdicts and the ratios', () => {
    const report: BenchReport = {
      date: '2026-11-21T00:00:00.000Z',
      durationS: 100,
      machine: {
        cpu: 'Test CPU',
        cores: 2,
        memoryGb: 4,
        os: 'Linux',
        node: 'v20',
        loadAvgStart: 1,
        loadAvgEnd: 2,
      },
      settings: { clients: '1,16,64' },
      systems: [raftboard, etcd],
      ratios: ratios(raftboard, etcd),
      targets: targets(raftboard, etcd),
    };
    const md = markdown(report);
    expect(md).toContain('| measurement | raftboard | etcd |');
    expect(md).toContain('| writes/s, 64 client(s) | 2,000 | 2,500 |');
    expect(md).toContain('| failover median | 280 ms | ≤ 300 ms | met |');
    expect(md).toContain('| failover p99 | 1,600 ms | ≤ 600 ms | **not met** |');
    expect(md).toContain('| raftboard n2 mysql | 60 | 110 | 115 |');
    expect(md).toContain(
      '| **raftboard, all processes** (100,000 entries at the end) | 355 | | 480 |',
    );
    expect(md).toContain('| 22 (1): steady 1, failover 20, coldstart 1 |');
    expect(md).toContain('| 12.0 ms vs 10.0 ms (1.20×) | – |');
    expect(md).toContain(
      '| write throughput, 64 client(s) | 2,000 writes/s | 2,500 writes/s | 0.80× |',
    );
    expect(md).toContain('Test CPU × 2 cores');
  });
});

describe('latencyChart', () => {
  const svg = latencyChart(
    [
      {
        name: 'raftboard',
        p50: raftboard.writes!.map((w) => ({ x: w.perSec, y: w.p50Ms, label: String(w.clients) })),
        p99: raftboard.writes!.map((w) => ({ x: w.perSec, y: w.p99Ms, label: String(w.clients) })),
      },
      {
        name: 'etcd',
        p50: etcd.writes!.map((w) => ({ x: w.perSec, y: w.p50Ms, label: String(w.clients) })),
        p99: etcd.writes!.map((w) => ({ x: w.perSec, y: w.p99Ms, label: String(w.clients) })),
      },
    ],
    'Title <&>',
  );

  it('draws one line per system and percentile, a point per client count, escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    for (const s of ['raftboard p50', 'raftboard p99', 'etcd p50', 'etcd p99']) {
      expect(svg).toContain(`data-series="${s}"`);
    }
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg).toContain('Title &lt;&amp;&gt;');
    expect(svg).not.toContain('NaN');
  });

  it('puts every point inside the plot, faster to the right and slower higher up', () => {
    const pts = [...svg.matchAll(/<polyline data-series="raftboard p50" points="([^"]+)"/g)][0][1]
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts).toHaveLength(3);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(70);
      expect(x).toBeLessThanOrEqual(720 - 150);
      expect(y).toBeGreaterThanOrEqual(40);
      expect(y).toBeLessThanOrEqual(440 - 55);
    }
    // 100 → 800 → 2,000 writes/s and 10 → 20 → 30 ms: x grows, y (SVG, downwards) shrinks.
    expect(pts[0][0]).toBeLessThan(pts[1][0]);
    expect(pts[1][0]).toBeLessThan(pts[2][0]);
    expect(pts[0][1]).toBeGreaterThan(pts[1][1]);
  });

  it('skips points that cannot be drawn on a log scale and refuses an empty chart', () => {
    expect(() =>
      latencyChart([{ name: 'x', p50: [{ x: 0, y: 1, label: '1' }], p99: [] }], 't'),
    ).toThrow();
    const one = latencyChart(
      [
        {
          name: 'x',
          p50: [
            { x: 10, y: 1, label: '1' },
            { x: NaN, y: 2, label: '2' },
          ],
          p99: [],
        },
      ],
      't',
    );
    expect(one.match(/<circle /g)).toHaveLength(1);
    expect(one).not.toContain('NaN');
  });

  it('has 1-2-5 ticks', () => {
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(20, 500)).toEqual([20, 50, 100, 200, 500]);
  });
});

describe('npm run bench arguments', () => {
  it('defaults to every scenario at full length', () => {
    const o = parseBenchArgs([]);
    expect(o.only).toEqual([
      'writes',
      'reads',
      'metrics',
      'steady',
      'memory',
      'catchup',
      'failover',
      'coldstart',
    ]);
    expect(o.compare).toBeUndefined();
    expect(o.out).toBe('bench-results');
    expect(o.settings).toMatchObject({
      clients: [1, 16, 64],
      writeSeconds: 10,
      steadySeconds: 60,
      catchupEntries: 10_000,
      failoverTrials: 20,
    });
  });

  it('takes --compare etcd, --only, --quick and explicit durations', () => {
    const o = parseBenchArgs([
      '--compare',
      'etcd',
      '--only',
      'writes,failover',
      '--quick',
      '--trials',
      '7',
    ]);
    expect(o.compare).toBe('etcd');
    expect(o.only).toEqual(['writes', 'failover']);
    expect(o.settings).toMatchObject({ writeSeconds: 3, failoverTrials: 7, steadySeconds: 10 });
  });

  it('refuses what it does not know, naming it', () => {
    expect(() => parseBenchArgs(['--compare', 'zookeeper'])).toThrow(/zookeeper/);
    expect(() => parseBenchArgs(['--only', 'writes,nope'])).toThrow(/nope/);
    expect(() => parseBenchArgs(['--trials', '1.5'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--seconds', '-1'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--clients', '1,x'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--bogus'])).toThrow(UsageError);
  });
});
