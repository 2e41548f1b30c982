/** The report as Markdown: machine, targets with verdicts, each system's numbers, the ratios. */
import type { LoadResult } from '../load/generator.js';
import type { BenchReport, SystemResult } from './results.js';

function n(v: number | undefined, digits = 0): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return `${n(v, v < 10 ? 2 : v < 100 ? 1 : 0)} ms`;
}

function cell(systems: readonly SystemResult[], f: (s: SystemResult) => string): string {
  return systems.map(f).join(' | ');
}

export function markdown(r: BenchReport): string {
  const sys = r.systems;
  const head = `| measurement | ${sys.map((s) => s.system).join(' | ')} |`;
  const rule = `|---|${sys.map(() => '---:').join('|')}|`;
  const m = r.machine;
  const lines: string[] = [
    '# Raftboard benchmark',
    '',
    `${r.date}, ${n(r.durationS)} s. Machine: ${m.cpu} × ${m.cores} cores, ${n(m.memoryGb, 1)} GB, ${m.os}, Node ${m.node}` +
      `${m.mysqlVersion === undefined ? '' : `, ${m.mysqlVersion}`}${m.etcdVersion === undefined ? '' : `, etcd ${m.etcdVersion}`}. ` +
      `Load average ${n(m.loadAvgStart, 1)} at the start, ${n(m.loadAvgEnd, 1)} at the end.`,
    '',
    `Settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')}.`,
    '',
  ];
  if (r.targets.length > 0) {
    lines.push('## Targets', '', '| target | measured | goal | |', '|---|---:|---|---|');
    for (const t of r.targets) {
      const v =
        t.unit === '×'
          ? `${n(t.value, 2)}×`
          : t.unit === 'ms'
            ? ms(t.value)
            : `${n(t.value, t.unit === 'MB' ? 1 : 0)} ${t.unit}`.trim();
      lines.push(`| ${t.name} | ${v} | ${t.target} | ${t.met ? 'met' : '**not met**'} |`);
    }
    lines.push('');
  }
  lines.push('## Results', '', head, rule);
  const clients = [...new Set(sys.flatMap((s) => (s.writes ?? []).map((w) => w.clients)))];
  const w = (s: SystemResult, c: number): LoadResult | undefined =>
    s.writes?.find((x) => x.clients === c);
  for (const c of clients) {
    lines.push(`| writes/s, ${c} client(s) | ${cell(sys, (s) => n(w(s, c)?.perSec))} |`);
    lines.push(
      `| write latency p50 / p99, ${c} client(s) | ${cell(sys, (s) => `${ms(w(s, c)?.p50Ms)} / ${ms(w(s, c)?.p99Ms)}`)} |`,
    );
    lines.push(`| write errors, ${c} client(s) | ${cell(sys, (s) => n(w(s, c)?.errors))} |`);
  }
  if (sys.some((s) => s.reads !== undefined)) {
    const rc = sys.find((s) => s.reads !== undefined)?.reads?.stale.clients;
    lines.push(
      `| linearizable reads/s, ${rc} clients | ${cell(sys, (s) => n(s.reads?.linearizable.perSec))} |`,
    );
    lines.push(`| stale reads/s, ${rc} clients | ${cell(sys, (s) => n(s.reads?.stale.perSec))} |`);
  }
  if (sys.some((s) => s.metricsTab !== undefined)) {
    const mt = (s: SystemResult): string =>
      s.metricsTab === undefined
        ? '–'
        : `${ms(s.metricsTab.viaControlApi.p50Ms)} vs ${ms(s.metricsTab.direct.p50Ms)} (${n(s.metricsTab.ratio, 2)}×)`;
    lines.push(
      `| Metrics-tab commit latency p50 (control API) vs the leader's own, same interval | ${cell(sys, mt)} |`,
    );
  }
  if (sys.some((s) => s.failover !== undefined)) {
    lines.push(
      `| failover (kill leader → write acked) median / p99 | ${cell(sys, (s) => `${ms(s.failover?.medianMs)} / ${ms(s.failover?.p99Ms)}`)} |`,
    );
    lines.push(
      `| failover trials (no ack) | ${cell(sys, (s) => (s.failover === undefined ? '–' : `${s.failover.trials} (${s.failover.failed})`))} |`,
    );
  }
  if (sys.some((s) => s.steady !== undefined)) {
    lines.push(
      `| elections during steady load | ${cell(sys, (s) => (s.steady === undefined ? '–' : `${s.steady.elections} in ${n(s.steady.seconds)} s`))} |`,
    );
  }
  if (sys.some((s) => s.elections !== undefined)) {
    const by = (s: SystemResult): string =>
      Object.entries(s.elections?.byScenario ?? {})
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    lines.push(
      `| elections over the whole run (unprovoked: not failover or cold start) | ${cell(sys, (s) => (s.elections === undefined ? '–' : `${s.elections.total} (${s.elections.unprovoked})${by(s) === '' ? '' : `: ${by(s)}`}`))} |`,
    );
  }
  if (sys.some((s) => s.catchup !== undefined)) {
    lines.push(
      `| catch-up (restart → applied = commit) | ${cell(sys, (s) => (s.catchup === undefined ? '–' : `${ms(s.catchup.ms)} for ${n(s.catchup.entries)}`))} |`,
    );
  }
  lines.push(`| cold start, fresh | ${cell(sys, (s) => ms(s.coldStartFreshMs))} |`);
  if (sys.some((s) => s.coldStartExistingMs !== undefined)) {
    lines.push(
      `| cold start, existing data dir | ${cell(sys, (s) => ms(s.coldStartExistingMs))} |`,
    );
  }
  const labels = [...new Set(sys.flatMap((s) => (s.memory ?? []).map((p) => p.label)))];
  if (labels.length > 0) {
    lines.push(
      '',
      '### Resident memory (VmRSS, MB)',
      '',
      'Idle: after the start, before any load. After load: after the write, read and steady',
      'load. Peak: the highest sample (every second) over the whole run. The supervisor runs in',
      'the bench process, next to the load generator. Each MariaDB counts the ~24 MB of program',
      'code the three share.',
      '',
      '| process | idle | after load | peak |',
      '|---|---:|---:|---:|',
    );
    for (const s of sys) {
      for (const p of s.memory ?? [])
        lines.push(
          `| ${s.system} ${p.label} | ${n(p.idleRssMb)} | ${n(p.rssMb)} | ${n(p.peakRssMb)} |`,
        );
      const f = s.footprint;
      if (f !== undefined)
        lines.push(
          `| **${s.system}, all processes** (${n(f.entries)} entries at the end) | ${n(f.idleMb)} | | ${n(f.peakMb)} |`,
        );
    }
  }
  if (r.ratios.length > 0) {
    lines.push(
      '',
      '## Raftboard ÷ etcd',
      '',
      '| measurement | raftboard | etcd | ratio |',
      '|---|---:|---:|---:|',
    );
    for (const q of r.ratios) {
      const f = (v: number): string => (q.unit === 'ms' ? ms(v) : `${n(v)} ${q.unit}`);
      lines.push(`| ${q.name} | ${f(q.raftboard)} | ${f(q.etcd)} | ${n(q.value, 2)}× |`);
    }
  }
  const errs = sys.flatMap((s) =>
    Object.entries(s.errors).map(([k, v]) => `- ${s.system} ${k}: ${v}`),
  );
  if (errs.length > 0) lines.push('', '## Failed scenarios', '', ...errs);
  lines.push(
    '',
    'Chart: `bench-latency.svg` (latency against write throughput, both systems).',
    '',
  );
  return lines.join('\n');
}
