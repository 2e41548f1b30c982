/**
 * The targets of issue 15 (on the 2-core machine) and the ratios against etcd, computed from the
 * results. Pure. A target whose measurement is missing (scenario not run, or failed) is left out
 * rather than judged.
 */
import type { LoadResult } from '../load/generator.js';
import type { Ratio, SystemResult, TargetCheck } from './results.js';

export const LIMITS = {
  writesVsEtcd: 1.0,
  p50VsEtcd: 1.5,
  failoverMedianMs: 300,
  failoverP99Ms: 600,
  elections: 0,
  /** For 10,000 entries (the default --catchup-entries). */
  catchupMs: 2_000,
  coldStartExistingMs: 2_000,
  nodeRssMb: 100,
  mysqlRssMb: 80,
  /** Every process of the cluster (supervisor, nodes, MariaDBs) before any load. */
  idleClusterMb: 450,
  /** The Metrics tab's commit latency (through the control API) ÷ the leader's own. */
  metricsTabVsNode: 1.5,
} as const;

function row(rows: readonly LoadResult[] | undefined, clients: number): LoadResult | undefined {
  return rows?.find((r) => r.clients === clients);
}

function finite(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

export function ratios(rb: SystemResult, etcd: SystemResult): Ratio[] {
  const out: Ratio[] = [];
  const add = (name: string, a: number | undefined, b: number | undefined, unit: string): void => {
    if (finite(a) && finite(b) && b > 0) {
      out.push({ name, raftboard: a, etcd: b, value: a / b, unit });
    }
  };
  for (const r of rb.writes ?? []) {
    const e = row(etcd.writes, r.clients);
    add(`write throughput, ${r.clients} client(s)`, r.perSec, e?.perSec, 'writes/s');
    add(`write p50 latency, ${r.clients} client(s)`, r.p50Ms, e?.p50Ms, 'ms');
    add(`write p99 latency, ${r.clients} client(s)`, r.p99Ms, e?.p99Ms, 'ms');
  }
  add(
    'linearizable reads',
    rb.reads?.linearizable.perSec,
    etcd.reads?.linearizable.perSec,
    'reads/s',
  );
  add('stale reads', rb.reads?.stale.perSec, etcd.reads?.stale.perSec, 'reads/s');
  add('failover median', rb.failover?.medianMs, etcd.failover?.medianMs, 'ms');
  add('failover p99', rb.failover?.p99Ms, etcd.failover?.p99Ms, 'ms');
  add('catch-up', rb.catchup?.ms, etcd.catchup?.ms, 'ms');
  add('cold start, existing data', rb.coldStartExistingMs, etcd.coldStartExistingMs, 'ms');
  add('cold start, fresh', rb.coldStartFreshMs, etcd.coldStartFreshMs, 'ms');
  const maxOf = (r: SystemResult, kind: string): number | undefined => {
    const m = r.memory?.filter((p) => p.kind === kind).map((p) => p.peakRssMb) ?? [];
    return m.length === 0 ? undefined : Math.max(...m);
  };
  add(
    'peak resident memory per member (node vs etcd)',
    maxOf(rb, 'node'),
    maxOf(etcd, 'etcd'),
    'MB',
  );
  return out;
}

export function targets(rb: SystemResult, etcd: SystemResult | undefined): TargetCheck[] {
  const out: TargetCheck[] = [];
  const check = (
    name: string,
    value: number | undefined,
    unit: string,
    target: string,
    met: (v: number) => boolean,
  ): void => {
    if (value !== undefined && Number.isFinite(value))
      out.push({ name, value, unit, target, met: met(value) });
  };
  if (etcd !== undefined) {
    const rs = ratios(rb, etcd);
    const most = Math.max(0, ...(rb.writes ?? []).map((r) => r.clients));
    const w = rs.find((r) => r.name === `write throughput, ${most} client(s)`);
    check(
      `write throughput at ${most} clients vs etcd`,
      w?.value,
      '×',
      `≥ ${LIMITS.writesVsEtcd.toFixed(1)}×`,
      (v) => v >= LIMITS.writesVsEtcd,
    );
    const p = rs.find((r) => r.name === 'write p50 latency, 1 client(s)');
    check(
      'p50 latency at 1 client vs etcd',
      p?.value,
      '×',
      `≤ ${LIMITS.p50VsEtcd}×`,
      (v) => v <= LIMITS.p50VsEtcd,
    );
  }
  check(
    'failover median',
    rb.failover?.medianMs,
    'ms',
    `≤ ${LIMITS.failoverMedianMs} ms`,
    (v) => v <= LIMITS.failoverMedianMs,
  );
  check(
    'failover p99',
    rb.failover?.p99Ms,
    'ms',
    `≤ ${LIMITS.failoverP99Ms} ms`,
    (v) => v <= LIMITS.failoverP99Ms,
  );
  if (rb.failover !== undefined && rb.failover.failed > 0) {
    check(
      'failover trials with no acknowledged write',
      rb.failover.failed,
      'trials',
      '0',
      (v) => v === 0,
    );
  }
  if (rb.steady !== undefined) {
    check(
      `elections in ${rb.steady.seconds.toFixed(0)} s of steady load`,
      rb.steady.elections,
      '',
      '0',
      (v) => v === LIMITS.elections,
    );
  }
  if (rb.catchup !== undefined) {
    check(
      `catch-up of ${rb.catchup.entries.toLocaleString('en-US')} entries`,
      rb.catchup.ms,
      'ms',
      `≤ ${LIMITS.catchupMs} ms`,
      (v) => v <= LIMITS.catchupMs,
    );
  }
  check(
    'cold start, existing data dir, 3 nodes',
    rb.coldStartExistingMs,
    'ms',
    `≤ ${LIMITS.coldStartExistingMs} ms`,
    (v) => v <= LIMITS.coldStartExistingMs,
  );
  const entries =
    rb.footprint === undefined ? '' : `, ${rb.footprint.entries.toLocaleString('en-US')} entries`;
  for (const m of rb.memory?.filter((p) => p.kind === 'node') ?? []) {
    check(
      `${m.label} peak resident memory${entries}`,
      m.peakRssMb,
      'MB',
      `≤ ${LIMITS.nodeRssMb} MB`,
      (v) => v <= LIMITS.nodeRssMb,
    );
  }
  for (const m of rb.memory?.filter((p) => p.kind === 'mysql') ?? []) {
    check(
      `${m.label} peak resident memory${entries}`,
      m.peakRssMb,
      'MB',
      `≤ ${LIMITS.mysqlRssMb} MB`,
      (v) => v <= LIMITS.mysqlRssMb,
    );
  }
  check(
    'idle cluster resident memory (supervisor, nodes, MariaDBs)',
    rb.footprint?.idleMb,
    'MB',
    `≤ ${LIMITS.idleClusterMb} MB`,
    (v) => v <= LIMITS.idleClusterMb,
  );
  check(
    'Metrics-tab commit latency p50 vs the leader’s own',
    rb.metricsTab?.ratio,
    '×',
    `≤ ${LIMITS.metricsTabVsNode}×`,
    (v) => v <= LIMITS.metricsTabVsNode,
  );
  return out;
}
