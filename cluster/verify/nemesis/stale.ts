/**
 * What stale reads (and each replica's final contents) must satisfy. They promise no recency,
 * only that a node shows a prefix of the committed log: at applied index A it reflects every
 * write committed at an index ≤ A. So, for every answer served at applied index A:
 * - a task shown there was not deleted by an acknowledged delete at an index ≤ A;
 * - a task shown there is at least as new as the last acknowledged write to it at an index ≤ A;
 * - a complete list (no filter, under its limit) shows every task acknowledged as created at an
 *   index ≤ A, unless a delete of it (acknowledged at any index, or of unknown outcome) may have
 *   removed it: the applied index is read before the data, so the answer may reflect more.
 * And everywhere, in every answer: one task at one version is one state (same fields, same log
 * index) — two different states at the same version mean replicas diverged.
 */
import type { Task } from '../../api/task.js';
import { taskIdOf, type Op } from '../history.js';
import type { AckedWrite, StaleRead } from '../workload/index.js';

export interface Anomaly {
  readonly kind: 'linearizability' | 'stale-read' | 'divergence' | 'replica' | 'process' | 'check';
  readonly message: string;
}

function signature(t: Task): string {
  return JSON.stringify([t.title, t.description, t.status, t.priority, t.dueDate, t.raftIndex]);
}

const LIMIT = 20;

export function checkStale(
  stale: readonly StaleRead[],
  acked: readonly AckedWrite[],
  ops: readonly Op[],
): Anomaly[] {
  const out: Anomaly[] = [];
  const push = (a: Anomaly): void => {
    if (out.length < LIMIT) out.push(a);
  };
  const byTask = new Map<string, AckedWrite[]>();
  for (const w of acked) {
    let list = byTask.get(w.taskId);
    if (list === undefined) byTask.set(w.taskId, (list = []));
    list.push(w);
  }
  // Tasks a delete may have removed from an answer: an answer at applied index A reflects at
  // least A, maybe more (the index is read before the data), so a delete at ANY index counts,
  // acknowledged or of unknown outcome.
  const mayBeDeleted = new Set<string>();
  for (const op of ops) if (op.f === 'delete' && op.out === null) mayBeDeleted.add(op.taskId);
  for (const w of acked) if (w.f === 'delete') mayBeDeleted.add(w.taskId);

  // One version, one state: across write answers, linearizable reads and stale reads.
  const states = new Map<string, { sig: string; where: string }>();
  const see = (t: Task, where: string): void => {
    const key = `${t.id}@${t.version}`;
    const sig = signature(t);
    const prev = states.get(key);
    if (prev === undefined) states.set(key, { sig, where });
    else if (prev.sig !== sig) {
      push({
        kind: 'divergence',
        message: `task ${t.id} at version ${t.version} has two states: ${prev.sig} (${prev.where}) and ${sig} (${where})`,
      });
    }
  };
  for (const op of ops) {
    if (op.out !== null && 'task' in op.out) see(op.out.task, `${op.f} by ${op.client}`);
  }

  for (const r of stale) {
    const where = `${r.consistency} read by ${r.client} from n${r.servedBy} at applied index ${r.appliedIndex}`;
    for (const t of r.tasks) see(t, where);
    if (r.appliedIndex <= 0) continue;
    const shown = new Set<string>();
    for (const t of r.tasks) {
      shown.add(t.id);
      const writes = (byTask.get(t.id) ?? []).filter((w) => w.raftIndex <= r.appliedIndex);
      const del = writes.find((w) => w.f === 'delete');
      if (del !== undefined) {
        push({
          kind: 'stale-read',
          message: `${where} shows task ${t.id}, deleted at index ${del.raftIndex}`,
        });
        continue;
      }
      const last = Math.max(0, ...writes.map((w) => w.raftIndex));
      if (t.raftIndex < last) {
        push({
          kind: 'stale-read',
          message: `${where} shows task ${t.id} as written at index ${t.raftIndex}, but a write at index ${last} ≤ ${r.appliedIndex} was acknowledged`,
        });
      }
    }
    if (!r.complete) continue;
    for (const [id, writes] of byTask) {
      if (shown.has(id) || mayBeDeleted.has(id)) continue;
      const create = writes.find((w) => w.f === 'create' && w.raftIndex <= r.appliedIndex);
      if (create !== undefined) {
        push({
          kind: 'stale-read',
          message: `${where} lacks task ${id}, created at index ${create.raftIndex} and never deleted`,
        });
      }
    }
  }
  return out;
}

/** Task ids the history refers to (for summaries). */
export function tasksIn(ops: readonly Op[]): number {
  return new Set(ops.map(taskIdOf).filter((id) => id !== undefined)).size;
}
