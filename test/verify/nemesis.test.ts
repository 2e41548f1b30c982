/**
 * The nemesis run of `npm run verify` (issue 6 §2), CI-sized: a real 5-node cluster with managed
 * MariaDB, 8 clients, 60 seconds of every default fault kind (partitions, pauses, kills, MySQL
 * stops, lossy links), then heal, quiesce and check; and 30 seconds of frozen MySQL servers. It must find nothing wrong — and it must find the
 * planted bug (linearizable reads served locally, without ReadIndex) every time it is there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_KINDS,
  outageLine,
  runVerify,
  verdictLine,
  writeReport,
} from '../../cluster/verify/nemesis/index.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-verify-report-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const say = process.env.RAFTBOARD_VERIFY_ECHO === '1' ? (l: string) => console.error(l) : undefined;

describe('npm run verify', () => {
  it('a 60-second run on 5 nodes with every fault kind reports no anomaly', async () => {
    const r = await runVerify({ timeS: 60, nodes: 5, clients: 8, ...(say ? { log: say } : {}) });
    const line = verdictLine(r);
    expect(r.anomalies.map((a) => `${a.kind}: ${a.message}`).join('\n\n'), line).toBe('');
    expect(r.ok).toBe(true);
    expect(r.linearizability.ok).toBe(true);
    // A meaningful run: many operations, most answered, and every kind of fault injected.
    expect(r.ops.total, line).toBeGreaterThanOrEqual(300);
    expect(r.ops.acknowledgedWrites, line).toBeGreaterThanOrEqual(100);
    expect(r.ops.staleReads, line).toBeGreaterThan(0);
    expect(r.faults.injected, line).toBeGreaterThanOrEqual(10);
    for (const kind of DEFAULT_KINDS) expect(r.faults.byKind[kind] ?? 0, kind).toBeGreaterThan(0);
    // Every replica converged on one state.
    expect(r.replicas).toHaveLength(5);
    expect(new Set(r.replicas.map((x) => x.checksum)).size).toBe(1);
    expect(new Set(r.replicas.map((x) => x.appliedIndex)).size).toBe(1);
    expect(r.replicas.every((x) => x.tasks > 0)).toBe(true);
    const { dir, html } = writeReport(r, out);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as {
      ok: boolean;
      faultLog: unknown[];
    };
    expect(report.ok).toBe(true);
    expect(report.faultLog.length).toBe(r.faults.total);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('Nemesis run');
    expect(page).toContain('id="data"');
    expect(line).toMatch(/^verify: OK — /);
  }, 240_000);

  it('catches the planted bug: linearizable reads served locally while the leader is cut off', async () => {
    const r = await runVerify({
      timeS: 20,
      nodes: 3,
      clients: 8,
      nemesis: ['partition-leader'],
      plantedBug: 'local-reads',
      ...(say ? { log: say } : {}),
    });
    const line = verdictLine(r);
    expect(r.ok, line).toBe(false);
    expect(line).toMatch(/^verify: FAIL — .*PLANTED BUG local-reads/);
    const lin = r.linearizability;
    expect(lin.ok, line).toBe(false);
    if (lin.ok !== false) return;
    // The counterexample is about reads that saw the past.
    expect(lin.counterexample.some((op) => op.f === 'read')).toBe(true);
    expect(r.anomalies.some((a) => a.kind === 'linearizability')).toBe(true);
    // Nothing else broke: the bug is in what reads answer, not in what replicas store.
    expect(r.anomalies.filter((a) => a.kind === 'replica' || a.kind === 'process')).toEqual([]);
    const page = fs.readFileSync(writeReport(r, out).html, 'utf8');
    expect(page).toContain('counterexample');
  }, 180_000);

  it('the same scenario without the bug is linearizable: the bug is caught, not the scenario', async () => {
    const r = await runVerify({
      timeS: 20,
      nodes: 3,
      clients: 8,
      nemesis: ['partition-leader'],
      ...(say ? { log: say } : {}),
    });
    const line = verdictLine(r);
    expect(r.anomalies.map((a) => `${a.kind}: ${a.message}`).join('\n\n'), line).toBe('');
    expect(r.faults.byKind['partition-leader'] ?? 0, line).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('mysql-freeze: a node’s MySQL frozen and resumed, nothing lost, the write outage reported', async () => {
    const r = await runVerify({
      timeS: 30,
      nodes: 3,
      clients: 6,
      nemesis: ['mysql-freeze'],
      ...(say ? { log: say } : {}),
    });
    const line = verdictLine(r);
    expect(r.anomalies.map((a) => `${a.kind}: ${a.message}`).join('\n\n'), line).toBe('');
    expect(r.faults.byKind['mysql-freeze'] ?? 0, line).toBeGreaterThanOrEqual(2);
    expect(
      r.faultLog.every((f) => f.error === undefined),
      JSON.stringify(r.faultLog),
    ).toBe(true);
    // Some gap is blamed on a freeze, and the report prints the figure with its target.
    expect(r.writeOutage, line).not.toBeNull();
    const page = fs.readFileSync(writeReport(r, out).html, 'utf8');
    expect(page).toMatch(/longest write outage caused by a single fault: [\d.]+ s \(mysql-freeze/);
    expect(page).toContain('target ≤ 10 s');
    if (say) say(outageLine(r.writeOutage));
  }, 180_000);
});
