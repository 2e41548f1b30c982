/**
 * The task-API fuzz loop, against a node's client API or the control API's relay: requests are
 * sent one at a time, so that the state before and after each one is known. Besides the answer
 * rules of oracle.ts:
 *  - a request that is not a 2xx write changes nothing: the leader's checksum is the same after
 *    it (a 4xx that half-applied a change would show here: "never a partial write");
 *  - a 2xx write did what it asked, and is stored exactly as answered (read back at once,
 *    linearizably, from another node);
 *  - a write whose Idempotency-Key was already acknowledged gets the first answer again and
 *    changes nothing;
 *  - at the end every replica holds exactly the model: the tasks as the 2xx answers left them.
 * A 503 (allowed) or a lost answer makes the outcome unknown: the model is then re-read.
 */
import fc from 'fast-check';
import type { WriteResponse } from '../../../cluster/api/node.js';
import type { Task } from '../../../cluster/api/task.js';
import { intentProblems, judge, writeProblems } from './oracle.js';
import { replayCommand, sendRaw, type RawResponse } from './raw-http.js';
import { render } from './render.js';
import { taskRequest } from './requests.js';

/** Where the requests go and how the fuzz looks at the state behind them. */
export interface TaskTarget {
  readonly label: string;
  /** The ports requests are spread over (a node's client port, or the control API's). */
  readonly ports: readonly number[];
  readonly prefix: string;
  readonly token: string;
  /** Valid `servedBy` values. */
  readonly servers: readonly number[];
  /** The leader's checksum of its tasks. */
  checksum(): Promise<string>;
  /** One task read linearizably (through another node than usual), or null if absent. */
  readTask(id: string): Promise<Task | null>;
  /** Every task, linearizably. */
  allTasks(): Promise<Task[]>;
  /** Every replica's tasks once they are all at one applied index (for the final check). */
  replicas(): Promise<Map<number, Task[]>>;
}

export interface TaskFuzzOptions {
  readonly requests: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
  /** Stop after this many problems (default 10). */
  readonly maxProblems?: number;
}

export interface TaskFuzzReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly byStatus: Readonly<Record<string, number>>;
  readonly writes: number;
  readonly parserAnswers: number;
  readonly unknownOutcomes: number;
  readonly summary: string;
}

const WRITES = new Set(['POST', 'PATCH', 'DELETE']);
const BATCH = 500;

function sameAnswer(a: WriteResponse, b: WriteResponse): boolean {
  return (
    JSON.stringify([a.task, a.raftIndex, a.term]) === JSON.stringify([b.task, b.raftIndex, b.term])
  );
}

export async function fuzzTasks(t: TaskTarget, opts: TaskFuzzOptions): Promise<TaskFuzzReport> {
  const log = opts.log ?? (() => undefined);
  const maxProblems = opts.maxProblems ?? 10;
  const model = new Map<string, Task>((await t.allTasks()).map((x) => [x.id, x]));
  const firstAnswers = new Map<string, WriteResponse>();
  const usedKeys: string[] = [];
  /** Keys of writes whose outcome is unknown: a later 2xx with one may be their replay. */
  const uncertainKeys = new Set<string>();
  const problems: string[] = [];
  const byStatus: Record<string, number> = {};
  let writes = 0;
  let parserAnswers = 0;
  let unknown = 0;
  let baseline = await t.checksum();

  const resync = async (): Promise<void> => {
    unknown++;
    model.clear();
    for (const x of await t.allTasks()) model.set(x.id, x);
    baseline = await t.checksum();
  };

  for (let n = 0; n < opts.requests && problems.length < maxProblems; n += BATCH) {
    // Batches from derived seeds: the same seed gives the same requests, without holding them all.
    const batch = fc.sample(taskRequest, {
      seed: opts.seed + n,
      numRuns: Math.min(BATCH, opts.requests - n),
    });
    for (const [k, req] of batch.entries()) {
      const port = t.ports[req.node % t.ports.length];
      const r = render(req, {
        token: t.token,
        port,
        prefix: t.prefix,
        knownIds: [...model.keys()],
        version: (id) => model.get(id)?.version,
        usedKeys,
      });
      const where = `${t.label} request ${n + k} (seed ${opts.seed})`;
      const fail = (what: string): void => {
        problems.push(`${where}: ${what}\n    replay: ${replayCommand(port, r.raw)}`);
        log(problems[problems.length - 1]);
      };
      let res: RawResponse;
      try {
        res = await sendRaw(port, r.raw);
      } catch (e) {
        fail(`no answer: ${(e as Error).message}`);
        if (r.key !== undefined) uncertainKeys.add(r.key);
        await resync();
        continue;
      }
      if (r.key !== undefined) usedKeys.push(r.key);
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      // Through the control API, a target that normalizes out of /api (`/api/../`) is the web
      // UI's page, not the task API: it only has to be no 5xx.
      const ui =
        t.prefix !== '' &&
        URL.canParse(r.raw.target, 'http://localhost') &&
        !new URL(r.raw.target, 'http://localhost').pathname.startsWith(t.prefix);
      const j = ui
        ? {
            kind: 'app' as const,
            json: undefined,
            problems: res.status >= 500 ? [`HTTP ${res.status}`] : [],
          }
        : judge(req.method, res);
      if (j.kind === 'parser') parserAnswers++;
      for (const p of j.problems) fail(p);
      const ok2xx = res.status >= 200 && res.status < 300;
      if (ok2xx && WRITES.has(req.method) && j.kind === 'app') {
        writes++;
        const w = j.json as WriteResponse;
        for (const p of writeProblems(w, t.servers)) fail(p);
        if (r.key !== undefined && uncertainKeys.has(r.key)) {
          await resync();
          continue;
        }
        const first = r.key === undefined ? undefined : firstAnswers.get(r.key);
        if (first !== undefined) {
          if (!sameAnswer(first, w))
            fail(`a retry got ${JSON.stringify(w)}, the first answer was ${JSON.stringify(first)}`);
          const now = await t.checksum();
          if (now !== baseline) fail('a retried write changed the state again');
          continue;
        }
        if (r.key !== undefined) firstAnswers.set(r.key, w);
        const before = r.taskId === undefined ? undefined : model.get(r.taskId);
        for (const p of intentProblems(req.method, r.json, before, w)) fail(p);
        if (w.task !== null) model.set(w.task.id, w.task);
        else if (r.taskId !== undefined) model.delete(r.taskId);
        const id = w.task?.id ?? r.taskId;
        if (id !== undefined) {
          const stored = await t.readTask(id);
          if (JSON.stringify(stored) !== JSON.stringify(w.task)) {
            fail(
              `stored ${JSON.stringify(stored)?.slice(0, 300)}, answered ${JSON.stringify(w.task)?.slice(0, 300)}`,
            );
            if (stored === null) model.delete(id);
            else model.set(id, stored);
          }
        }
        baseline = await t.checksum();
      } else if (res.status === 503) {
        if (r.key !== undefined) uncertainKeys.add(r.key);
        await resync();
      } else {
        const now = await t.checksum();
        if (now !== baseline) {
          fail(
            `HTTP ${res.status} ${req.method} changed the state: ${JSON.stringify(j.json)?.slice(0, 200)}`,
          );
          await resync();
        }
      }
      if (problems.length >= maxProblems) break;
    }
    log(
      `${t.label}: ${Math.min(n + BATCH, opts.requests)} requests, ${writes} writes, ${problems.length} problems`,
    );
  }

  // Every replica holds exactly the model.
  const want = JSON.stringify([...model.values()].sort((a, b) => a.id.localeCompare(b.id)));
  for (const [id, tasks] of await t.replicas()) {
    const got = JSON.stringify([...tasks].sort((a, b) => a.id.localeCompare(b.id)));
    if (got !== want)
      problems.push(
        `${t.label}: n${id} does not hold what the answers said (${tasks.length} tasks, model ${model.size})`,
      );
  }
  const ok = problems.length === 0;
  const statuses = Object.entries(byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([s, c]) => `${s}×${c}`)
    .join(' ');
  const summary =
    `${t.label} fuzz: ${Object.values(byStatus).reduce((a, b) => a + b, 0)} requests (seed ${opts.seed}): ${statuses}; ` +
    `${writes} acknowledged writes, ${parserAnswers} refused by the HTTP parser, ${unknown} unknown outcomes, ` +
    `${model.size} tasks; ${problems.length} problems: ${ok ? 'OK' : 'FAILED'}`;
  return { ok, problems, byStatus, writes, parserAnswers, unknownOutcomes: unknown, summary };
}
