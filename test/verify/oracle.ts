/**
 * A brute-force linearizability oracle for tiny histories, written independently of the checker
 * (its own copy of the server's `execute` rules, no memoization, no just-in-time trick): it tries
 * every order that respects real time, placing each lost-answer write at any point (up to its
 * `until`, if the checker set one) or never.
 * Exponential, so only for the cross-check on histories of a handful of operations.
 */
import type { Task } from '../../cluster/api/task.js';
import type { Op } from '../../cluster/verify/index.js';

type Fields = Pick<Task, 'version' | 'title' | 'description' | 'status' | 'priority' | 'dueDate'>;
type Db = ReadonlyMap<string, Fields>;

interface Answer {
  readonly status: number;
  readonly task?: Fields;
}

/** What the server would answer, and the database after, for `op` on `db`. */
function execute(db: Db, op: Op, id: string): { answer: Answer; db: Db } {
  const cur = db.get(id);
  const next = new Map(db);
  if (op.f === 'read') return { answer: cur ? { status: 200, task: cur } : { status: 404 }, db };
  if (op.f === 'create') {
    if (cur) return { answer: { status: 409 }, db };
    const i = op.input;
    const t: Fields = {
      version: 1,
      title: i.title.trim(),
      description: i.description ?? '',
      status: i.status ?? 'todo',
      priority: i.priority ?? 'medium',
      dueDate: i.dueDate === undefined ? null : i.dueDate,
    };
    next.set(id, t);
    return { answer: { status: 201, task: t }, db: next };
  }
  if (!cur) return { answer: { status: 404 }, db };
  if (op.expectedVersion !== undefined && op.expectedVersion !== cur.version) {
    return { answer: { status: 409 }, db };
  }
  if (op.f === 'delete') {
    next.delete(id);
    return { answer: { status: 200 }, db: next };
  }
  const p = op.patch;
  const t: Fields = {
    version: cur.version + 1,
    title: p.title === undefined ? cur.title : p.title.trim(),
    description: p.description === undefined ? cur.description : p.description,
    status: p.status === undefined ? cur.status : p.status,
    priority: p.priority === undefined ? cur.priority : p.priority,
    dueDate: p.dueDate === undefined ? cur.dueDate : p.dueDate,
  };
  next.set(id, t);
  return { answer: { status: 200, task: t }, db: next };
}

function sameAnswer(a: Answer, recorded: Answer): boolean {
  if (a.status !== recorded.status) return false;
  if (a.task === undefined || recorded.task === undefined) return true;
  const keys = ['version', 'title', 'description', 'status', 'priority', 'dueDate'] as const;
  return keys.every((k) => a.task?.[k] === recorded.task?.[k]);
}

function idOf(op: Op): string {
  if (op.f !== 'create') return op.taskId;
  return op.out !== null && op.out.status === 201 ? op.out.task.id : (op.taskId ?? '?');
}

/** Whether some real-time-respecting order of `ops` (all tasks together) explains every answer. */
export function bruteForceLinearizable(ops: readonly Op[]): boolean {
  const done = new Array<boolean>(ops.length).fill(false);
  const answered = ops.filter((op) => op.out !== null).length;
  const go = (db: Db, placed: number): boolean => {
    if (placed === answered) return true;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (done[i]) continue;
      const blocked = ops.some((p, j) => !done[j] && p.ret !== null && p.ret < op.call);
      if (blocked) continue;
      // A write whose answer the checker set aside ran until `until`: nothing called later can
      // have been placed before it.
      const until = op.out === null ? (op.until ?? Infinity) : Infinity;
      if (ops.some((p, j) => done[j] && p.call > until)) continue;
      const { answer, db: after } = execute(db, op, idOf(op));
      if (op.out !== null && !sameAnswer(answer, op.out)) continue;
      done[i] = true;
      const ok = go(after, placed + (op.out !== null ? 1 : 0));
      done[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return go(new Map(), 0);
}
