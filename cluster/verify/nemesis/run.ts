/**
 * One nemesis run (issue 6 §2): a real cluster through the Supervisor (managed MySQL per node),
 * concurrent clients (cluster/verify/workload) on random nodes, faults every few seconds
 * (faults.ts); then heal everything, let the clients settle their last writes, wait until every
 * replica has applied the same index, and check:
 * - the history is linearizable (with one last linearizable list read of every task in it);
 * - stale reads and every replica's final contents are prefixes of the committed log, and every
 *   acknowledged write is on every replica (stale.ts);
 * - every replica's checksum is the same;
 * - no process died except by the nemesis (no `crashed` node, no MySQL that exited on its own).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChecksumResponse } from '../../api/node.js';
import type { Task } from '../../api/task.js';
import { SimRng } from '../../sim/rng.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { checkHistory, type CheckResult } from '../check.js';
import type { Op } from '../history.js';
import { HistoryLog, Workload, send, type TaskRequest } from '../workload/index.js';
import { tasksOf } from '../workload/exchange.js';
import { DEFAULT_KINDS, Nemesis, type FaultRecord, type NemesisKind } from './faults.js';
import { longestWriteOutage, type WriteOutage } from './outage.js';
import { checkStale, tasksIn, type Anomaly } from './stale.js';

export interface VerifyOptions {
  /** Seconds of faults and clients (default 60). */
  readonly timeS?: number;
  readonly nodes?: number;
  readonly clients?: number;
  readonly nemesis?: readonly NemesisKind[];
  readonly seed?: number;
  /** TEST-ONLY: run the nodes with a planted bug (RAFTBOARD_PLANTED_BUG). */
  readonly plantedBug?: string;
  /** Keep the cluster's data dir (default: deleted). */
  readonly keepData?: boolean;
  /** Live tasks the clients share (default 10). */
  readonly maxTasks?: number;
  /** Per-fault duration range in ms (default 1.5–3.5 s). */
  readonly faultMs?: readonly [number, number];
  readonly gapMs?: readonly [number, number];
  /** How long each `mysql-freeze` lasts (ms; default 5–10 s). */
  readonly freezeMs?: readonly [number, number];
  /** Linearizability check budget (default 120 s). */
  readonly checkTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly options: {
    timeS: number;
    nodes: number;
    clients: number;
    nemesis: readonly NemesisKind[];
    plantedBug: string | null;
  };
  readonly machine: {
    cpus: number;
    cpuModel: string;
    memGb: number;
    platform: string;
    node: string;
  };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly ops: {
    total: number;
    byKind: Record<string, number>;
    unknownWrites: number;
    staleReads: number;
    tasks: number;
    acknowledgedWrites: number;
  };
  readonly faults: { total: number; injected: number; byKind: Record<string, number> };
  readonly faultLog: readonly FaultRecord[];
  readonly elections: readonly { at: number; leaderId: number; term: number }[];
  /**
   * The longest interval with no acknowledged write, blamed on one fault (outage.ts; target
   * ≤ 10 s); null when no fault had one.
   */
  readonly writeOutage: WriteOutage | null;
  readonly anomalies: readonly Anomaly[];
  readonly linearizability: CheckResult;
  readonly checkMs: number;
  readonly replicas: readonly {
    nodeId: number;
    appliedIndex: number;
    checksum: string;
    tasks: number;
  }[];
  /** The history, for the timeline (ms since the run's clients started). */
  readonly history: readonly Op[];
  /** When the clients stopped (ms). */
  readonly endedAt: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function getJson<T>(url: string, token: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return res.ok ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

export async function runVerify(options: VerifyOptions = {}): Promise<VerifyResult> {
  const timeS = options.timeS ?? 60;
  const nodes = options.nodes ?? 5;
  const clients = options.clients ?? 8;
  const kinds = options.nemesis ?? DEFAULT_KINDS;
  const seed = options.seed ?? Math.floor(Math.random() * 1_000_000);
  const say = options.log ?? (() => undefined);
  const rng = new SimRng(seed, 'nemesis');
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-verify-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.plantedBug !== undefined) env.RAFTBOARD_PLANTED_BUG = options.plantedBug;
  else delete env.RAFTBOARD_PLANTED_BUG;
  const supervisor = new Supervisor({ dataDir, nodes, mysqlMode: 'managed', fresh: true, env });
  const anomalies: Anomaly[] = [];
  // Made once the cluster is up, so the timeline starts with the clients.
  let log = new HistoryLog();
  const elections: { at: number; leaderId: number; term: number }[] = [];
  let expectedStops = 0;
  const unsubscribe = supervisor.events.subscribe((e) => {
    if (e.type === 'election')
      elections.push({ at: log.now(), leaderId: e.leaderId, term: e.term });
    if (e.type === 'error') {
      anomalies.push({ kind: 'process', message: `${e.at}: ${e.message}` });
    }
    if (e.type === 'process' && e.status === 'crashed') {
      anomalies.push({ kind: 'process', message: `n${e.nodeId} crashed` });
    }
    if (e.type === 'process' && e.exit?.expected === true) expectedStops++;
  });
  const targets = (): string[] =>
    supervisor
      .status()
      .nodes.filter((n) => n.status === 'running')
      .map((n) => n.clientUrl);
  try {
    say(`starting ${nodes} nodes with managed MySQL in ${dataDir} (seed ${seed})`);
    await supervisor.start();
    // Failures while starting are the harness's, not the cluster's under faults.
    anomalies.length = 0;
    elections.length = 0;
    log = new HistoryLog();
    const workload = new Workload({
      targets,
      token: supervisor.token,
      clients,
      log,
      seed,
      ...(options.maxTasks === undefined ? {} : { maxTasks: options.maxTasks }),
    });
    const nemesis = new Nemesis({
      supervisor,
      kinds,
      rng,
      now: () => log.now(),
      ...(options.faultMs === undefined ? {} : { faultMs: options.faultMs }),
      ...(options.gapMs === undefined ? {} : { gapMs: options.gapMs }),
      ...(options.freezeMs === undefined ? {} : { freezeMs: options.freezeMs }),
      log: say,
    });
    say(`${clients} clients, faults: ${kinds.join(', ')}, for ${timeS} s`);
    workload.start();
    const clientsFrom = Date.now();
    const until = clientsFrom + timeS * 1000;
    // A few seconds of calm first, so the history starts with a working cluster.
    await sleep(Math.min(2_000, timeS * 100));
    nemesis.start();
    let lastReport = Date.now();
    while (Date.now() < until) {
      await sleep(Math.min(1_000, Math.max(0, until - Date.now())));
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        say(
          `${Math.round((Date.now() - clientsFrom) / 1000)} s: ${workload.operations} ops, ${nemesis.faults.length} faults`,
        );
      }
    }
    await nemesis.stop();
    say('healing everything');
    await healAll(supervisor, say);
    say('waiting for the clients to settle their last operations');
    await workload.stop();
    const endedAt = log.now();

    say('quiescing: waiting for every replica to apply the same index');
    const converged = await converge(supervisor, anomalies, say);
    // One last linearizable read of every task, into the history: the final state is checked too.
    await finalRead(log, targets, supervisor.token);
    // Every replica's contents, as complete stale lists at its applied index.
    const counts = new Map<number, number>();
    for (const n of supervisor.status().nodes) {
      const req: TaskRequest = {
        method: 'GET',
        path: '/tasks',
        query: new URLSearchParams({ consistency: 'stale', limit: '10000' }),
      };
      const p = log.begin(`final-n${n.id}`, req);
      const answer = await send(n.clientUrl, supervisor.token, req, 10_000);
      log.finish(p, answer);
      const tasks = answer?.status === 200 ? tasksOf(answer.body) : undefined;
      if (tasks === undefined) {
        anomalies.push({
          kind: 'replica',
          message: `n${n.id} did not list its tasks after healing`,
        });
      }
      counts.set(n.id, tasks?.length ?? 0);
    }
    const replicas = converged.map((r) => ({ ...r, tasks: counts.get(r.nodeId) ?? 0 }));

    const history = log.ops();
    say(`checking ${history.length} operations`);
    const c0 = performance.now();
    const linearizability = checkHistory(history, {
      timeoutMs: options.checkTimeoutMs ?? 120_000,
    });
    const checkMs = Math.round(performance.now() - c0);
    if (linearizability.ok === false) {
      anomalies.push({
        kind: 'linearizability',
        message: `task ${linearizability.taskId} is not linearizable (${linearizability.failedTasks.length} task(s) in all):\n${linearizability.explanation}`,
      });
    } else if (linearizability.ok === 'unknown') {
      anomalies.push({
        kind: 'check',
        message: `linearizability unknown: ${linearizability.reason}`,
      });
    }
    anomalies.push(...checkStale(log.stale, log.acked, history));
    for (const n of supervisor.status().nodes) {
      if (n.status !== 'running') {
        anomalies.push({ kind: 'process', message: `n${n.id} is ${n.status} after healing` });
      }
    }
    const byKind: Record<string, number> = { ...workload.done };
    const faultsByKind: Record<string, number> = {};
    for (const f of nemesis.faults) {
      if (f.ok) faultsByKind[f.kind] = (faultsByKind[f.kind] ?? 0) + 1;
    }
    const cpus = os.cpus();
    return {
      ok: anomalies.length === 0,
      seed,
      options: { timeS, nodes, clients, nemesis: kinds, plantedBug: options.plantedBug ?? null },
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? 'unknown',
        memGb: Math.round(os.totalmem() / 2 ** 30),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
      },
      startedAt,
      durationMs: Date.now() - t0,
      ops: {
        total: workload.operations,
        byKind,
        unknownWrites: log.unknownWrites(),
        staleReads: log.stale.length,
        tasks: tasksIn(history),
        acknowledgedWrites: log.acked.length,
      },
      faults: {
        total: nemesis.faults.length,
        injected: nemesis.faults.filter((f) => f.ok).length,
        byKind: faultsByKind,
      },
      faultLog: nemesis.faults,
      elections,
      writeOutage: longestWriteOutage(history, nemesis.faults, endedAt),
      anomalies,
      linearizability,
      checkMs,
      replicas,
      history,
      endedAt,
    };
  } finally {
    unsubscribe();
    say(`stopping the cluster (${expectedStops} node exits were the nemesis's)`);
    await supervisor.shutdown();
    if (options.keepData !== true) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Resumes, starts and heals whatever a fault left behind, and waits for a working leader. */
async function healAll(s: Supervisor, say: (l: string) => void): Promise<void> {
  const tryIt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      say(`healing: ${what}: ${(e as Error).message}`);
    }
  };
  await tryIt('network', () => s.heal());
  for (const n of s.status().nodes) {
    if (n.status === 'paused') await tryIt(`resume n${n.id}`, () => s.nodeAction(n.id, 'resume'));
    if (n.status === 'stopped') await tryIt(`start n${n.id}`, () => s.nodeAction(n.id, 'start'));
    if (n.mysql.server === 'paused') {
      await tryIt(`resume n${n.id}'s MySQL`, () => s.mysqlAction(n.id, 'resume'));
    }
    if (n.mysql.server === 'stopped') {
      await tryIt(`start n${n.id}'s MySQL`, () => s.mysqlAction(n.id, 'start'));
    }
  }
  await s.waitReady(60_000);
}

/**
 * Waits until every node reports the same applied index and checksum twice in a row, with
 * every MySQL up. Returns each replica's checksum; records an anomaly when they never agree.
 */
async function converge(
  s: Supervisor,
  anomalies: Anomaly[],
  say: (l: string) => void,
): Promise<VerifyResult['replicas']> {
  const deadline = Date.now() + 60_000;
  let previous = '';
  let last: { nodeId: number; sum: ChecksumResponse | undefined }[] = [];
  while (Date.now() < deadline) {
    last = await Promise.all(
      s.status().nodes.map(async (n) => ({
        nodeId: n.id,
        sum: await getJson<ChecksumResponse>(`${n.clientUrl}/checksum`, s.token),
      })),
    );
    const key = JSON.stringify(last.map((r) => [r.sum?.appliedIndex, r.sum?.checksum]));
    const allSame =
      last.every((r) => r.sum !== undefined) &&
      new Set(last.map((r) => `${r.sum?.appliedIndex}/${r.sum?.checksum}`)).size === 1;
    if (allSame && key === previous) {
      say(`every replica at index ${last[0].sum?.appliedIndex}, same checksum`);
      return last.map((r) => ({
        nodeId: r.nodeId,
        appliedIndex: r.sum?.appliedIndex ?? 0,
        checksum: r.sum?.checksum ?? '',
        tasks: 0,
      }));
    }
    previous = key;
    await sleep(500);
  }
  const view = last.map(
    (r) =>
      `n${r.nodeId}: ${r.sum ? `${r.sum.appliedIndex} ${r.sum.checksum.slice(0, 12)}` : 'no answer'}`,
  );
  anomalies.push({
    kind: 'replica',
    message: `replicas did not converge within 60 s: ${view.join('; ')}`,
  });
  return last.map((r) => ({
    nodeId: r.nodeId,
    appliedIndex: r.sum?.appliedIndex ?? 0,
    checksum: r.sum?.checksum ?? '',
    tasks: 0,
  }));
}

async function finalRead(
  log: HistoryLog,
  targets: () => string[],
  token: string,
): Promise<Task[] | undefined> {
  const req: TaskRequest = {
    method: 'GET',
    path: '/tasks',
    query: new URLSearchParams({ consistency: 'linearizable', limit: '10000' }),
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    const urls = targets();
    if (urls.length > 0) {
      const p = log.begin('final', req);
      const answer = await send(urls[attempt % urls.length], token, req, 10_000);
      log.finish(p, answer);
      const tasks = answer?.status === 200 ? tasksOf(answer.body) : undefined;
      if (tasks !== undefined) return tasks;
    }
    await sleep(500);
  }
  return undefined;
}
