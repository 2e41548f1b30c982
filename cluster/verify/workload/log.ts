/**
 * HistoryLog: turns task requests and their answers into the checker's history (history.ts),
 * following its rules: one monotonic clock; a write without a definite answer is unknown
 * (`ret: null`), never failed; retries with the same Idempotency-Key are one operation (first
 * call, last definite answer); 400s are left out; only linearizable reads go into the history;
 * a list read becomes one read per task (list.ts). Stale and leader reads are kept apart, with
 * the node and applied index they were served at, for the prefix check (stale.ts).
 *
 * Times are milliseconds since the log was made (`performance.now()` based), so a report or a
 * timeline can show them directly.
 */
import type { Task } from '../../api/task.js';
import type { CreateResult, DeleteResult, Op, UpdateResult } from '../history.js';
import { attributeCreates, splitListRead } from '../list.js';
import {
  classify,
  numberField,
  taskOf,
  tasksOf,
  writeAnswerKind,
  type Classified,
  type TaskAnswer,
  type TaskRequest,
} from './exchange.js';

/** A write the cluster acknowledged, with where it landed in the log. */
export interface AckedWrite {
  readonly f: 'create' | 'update' | 'delete';
  readonly taskId: string;
  readonly raftIndex: number;
  /** The task's version after the write (0 for a delete). */
  readonly version: number;
  readonly ret: number;
}

/** A stale (or leader) read: what one node showed, at what applied index. */
export interface StaleRead {
  readonly client: string;
  readonly call: number;
  readonly ret: number;
  readonly consistency: string;
  readonly servedBy: number;
  readonly appliedIndex: number;
  /** The one task read (null: 404), or the tasks of a list. */
  readonly taskId?: string;
  readonly tasks: readonly Task[];
  /** A list with no filter shorter than its limit: tasks missing from it are absent there. */
  readonly complete: boolean;
}

/** How long after its acknowledged delete a task is still checked absent in complete lists. */
const DELETED_KEPT_MS = 10_000;

type WriteOp = Extract<Classified, { f: 'create' | 'update' | 'delete' }>;

interface WriteEntry {
  readonly client: string;
  readonly call: number;
  readonly what: WriteOp;
  ret: number | null;
  status: number | null;
  task: Task | undefined;
  dropped: boolean;
}

/** What `begin` hands back; give it to `finish` with the answer. */
export interface Pending {
  readonly client: string;
  readonly call: number;
  readonly what: Classified;
  readonly entry?: WriteEntry;
}

export class HistoryLog {
  private readonly origin = performance.now();
  private readonly writes: WriteEntry[] = [];
  private readonly byKey = new Map<string, WriteEntry>();
  private readonly reads: Op[] = [];
  private readonly known = new Set<string>();
  /** When each acknowledged delete was answered. */
  private readonly deletedAt = new Map<string, number>();
  readonly stale: StaleRead[] = [];
  readonly acked: AckedWrite[] = [];
  /** Requests seen, by what happened to them (for summaries). */
  readonly counts = { answered: 0, unanswered: 0, refused: 0 };

  /** Milliseconds since this log was made (monotonic). */
  now(): number {
    return performance.now() - this.origin;
  }

  /** Call just before sending the request. */
  begin(client: string, req: TaskRequest): Pending {
    const call = this.now();
    const what = classify(req);
    if (what.f !== 'create' && what.f !== 'update' && what.f !== 'delete') {
      return { client, call, what };
    }
    const key = req.idempotencyKey;
    const same = key === undefined ? undefined : this.byKey.get(`${client}\n${key}`);
    // A retry: the same operation as the first attempt, which keeps its call time.
    if (same !== undefined && !same.dropped) return { client, call: same.call, what, entry: same };
    const entry: WriteEntry = {
      client,
      call,
      what,
      ret: null,
      status: null,
      task: undefined,
      dropped: false,
    };
    this.writes.push(entry);
    if (key !== undefined) this.byKey.set(`${client}\n${key}`, entry);
    return { client, call, what, entry };
  }

  /** Call just after the answer arrived (or the request failed: `null`). */
  finish(p: Pending, answer: TaskAnswer): void {
    const ret = Math.max(this.now(), p.call);
    if (answer === null) this.counts.unanswered++;
    else this.counts.answered++;
    if (p.entry !== undefined) return this.finishWrite(p.entry, answer, ret);
    const { what } = p;
    if (answer === null || (what.f !== 'read' && what.f !== 'list')) return;
    const status = answer.status;
    const linearizable = what.consistency === 'linearizable';
    if (what.f === 'read') {
      if (status !== 200 && status !== 404) return;
      const task = taskOf(answer.body);
      if (status === 200 && task === undefined) return;
      if (linearizable) {
        this.reads.push({
          f: 'read',
          client: p.client,
          taskId: what.taskId,
          call: p.call,
          ret,
          out: status === 200 && task !== undefined ? { status: 200, task } : { status: 404 },
        });
      } else if (status === 200 || status === 404) {
        this.stale.push({
          client: p.client,
          call: p.call,
          ret,
          consistency: what.consistency,
          servedBy: numberField(answer.body, 'servedBy') ?? 0,
          // A 404 carries no applied index: it only says "absent at some point".
          appliedIndex: numberField(answer.body, 'appliedIndex') ?? 0,
          taskId: what.taskId,
          tasks: task === undefined ? [] : [task],
          complete: false,
        });
      }
      return;
    }
    const tasks = status === 200 ? tasksOf(answer.body) : undefined;
    if (tasks === undefined) return;
    const complete = what.unfiltered && tasks.length < what.limit;
    if (linearizable) {
      const split = splitListRead(
        { client: p.client, call: p.call, ret, tasks, complete },
        this.listedIds(p.call),
      );
      for (const r of split.reads) this.reads.push(r);
    } else {
      this.stale.push({
        client: p.client,
        call: p.call,
        ret,
        consistency: what.consistency,
        servedBy: numberField(answer.body, 'servedBy') ?? 0,
        appliedIndex: numberField(answer.body, 'appliedIndex') ?? 0,
        tasks,
        complete,
      });
    }
  }

  private finishWrite(e: WriteEntry, answer: TaskAnswer, ret: number): void {
    const kind = writeAnswerKind(answer);
    if (kind === 'refused') {
      this.counts.refused++;
      // Refused before reaching the log: not an operation (unless an earlier try was answered).
      if (e.ret === null) e.dropped = true;
      return;
    }
    if (kind === 'unknown' || answer === null) return;
    const task = taskOf(answer.body);
    if ((answer.status === 200 || answer.status === 201) && e.what.f !== 'delete' && !task) return;
    e.ret = ret;
    e.status = answer.status;
    e.task = task;
    const raftIndex = numberField(answer.body, 'raftIndex');
    const taskId = task?.id ?? (e.what.f === 'create' ? undefined : e.what.taskId);
    if (task !== undefined) this.known.add(task.id);
    if (e.what.f === 'delete' && answer.status === 200) this.deletedAt.set(e.what.taskId, ret);
    if ((answer.status === 200 || answer.status === 201) && raftIndex !== undefined && taskId) {
      this.acked.push({
        f: e.what.f,
        taskId,
        raftIndex,
        version: e.what.f === 'delete' ? 0 : (task?.version ?? 0),
        ret,
      });
    }
  }

  /**
   * The known tasks a complete list read is checked against (each absent one becomes a 404
   * read): all but those whose delete was acknowledged well before the list was called. Any
   * subset is sound; this one keeps a long run's history from growing with every task it ever
   * deleted, while a task coming back soon after its delete is still caught.
   */
  private listedIds(call: number): string[] {
    const out: string[] = [];
    for (const id of this.known) {
      const at = this.deletedAt.get(id);
      if (at === undefined || at > call - DELETED_KEPT_MS) out.push(id);
    }
    return out;
  }

  /** Ids of tasks this log has seen created or read. */
  knownIds(): ReadonlySet<string> {
    return this.known;
  }

  /** Operations in the history so far (a list read counts once per task it covers). */
  size(): number {
    return this.writes.filter((e) => !e.dropped).length + this.reads.length;
  }

  /** Unknown-outcome writes so far (sent, never answered definitely). */
  unknownWrites(): number {
    return this.writes.filter((e) => !e.dropped && e.ret === null).length;
  }

  /** The history so far, creates with lost answers attributed where a read shows them. */
  ops(): Op[] {
    const out: Op[] = [];
    for (const e of this.writes) {
      if (e.dropped) continue;
      const op = toOp(e);
      if (op !== undefined) out.push(op);
    }
    // Not push(...reads): a long run has more reads than a call may have arguments.
    return attributeCreates(out.concat(this.reads));
  }
}

function toOp(e: WriteEntry): Op | undefined {
  const base = { client: e.client, call: e.call };
  const unknown = { ret: null, out: null } as const;
  const w = e.what;
  const answered = e.ret !== null && e.status !== null;
  const ev = w.f !== 'create' && w.expectedVersion !== undefined;
  switch (w.f) {
    case 'create': {
      if (!answered) return { ...base, f: 'create', input: w.input, ...unknown };
      if (e.status === 201 && e.task) {
        const out: CreateResult = { status: 201, task: e.task };
        return { ...base, f: 'create', input: w.input, ret: e.ret as number, out };
      }
      // 409/404 on a create: not something this API answers; leave it out rather than guess.
      return undefined;
    }
    case 'update': {
      const head = {
        ...base,
        f: 'update' as const,
        taskId: w.taskId,
        patch: w.patch,
        ...(ev ? { expectedVersion: w.expectedVersion } : {}),
      };
      if (!answered) return { ...head, ...unknown };
      let out: UpdateResult;
      if (e.status === 200 && e.task) out = { status: 200, task: e.task };
      else if (e.status === 404 || e.status === 409) out = { status: e.status };
      else return { ...head, ...unknown };
      return { ...head, ret: e.ret as number, out };
    }
    case 'delete': {
      const head = {
        ...base,
        f: 'delete' as const,
        taskId: w.taskId,
        ...(ev ? { expectedVersion: w.expectedVersion } : {}),
      };
      if (!answered) return { ...head, ...unknown };
      let out: DeleteResult;
      if (e.status === 200 || e.status === 404 || e.status === 409) out = { status: e.status };
      else return { ...head, ...unknown };
      return { ...head, ret: e.ret as number, out };
    }
  }
}
