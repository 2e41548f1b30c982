/**
 * The checks after a crash round, once every node is back and every logical write is
 * acknowledged:
 *  - the log and MySQL agree: every node has applied exactly its commit index, its log ends
 *    there, all at the same index, and all checksums are equal;
 *  - every acknowledged write is on every replica exactly once: each create as the task its
 *    answer named (one task per title), each delete gone, each counter's version 1 + the number
 *    of its patches (a patch applied twice would show as one too many) with the last patch's text;
 *  - nothing else is there (no write that was never issued).
 * Problems are returned as lines, not thrown, so a long run can report them with the seed.
 */
import type { NodeStatus, TaskListResponse } from '../../cluster/api/node.js';
import type { Task } from '../../cluster/api/task.js';
import type { Cluster } from '../cluster/harness/index.js';
import type { Workload } from './workload.js';

/** What must be on every replica, from the acknowledged writes. */
interface Expected {
  readonly tasks: Map<string, { title: string; description: string; version: number }>;
  readonly deleted: Set<string>;
}

function expectedState(w: Workload): Expected {
  const tasks: Expected['tasks'] = new Map();
  const deleted = new Set<string>();
  for (const lw of w.writes) {
    const task = lw.acked?.task;
    if (lw.kind === 'create' && task) {
      tasks.set(task.id, { title: lw.text, description: `key ${lw.key}`, version: 1 });
    } else if (lw.kind === 'patch' && lw.acked && lw.taskId !== undefined) {
      const t = tasks.get(lw.taskId);
      if (t) tasks.set(lw.taskId, { ...t, description: lw.text, version: t.version + 1 });
    } else if (lw.kind === 'delete' && lw.acked && lw.taskId !== undefined) {
      tasks.delete(lw.taskId);
      deleted.add(lw.taskId);
    }
  }
  return { tasks, deleted };
}

/** Every task of one replica, read from its own MySQL (stale: no read barrier, no forwarding). */
export async function replicaTasks(cl: Cluster, id: number): Promise<Task[]> {
  const out: Task[] = [];
  const page = 10_000;
  for (let offset = 0; ; offset += page) {
    const res = await cl
      .client(id)
      .request<TaskListResponse>('GET', `/tasks?consistency=stale&limit=${page}&offset=${offset}`, {
        timeoutMs: 30_000,
      });
    if (!res.ok) throw new Error(`n${id} list: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...res.body.tasks);
    if (res.body.tasks.length < page) return out;
  }
}

/** Waits until every node has applied its commit index and all logs end at the same index. */
async function logsAgree(cl: Cluster): Promise<Map<number, NodeStatus>> {
  return cl.waitFor(
    async () => {
      const out = new Map<number, NodeStatus>();
      for (const id of cl.ids) out.set(id, await cl.ipcStatus(id));
      const s = [...out.values()];
      const line = s
        .map(
          (n) =>
            `n${n.id} commit ${n.commitIndex} applied ${n.appliedIndex} last ${n.lastLogIndex}`,
        )
        .join(', ');
      const c = s[0].commitIndex;
      if (s.some((n) => n.commitIndex !== c || n.appliedIndex !== c || n.lastLogIndex !== c)) {
        throw new Error(line);
      }
      return out;
    },
    15_000,
    'every node with applied index == commit index == last log index, all equal',
    100,
  );
}

function checkReplica(id: number, tasks: readonly Task[], exp: Expected, exact: boolean): string[] {
  const problems: string[] = [];
  const byId = new Map<string, Task>();
  const titles = new Map<string, number>();
  for (const t of tasks) {
    if (byId.has(t.id)) problems.push(`n${id}: task ${t.id} listed twice`);
    byId.set(t.id, t);
    titles.set(t.title, (titles.get(t.title) ?? 0) + 1);
  }
  for (const [tid, want] of exp.tasks) {
    const got = byId.get(tid);
    if (!got) {
      problems.push(`n${id}: acknowledged task "${want.title}" (${tid}) is missing`);
      continue;
    }
    if ((titles.get(want.title) ?? 0) !== 1) {
      problems.push(`n${id}: "${want.title}" is there ${titles.get(want.title)} times`);
    }
    if (got.title !== want.title || got.description !== want.description) {
      problems.push(
        `n${id}: ${tid} is ${JSON.stringify([got.title, got.description])}, ` +
          `acknowledged ${JSON.stringify([want.title, want.description])}`,
      );
    }
    // Exact only when no write was given up: a write that was never acknowledged may or may
    // not have been applied, and would move the version by one.
    if (exact && got.version !== want.version) {
      problems.push(
        `n${id}: "${want.title}" has version ${got.version}, expected ${want.version} ` +
          '(a patch lost or applied twice)',
      );
    }
  }
  for (const tid of exp.deleted) {
    if (byId.has(tid)) problems.push(`n${id}: task ${tid} was deleted (acknowledged) but is there`);
  }
  if (exact) {
    for (const t of tasks) {
      if (!exp.tasks.has(t.id)) problems.push(`n${id}: unexpected task "${t.title}" (${t.id})`);
    }
  }
  return problems;
}

export interface CheckResult {
  readonly problems: string[];
  readonly appliedIndex: number;
  readonly tasks: number;
}

/** Runs every check; returns the problems (empty when the round is good). */
export async function checkRound(cl: Cluster, w: Workload): Promise<CheckResult> {
  const problems: string[] = [];
  const failed = w.writes.filter((lw) => lw.failed !== undefined);
  for (const lw of failed.slice(0, 10)) {
    problems.push(`${lw.kind} "${lw.text}" (key ${lw.key}) given up: ${lw.failed}`);
  }
  const sums = await cl.checksums(30_000, cl.ids);
  const distinct = new Set([...sums.values()].map((s) => s.checksum));
  if (distinct.size !== 1) {
    problems.push(
      `checksums differ: ${[...sums].map(([id, s]) => `n${id} ${s.checksum}`).join(', ')}`,
    );
  }
  const statuses = await logsAgree(cl);
  const appliedIndex = [...statuses.values()][0].appliedIndex;
  const exp = expectedState(w);
  const lists = new Map<number, Task[]>();
  for (const id of cl.ids) lists.set(id, await replicaTasks(cl, id));
  for (const [id, tasks] of lists)
    problems.push(...checkReplica(id, tasks, exp, failed.length === 0));
  return { problems, appliedIndex, tasks: lists.get(cl.ids[0])?.length ?? 0 };
}
