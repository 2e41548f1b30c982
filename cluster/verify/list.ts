/**
 * Turning what a recorder sees into per-task history records.
 *
 * A list read (`GET /tasks?consistency=linearizable`) observes many tasks at one instant. The
 * checker splits histories per task, so the recorder records it as one read per task it covers,
 * all with the list's call and return times:
 * - every task in the answer → a read that found it (200 with that task);
 * - every other task the recorder knows of → a read that found nothing (404), but ONLY when the
 *   list is complete: no `status`/`q` filter, `offset` 0 and fewer tasks than `limit`. A filtered
 *   or truncated list says nothing about the tasks it leaves out.
 * This is sound — a linearizable list gives linearizable per-task reads — though weaker than
 * checking the list as one atomic snapshot (two tasks seen from different instants pass).
 */
import type { Task } from '../api/task.js';
import type { CreateOp, Op, ReadOp } from './history.js';
import { created, sameState } from './model.js';

export interface ListRead {
  readonly client: string;
  readonly call: number;
  readonly ret: number;
  readonly tasks: readonly Task[];
  /** No filter, offset 0, fewer tasks than the limit: the answer shows every task that exists. */
  readonly complete: boolean;
}

export interface SplitList {
  readonly reads: ReadOp[];
  /**
   * Ids in the answer the recorder did not know: tasks from creates whose answer was lost (see
   * `attributeCreates`), or tasks nobody created — which the checker will then report.
   */
  readonly unknownIds: string[];
}

export function splitListRead(list: ListRead, knownIds: Iterable<string>): SplitList {
  const { client, call, ret } = list;
  const known = new Set(knownIds);
  const seen = new Set<string>();
  const reads: ReadOp[] = [];
  const unknownIds: string[] = [];
  for (const task of list.tasks) {
    seen.add(task.id);
    if (!known.has(task.id)) unknownIds.push(task.id);
    reads.push({ f: 'read', client, taskId: task.id, call, ret, out: { status: 200, task } });
  }
  if (list.complete) {
    for (const id of known) {
      if (!seen.has(id)) {
        reads.push({ f: 'read', client, taskId: id, call, ret, out: { status: 404 } });
      }
    }
  }
  return { reads, unknownIds };
}

/**
 * Gives an id to each create whose answer was lost, when exactly one task was later read at
 * version 1 with the fields that create asked for, and no create is known for that task. The
 * read must end after the create was called. Ambiguous matches (same fields) are left alone:
 * hence unique titles. Returns a new history; the other records are the same objects.
 */
export function attributeCreates(ops: readonly Op[]): Op[] {
  const hasCreate = new Set<string>();
  for (const op of ops) {
    if (op.f === 'create' && op.out !== null && op.out.status === 201)
      hasCreate.add(op.out.task.id);
    if (op.f === 'create' && op.taskId !== undefined) hasCreate.add(op.taskId);
  }
  // A version-1 sighting of every task without a known create; the latest-ending one, since the
  // only timing rule is that the read ends after the create was called.
  const seenAtV1 = new Map<string, { task: Task; ret: number }>();
  for (const op of ops) {
    if (op.f !== 'read' || op.out === null || op.out.status !== 200) continue;
    const t = op.out.task;
    if (t.version !== 1 || hasCreate.has(t.id)) continue;
    const prev = seenAtV1.get(t.id);
    if (prev === undefined || op.ret > prev.ret) seenAtV1.set(t.id, { task: t, ret: op.ret });
  }
  const orphans = ops.filter(
    (op): op is CreateOp => op.f === 'create' && op.out === null && op.taskId === undefined,
  );
  // Pair only one-to-one matches: a create fitting two tasks, or a task fitting two creates,
  // is ambiguous, and a wrong guess would be reported as an anomaly of the cluster.
  const candidates = new Map<CreateOp, string[]>();
  for (const [id, { task, ret }] of seenAtV1) {
    const matches = orphans.filter((c) => c.call <= ret && sameState(created(c.input), task));
    if (matches.length !== 1) continue;
    candidates.set(matches[0], [...(candidates.get(matches[0]) ?? []), id]);
  }
  const assigned = new Map<CreateOp, string>();
  for (const [create, ids] of candidates) if (ids.length === 1) assigned.set(create, ids[0]);
  return ops.map((op) => {
    if (op.f !== 'create') return op;
    const id = assigned.get(op);
    return id === undefined ? op : { ...op, taskId: id };
  });
}
