/** Writes the report: bench.json, bench.md and bench-latency.svg in the output folder. */
import fs from 'node:fs';
import path from 'node:path';
import { latencyChart, type ChartSeries } from './chart.js';
import { markdown } from './markdown.js';
import type { BenchReport } from './results.js';

export function chartSeries(report: BenchReport): ChartSeries[] {
  return report.systems
    .filter((s) => (s.writes ?? []).some((w) => w.count > 0))
    .map((s) => {
      const rows = (s.writes ?? []).filter((w) => w.count > 0);
      return {
        name: s.system,
        p50: rows.map((w) => ({ x: w.perSec, y: w.p50Ms, label: String(w.clients) })),
        p99: rows.map((w) => ({ x: w.perSec, y: w.p99Ms, label: String(w.clients) })),
      };
    });
}

export interface Written {
  readonly json: string;
  readonly markdown: string;
  /** Undefined when no write row had any success (nothing to draw). */
  readonly chart: string | undefined;
}

export function writeReport(report: BenchReport, dir: string): Written {
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'bench.json');
  const md = path.join(dir, 'bench.md');
  fs.writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(md, markdown(report));
  const series = chartSeries(report);
  let chart: string | undefined;
  if (series.length > 0) {
    chart = path.join(dir, 'bench-latency.svg');
    fs.writeFileSync(
      chart,
      latencyChart(series, 'Write latency against throughput (3 members, durable)'),
    );
  }
  return { json, markdown: md, chart };
}
