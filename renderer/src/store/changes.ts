/**
 * A change is one user action on a task (create, edit, move, delete) and its life:
 * scheduled (a delete inside its undo window) → pending (sent, or waiting to be retried with the
 * same Idempotency-Key) → committed at a log index, or failed with the server's reason.
 * What the user sees is the committed tasks with the unsettled changes laid over them, so an edit
 * shows at once and a failed one falls back to what the cluster holds.
 */
import type { Task, TaskInput, TaskPatch } from '../../../cluster/api/task.js';
import { STATUS_LABELS } from '../text/labels.js';

export interface ChangeError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, string>>;
}

export type ChangePhase =
  | { readonly phase: 'scheduled'; readonly until: number }
  | {
      readonly phase: 'pending';
      readonly attempts: number;
      readonly inFlight: boolean;
      /** Why it is still pending (no quorum, no answer), null while all is well. */
      readonly message: string | null;
      readonly nextRetryAt: number | null;
    }
  | {
      readonly phase: 'committed';
      readonly raftIndex: number;
      readonly term: number;
      readonly servedBy: number;
      /** The next occurrence the change created by completing a recurring task. */
      readonly nextId?: string;
    }
  | { readonly phase: 'failed'; readonly error: ChangeError };

interface ChangeBase {
  /** Local id of the change. */
  readonly id: string;
  /** Sent as Idempotency-Key on every attempt of this change. */
  readonly key: string;
  /** The task's id; `local-…` for a create until it commits. */
  readonly taskId: string;
  /** The task's title when the change was made, to name it in messages. */
  readonly title: string;
  readonly createdAt: number;
  /** The version sent as If-Match, fixed at the first attempt so every retry is the same request. */
  readonly ifMatch?: number | undefined;
  readonly state: ChangePhase;
}

export type Change = ChangeBase &
  (
    | { readonly kind: 'create'; readonly input: TaskInput }
    | { readonly kind: 'update'; readonly patch: TaskPatch }
    | { readonly kind: 'delete' }
  );

export const LOCAL_ID_PREFIX = 'local-';

export function isUnsettled(c: Change): boolean {
  return c.state.phase === 'scheduled' || c.state.phase === 'pending';
}

/** A task as a create would make it, shown until the cluster answers with the real one. */
export function provisionalTask(c: Change & { kind: 'create' }): Task {
  const at = new Date(c.createdAt).toISOString();
  return {
    id: c.taskId,
    title: c.input.title.trim(),
    description: c.input.description ?? '',
    status: c.input.status ?? 'todo',
    priority: c.input.priority ?? 'medium',
    dueDate: c.input.dueDate ?? null,
    dueTime: c.input.dueTime ?? null,
    projectId: c.input.projectId ?? null,
    tags: c.input.tags ?? [],
    parentId: c.input.parentId ?? null,
    recurrence: c.input.recurrence ?? null,
    // The node's default: the entry's time in ms, the end of its column.
    position: c.input.position ?? c.createdAt,
    completedAt: null,
    createdAt: at,
    updatedAt: at,
    version: 0,
    raftIndex: 0,
  };
}

/** The committed tasks with every unsettled change applied, in the order they were made. */
export function overlay(
  committed: Readonly<Record<string, Task>>,
  changes: readonly Change[],
): Task[] {
  const unsettled = changes.filter(isUnsettled);
  if (unsettled.length === 0) return Object.values(committed);
  const view = new Map<string, Task>(Object.entries(committed));
  for (const c of unsettled) {
    if (c.kind === 'create') view.set(c.taskId, provisionalTask(c));
    else if (c.kind === 'delete') view.delete(c.taskId);
    else {
      const t = view.get(c.taskId);
      if (t !== undefined) view.set(c.taskId, { ...t, ...definedOnly(c.patch) });
    }
  }
  return [...view.values()];
}

function definedOnly(patch: TaskPatch): Partial<Task> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined) out[k] = k === 'title' && typeof v === 'string' ? v.trim() : v;
  }
  return out as Partial<Task>;
}

/** The newest change per task, for the badge next to it. */
export function latestByTask(changes: readonly Change[]): Map<string, Change> {
  const out = new Map<string, Change>();
  for (const c of changes) out.set(c.taskId, c);
  return out;
}

/** How a change reads in a sentence: `Move “Buy milk” to Done`. */
export function describeChange(c: Change): string {
  const name = `“${c.title}”`;
  if (c.kind === 'create') return `Create ${name}`;
  if (c.kind === 'delete') return `Delete ${name}`;
  // A card dropped into another column carries its new position too: still a move.
  const keys = Object.keys(c.patch).filter((k) => k !== 'position');
  if (keys.length === 1 && c.patch.status !== undefined) {
    return `Move ${name} to ${STATUS_LABELS[c.patch.status]}`;
  }
  if (keys.length === 0) return `Reorder ${name}`;
  return `Edit ${name}`;
}
