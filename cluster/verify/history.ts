/**
 * The history the linearizability checker reads: one record per client operation on a task, with
 * the times it was called and answered (docs/contract.md §4–5, issue 6 §1).
 *
 * How a recorder fills it in:
 * - `call` / `ret` are milliseconds from ONE monotonic clock (`performance.now()` in the process
 *   that runs every client), read just before the request is sent and just after the answer
 *   arrives. Wall-clock time would let NTP steps reorder operations and invent anomalies.
 * - An operation whose outcome is unknown — timeout, dropped connection, 5xx/503 after a write
 *   was sent — is recorded with `ret: null, out: null`: it may take effect at any time after
 *   `call`, or never. Never record such a write as failed: it may have committed.
 * - A retry with the same Idempotency-Key is the same operation: one record, `call` of the first
 *   attempt, `ret`/`out` of the answer that finally arrived (or unknown if none did).
 * - A 400 (invalid input) or 413 never reaches the log: leave it out of the history.
 * - Only `consistency=linearizable` reads belong here; `leader`/`stale` reads promise less and are
 *   checked elsewhere. A list read becomes one read per task it covers: see `list.ts`.
 * - The server picks a create's id. A create whose answer was lost has no id; if its task turns up
 *   later in a list, `attributeCreates` (list.ts) recovers the id. Give every create a unique
 *   title so that match is unambiguous.
 */
import type { Task, TaskInput, TaskPatch } from '../api/task.js';

/** An answered operation: the answer and when it arrived. */
export interface Answered<Out> {
  readonly ret: number;
  readonly out: Out;
}

/** An operation with no answer: as if it returned at +∞ with any result. */
export interface Unanswered {
  readonly ret: null;
  readonly out: null;
  /**
   * Set only by the checker when it sets an answer aside (shrinking, windows): the write ran
   * until then, so it took effect by then or never. A recorder leaves it out — a write whose
   * client gave up may still be applied later.
   */
  readonly until?: number;
}

export type Outcome<Out> = Answered<Out> | Unanswered;

interface OpBase {
  /** Who issued it (a client worker's name); only for display: real time orders operations. */
  readonly client: string;
  /** When the request was sent (ms, monotonic). */
  readonly call: number;
}

/** 201 with the new task, or 409 when the id already existed. */
export type CreateResult = { readonly status: 201; readonly task: Task } | { readonly status: 409 };
export type ReadResult = { readonly status: 200; readonly task: Task } | { readonly status: 404 };
/** 200 with the task after the patch (its version is the new version), 404 or 409. */
export type UpdateResult =
  | { readonly status: 200; readonly task: Task }
  | { readonly status: 404 }
  | { readonly status: 409 };
export type DeleteResult =
  { readonly status: 200 } | { readonly status: 404 } | { readonly status: 409 };

export type CreateOp = OpBase & {
  readonly f: 'create';
  /**
   * The task's id when it is known without the answer (a 409, or recovered by
   * `attributeCreates`); on a 201 the answer's `task.id` is used.
   */
  readonly taskId?: string;
  readonly input: TaskInput;
} & Outcome<CreateResult>;

export type ReadOp = OpBase & { readonly f: 'read'; readonly taskId: string } & Outcome<ReadResult>;

export type UpdateOp = OpBase & {
  readonly f: 'update';
  readonly taskId: string;
  readonly patch: TaskPatch;
  readonly expectedVersion?: number;
} & Outcome<UpdateResult>;

export type DeleteOp = OpBase & {
  readonly f: 'delete';
  readonly taskId: string;
  readonly expectedVersion?: number;
} & Outcome<DeleteResult>;

export type Op = CreateOp | ReadOp | UpdateOp | DeleteOp;

/** The task an operation is about, or undefined for a create whose id was never learned. */
export function taskIdOf(op: Op): string | undefined {
  if (op.f !== 'create') return op.taskId;
  return op.out !== null && op.out.status === 201 ? op.out.task.id : op.taskId;
}

/** Throws on a record no recorder should produce: a bug there, not an anomaly of the cluster. */
export function validateOp(op: Op): void {
  if (!Number.isFinite(op.call)) throw new RangeError(`operation called at ${op.call}`);
  if (op.ret !== null && !(op.ret >= op.call)) {
    throw new RangeError(`operation returned at ${op.ret}, before its call at ${op.call}`);
  }
  if ((op.ret === null) !== (op.out === null)) {
    throw new RangeError('an operation has a result without a return time, or the reverse');
  }
}
