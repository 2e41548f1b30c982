/**
 * Crash rounds on a running cluster. Each round: writers start; most rounds first make one node
 * crash at a failpoint (failpoint-round.ts: the points in turn, so the crash lands exactly
 * there); after a random delay every node (still running)
 * is SIGKILLed (all at once, or one after another a few ms apart so the last ones may still
 * commit); every node is started again (its WAL replayed: a node that cannot recover does not
 * start, and that fails the round); writers keep going until every write they began is
 * acknowledged; a few acknowledged writes are re-sent with their keys and must get their first
 * answer; then `checkRound`. The data accumulates, so later rounds re-check every earlier write
 * after one more crash. Every random choice comes from the seed, which the caller prints (the
 * moments themselves still depend on timing, so a seed reproduces the plan, not the race).
 */
import { SimRng } from '../../cluster/sim/rng.js';
import { sleep, type Cluster } from '../cluster/harness/index.js';
import { checkRound } from './check.js';
import { Workload, type LogicalWrite } from './workload.js';
import {
  crashAtFailpoint,
  describeFailpoint,
  planFor,
  type FailpointCrash,
} from './failpoint-round.js';

export interface CrashOptions {
  readonly rounds: number;
  readonly seed: number;
  /** Concurrent writers (default 6). */
  readonly writers?: number;
  /** Progress lines (one per round). */
  readonly log?: (line: string) => void;
}

export interface RoundReport {
  readonly round: number;
  readonly killAfterMs: number;
  /** 0: every node killed at once; else ms between kills. */
  readonly staggerMs: number;
  /** The failpoint this round armed (undefined: SIGKILL only). */
  readonly failpoint?: FailpointCrash;
  readonly ackedBeforeKill: number;
  readonly inFlightAtKill: number;
  readonly acked: number;
  readonly retried: number;
  readonly restartMs: number;
  /** Recovery notes the nodes printed (a torn WAL tail cut, a snapshot skipped). */
  readonly walNotes: number;
  readonly appliedIndex: number;
  readonly tasks: number;
  readonly problems: readonly string[];
}

export interface CrashReport {
  readonly seed: number;
  readonly rounds: readonly RoundReport[];
  readonly ok: boolean;
  /** One line: rounds, writes, crashes, problems, verdict. */
  readonly summary: string;
}

const WAL_NOTE = /WAL: (truncated|skipped)/;

/** Re-sends up to 3 acknowledged writes of the round (those in flight at the kill first). */
async function resendChecks(cl: Cluster, w: Workload, rng: SimRng): Promise<string[]> {
  const acked = w.writes.filter((lw) => lw.round === w.round && lw.acked !== undefined);
  const picks = new Set<LogicalWrite>(acked.filter((lw) => lw.inFlightAtKill).slice(0, 2));
  if (acked.length > 0) picks.add(rng.pick(acked));
  const problems: string[] = [];
  for (const lw of picks) {
    const via = rng.pick(cl.ids);
    const res = await w.resend(lw, via);
    const first = lw.acked;
    const what = `re-sent ${lw.kind} "${lw.text || lw.taskId}" (key ${lw.key}) via n${via}`;
    if (!res.ok || !first) {
      problems.push(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      continue;
    }
    // The contract: a retry gets the first answer (docs/architecture.md §3, docs/contract.md §4), entry included.
    const got = JSON.stringify([res.body.task, res.body.raftIndex, res.body.term]);
    const want = JSON.stringify([first.task, first.raftIndex, first.term]);
    if (got !== want) problems.push(`${what}: answered ${got}, first answer was ${want}`);
  }
  return problems;
}

/**
 * Kills every node (in a random order, maybe staggered); problems if one was already dead, but
 * for `crashed` (the one that died at its failpoint).
 */
async function killAll(
  cl: Cluster,
  rng: SimRng,
  staggerMs: number,
  crashed: number | undefined,
): Promise<string[]> {
  const exits = [];
  for (const id of rng.shuffle(cl.ids)) {
    if (id === crashed && !cl.isRunning(id)) continue;
    if (!cl.isRunning(id)) return [`n${id} was not running at the kill: ${cl.nodeStderr(id)}`];
    exits.push(cl.kill(id, 'SIGKILL').then((e) => ({ id, e })));
    if (staggerMs > 0) await sleep(staggerMs);
  }
  return (await Promise.all(exits))
    .filter(({ e }) => e.signal !== 'SIGKILL')
    .map(({ id, e }) => `n${id} exited with ${JSON.stringify(e)} before the SIGKILL`);
}

async function oneRound(
  cl: Cluster,
  w: Workload,
  round: number,
  seed: number,
): Promise<RoundReport> {
  const rng = new SimRng(seed, `round ${round}`);
  const walBefore = cl.ids.map((id) => countNotes(cl.nodeStderr(id, 'all')));
  w.start(round, (writer) => new SimRng(seed, `round ${round} writer ${writer}`));
  const killAfterMs = rng.range(300, 1500);
  const staggerMs = rng.chance(0.3) ? rng.range(1, 60) : 0;
  const point = planFor(round);
  let failpoint: FailpointCrash | undefined;
  if (point === null) {
    await sleep(killAfterMs);
  } else {
    // Writes flow first; the rest of the cluster is SIGKILLed once the point crashed its node.
    await sleep(killAfterMs / 2);
    failpoint = await crashAtFailpoint(cl, point, rng);
  }
  const inFlightAtKill = w.markInFlight();
  const ackedBeforeKill = w.ackedCount();
  const crashed = failpoint?.hit === true ? failpoint.node : undefined;
  const problems = await killAll(cl, rng, staggerMs, crashed);

  const t0 = Date.now();
  try {
    await cl.startAll();
  } catch (e) {
    problems.push(`restart failed (a WAL that does not recover?): ${(e as Error).message}`);
  }
  const restartMs = Date.now() - t0;
  let appliedIndex = 0;
  let tasks = 0;
  if (problems.length === 0) {
    // Writes also go on after recovery, then every started one must end acknowledged.
    await sleep(rng.range(100, 400));
    await w.finish();
    problems.push(...(await resendChecks(cl, w, rng)));
    const check = await checkRound(cl, w);
    problems.push(...check.problems);
    ({ appliedIndex, tasks } = check);
  } else {
    await w.finish(true);
  }
  const mine = w.writes.filter((lw) => lw.round === round);
  return {
    round,
    killAfterMs,
    staggerMs,
    ...(failpoint === undefined ? {} : { failpoint }),
    ackedBeforeKill,
    inFlightAtKill,
    acked: mine.filter((lw) => lw.acked !== undefined).length,
    retried: mine.filter((lw) => lw.attempts > 1).length,
    restartMs,
    walNotes:
      cl.ids.reduce((n, id) => n + countNotes(cl.nodeStderr(id, 'all')), 0) -
      walBefore.reduce((a, b) => a + b, 0),
    appliedIndex,
    tasks,
    problems,
  };
}

function countNotes(output: string): number {
  return output.split('\n').filter((l) => WAL_NOTE.test(l)).length;
}

function describeRound(r: RoundReport, of: number): string {
  const kill = r.staggerMs > 0 ? `staggered ${r.staggerMs} ms` : 'all at once';
  const kills = r.failpoint
    ? `${describeFailpoint(r.failpoint)}, then SIGKILL (${kill})`
    : `SIGKILL after ${r.killAfterMs} ms (${kill})`;
  return (
    `round ${r.round}/${of}: ${kills}, ` +
    `${r.ackedBeforeKill} acked before, ${r.inFlightAtKill} in flight; restart ${r.restartMs} ms; ` +
    `${r.acked} acked, ${r.retried} retried; ${r.tasks} tasks at index ${r.appliedIndex}` +
    (r.walNotes > 0 ? `; ${r.walNotes} WAL recovery notes` : '') +
    (r.problems.length > 0 ? `; ${r.problems.length} PROBLEMS` : '; ok')
  );
}

/** Runs the rounds, stopping at the first one with a problem (the state after it is suspect). */
export async function runCrashRounds(cl: Cluster, opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? (() => undefined);
  const w = new Workload(cl);
  await w.setUp(opts.writers ?? 6, new SimRng(opts.seed, 'setup'));
  const rounds: RoundReport[] = [];
  for (let r = 1; r <= opts.rounds; r++) {
    const report = await oneRound(cl, w, r, opts.seed);
    rounds.push(report);
    log(describeRound(report, opts.rounds));
    for (const p of report.problems.slice(0, 20)) log(`  ${p}`);
    if (report.problems.length > 0) break;
  }
  const ok = rounds.length === opts.rounds && rounds.every((r) => r.problems.length === 0);
  const acked = w.writes.filter((lw) => lw.acked !== undefined);
  const count = (k: string): number => acked.filter((lw) => lw.kind === k).length;
  const problems = rounds.reduce((n, r) => n + r.problems.length, 0);
  const summary =
    `crash durability: ${rounds.length}/${opts.rounds} rounds, seed ${opts.seed}, ` +
    `${acked.length} writes acknowledged (${count('create')} creates, ${count('patch')} patches, ` +
    `${count('delete')} deletes), ${rounds.reduce((n, r) => n + r.inFlightAtKill, 0)} in flight ` +
    `at a kill, ${acked.filter((lw) => lw.attempts > 1).length} retried, ` +
    `${rounds.filter((r) => r.failpoint?.hit === true).length} failpoint crashes, ` +
    `${problems} problems: ${ok ? 'OK' : 'FAILED'}`;
  return { seed: opts.seed, rounds, ok, summary };
}

/** The seed given (decimal), or a fresh random one. */
export function chooseSeed(given: string | undefined): number {
  if (given !== undefined && given.trim() !== '') {
    const n = Number(given);
    if (!Number.isSafeInteger(n)) throw new Error(`the seed must be an integer, got ${given}`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
