/**
 * The task model and the commands that change it (docs/contract.md §5). One source of truth: the
 * node, the state machine, the supervisor, the renderer and the tests all import these.
 */

export const TASK_STATUSES = ['todo', 'in_progress', 'done'] as const;
export const TASK_PRIORITIES = ['low', 'medium', 'high'] as const;

export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 10_000;
/** A task has 0..TAGS_MAX distinct tags (compared ignoring case), each 1..TAG_MAX characters. */
export const TAGS_MAX = 20;

/** The largest |position| taken (docs/contract.md §5): whole ms up to year 9999 fit (≈2.5e14). */
export const POSITION_MAX = 1e15;
/** The smallest non-zero |position| taken: no denormals, no values near DOUBLE's limits. */
export const POSITION_MIN_MAGNITUDE = 1e-9;

/**
 * Whether `x` may be a task's or a project's `position` (the one rule: the API's schema and the
 * replicas' decoder, db/command.ts, both use it): finite, |x| ≤ POSITION_MAX, and 0 or
 * |x| ≥ POSITION_MIN_MAGNITUDE. MariaDB 10.11's DOUBLE happens to store 5e-324 and 1e308, but
 * denormals and values near the limits are where servers, drivers and text conversions differ,
 * and a value one replica refuses or alters fails its batch forever or splits the checksums;
 * this range keeps far away from them and still leaves room to place between two positions.
 * -0 passes and is stored as 0 (MariaDB does), so decoders turn it into 0.
 */
export function isStorablePosition(x: number): boolean {
  if (!Number.isFinite(x)) return false;
  const magnitude = Math.abs(x);
  return magnitude <= POSITION_MAX && (magnitude === 0 || magnitude >= POSITION_MIN_MAGNITUDE);
}
export const TAG_MAX = 40;

/**
 * A repeating task (RFC 5545 RRULE, e.g. `FREQ=WEEKLY;BYDAY=FR`). Completing it creates the next
 * occurrence, its due date advanced by the rule from the old due date (`due`) or from the day it
 * was completed (`completion`). The leader computes that date and carries it in the entry.
 */
export interface Recurrence {
  readonly rrule: string;
  readonly from: 'due' | 'completion';
}

export interface Task {
  /** A UUID chosen by the proposer, so every replica stores the same id. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly status: TaskStatus;
  readonly priority: TaskPriority;
  /** `YYYY-MM-DD` or null. */
  readonly dueDate: string | null;
  /** `HH:MM` (24 h, the user's local time) or null; only with a dueDate. */
  readonly dueTime: string | null;
  /** The project it belongs to, or null (the Inbox). */
  readonly projectId: string | null;
  /** Distinct ignoring case, in the order given; the first spelling of a tag is kept. */
  readonly tags: readonly string[];
  /** The task this one is a subtask of, or null (top level). Never a cycle. */
  readonly parentId: string | null;
  readonly recurrence: Recurrence | null;
  /** Order within its column (status) and project: ascending; `isStorablePosition` holds. */
  readonly position: number;
  /** When it last became done (the entry's time), null while not done. */
  readonly completedAt: string | null;
  /** ISO-8601, chosen by the proposer and carried in the log entry. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** 1 on create, +1 on every update. */
  readonly version: number;
  /** The log index of the entry that last wrote this task. */
  readonly raftIndex: number;
}

/** Fields a client may set on create. */
export interface TaskInput {
  readonly title: string;
  readonly description?: string;
  readonly status?: TaskStatus;
  readonly priority?: TaskPriority;
  readonly dueDate?: string | null;
  readonly dueTime?: string | null;
  readonly projectId?: string | null;
  readonly tags?: readonly string[];
  readonly parentId?: string | null;
  readonly recurrence?: Recurrence | null;
  /** Default on create: the entry's time in ms, so a new task goes to the end of its column. */
  readonly position?: number;
}

/** Every field of `TaskInput`: what a create or a patch may carry into an entry. */
export const TASK_INPUT_FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'dueDate',
  'dueTime',
  'projectId',
  'tags',
  'parentId',
  'recurrence',
  'position',
] as const satisfies readonly (keyof TaskInput)[];

/** Fields a client may change; at least one. */
export type TaskPatch = Partial<TaskInput>;

/**
 * A command as it travels in a Raft log entry (JSON in `Entry.data`). Everything that must be
 * equal on every replica — ids, timestamps, the next occurrence of a recurring task — is decided
 * by the proposer and carried here; everything that depends on the state (cascades, cycles,
 * name clashes) is decided when the entry is applied, from the state at that index.
 */
export type TaskCommand =
  | {
      readonly op: 'create';
      readonly task: Required<TaskInput> & { readonly id: string };
      readonly at: string;
      readonly session?: SessionRef;
    }
  | {
      readonly op: 'update';
      readonly id: string;
      readonly patch: TaskPatch;
      readonly expectedVersion?: number;
      /**
       * Set by the leader when the update completes a recurring task: the occurrence it computed
       * from the task at `forVersion`. Applied only if the task is still at that version and the
       * update does complete it; if the task changed meanwhile the answer is `version_conflict`.
       */
      readonly next?: NextOccurrence;
      readonly at: string;
      readonly session?: SessionRef;
      /**
       * 2 on updates built by leaders since issue 14: completedAt is the time the task became
       * done, kept through later edits. Absent (entries written before): while the task ends
       * up done, completedAt = `at`, the rule migration 0004 applied to rows (= updated_at).
       */
      readonly v?: 2;
    }
  | {
      /** Deletes the task and all its subtasks, at any depth, in this one entry. */
      readonly op: 'delete';
      readonly id: string;
      readonly expectedVersion?: number;
      readonly at: string;
      readonly session?: SessionRef;
    }
  | {
      readonly op: 'project.create';
      readonly project: ProjectFields & { readonly id: string };
      readonly at: string;
      readonly session?: SessionRef;
    }
  | {
      readonly op: 'project.update';
      readonly id: string;
      readonly patch: Partial<ProjectFields>;
      readonly expectedVersion?: number;
      readonly at: string;
      readonly session?: SessionRef;
    }
  | {
      /** `keep`: its tasks move to no project; `delete`: they (and their subtasks) are deleted. */
      readonly op: 'project.delete';
      readonly id: string;
      readonly tasks: 'keep' | 'delete';
      readonly expectedVersion?: number;
      readonly at: string;
      readonly session?: SessionRef;
    }
  | {
      /**
       * One batch of an import (POST /import): rows whose id exists already, or that would break
       * a rule at this index (a project name taken by another id, a missing parent), are skipped
       * and counted; the rest are written as given. A project whose name exists (ignoring case)
       * under another id is mapped to that project.
       */
      readonly op: 'import';
      readonly projects: readonly Project[];
      readonly tasks: readonly ImportedTask[];
      readonly at: string;
      readonly session?: SessionRef;
    };

export type TaskOp = TaskCommand['op'];

/** What the leader computed for the next occurrence of a recurring task. */
export interface NextOccurrence {
  readonly id: string;
  readonly dueDate: string;
  /** The version of the completed task the occurrence was computed from. */
  readonly forVersion: number;
}

/** A task as an import carries it: every field, the proposer's or the file's. */
export type ImportedTask = Omit<Task, 'version' | 'raftIndex'>;

export const PROJECT_NAME_MAX = 100;

export interface ProjectFields {
  /** 1..100 characters, unique ignoring case. */
  readonly name: string;
  /** `#rrggbb` or null. */
  readonly color: string | null;
  readonly position: number;
}

export interface Project extends ProjectFields {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * An Idempotency-Key: a retry of the same key gets the first answer and is applied once. The
 * fingerprint (sha256 hex of the request: method, target, canonical body; chosen by the node
 * that builds the command) binds the key to that request: the same key with another
 * fingerprint is refused with 422 `idempotency_key_reused`. Entries written before fingerprints
 * existed have none and match any request.
 */
export interface SessionRef {
  readonly key: string;
  readonly fingerprint?: string;
}

/** The log entry that carried a command. */
export interface EntryRef {
  readonly index: number;
  readonly term: number;
}

/**
 * What applying a command produced, as a domain outcome (the HTTP layer maps it to a status:
 * cluster/node/api/errors.ts). Stored with the session so a retry gets the same answer.
 * `entry` is set on an answer replayed from a session: the entry of the first attempt.
 * Sessions stored before outcomes existed (`{ ok, status, ... }`) are read back through
 * `db/legacy-result.ts`.
 */
export type CommandResult = CommandSuccess | CommandFailure;

export type CommandSuccess =
  | {
      readonly ok: true;
      readonly outcome: 'created' | 'updated';
      readonly task: Task;
      /** The next occurrence, when the update completed a recurring task. */
      readonly next?: Task;
      readonly entry?: EntryRef;
    }
  | {
      readonly ok: true;
      readonly outcome: 'deleted';
      readonly task: null;
      /** Every task the entry deleted: the task and its subtasks, or a project's tasks. */
      readonly deletedIds: readonly string[];
      readonly entry?: EntryRef;
    }
  | {
      readonly ok: true;
      readonly outcome: 'project_created' | 'project_updated';
      readonly project: Project;
      readonly entry?: EntryRef;
    }
  | {
      readonly ok: true;
      readonly outcome: 'project_deleted';
      readonly project: null;
      /** Tasks deleted with it (`tasks: delete`), or moved to no project (`keep`). */
      readonly deletedIds: readonly string[];
      readonly movedIds: readonly string[];
      readonly entry?: EntryRef;
    }
  | {
      readonly ok: true;
      readonly outcome: 'imported';
      readonly projects: number;
      readonly tasks: number;
      readonly skipped: number;
      /**
       * The ids of the tasks and projects this entry created (not those it skipped, nor a
       * project whose tasks went to an existing one of the same name). Absent in answers
       * stored before they existed.
       */
      readonly taskIds?: readonly string[];
      readonly projectIds?: readonly string[];
      readonly entry?: EntryRef;
    };

export interface CommandFailure {
  readonly ok: false;
  /**
   * `not_found`: no such task/project. `version_conflict`: expectedVersion (or the version a
   * next occurrence was computed from) is not current; also a create whose id exists.
   * `invalid_reference`: a parent or project that does not exist, a cycle, a name taken.
   * `key_reused`: the Idempotency-Key was used for another request.
   */
  readonly outcome: 'not_found' | 'version_conflict' | 'invalid_reference' | 'key_reused';
  readonly message: string;
  /** For `invalid_reference`: the field at fault (`parentId`, `projectId`, `name`). */
  readonly field?: string;
  readonly entry?: EntryRef;
}

export type ApiErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden_host'
  | 'not_found'
  | 'version_conflict'
  | 'idempotency_key_reused'
  | 'body_too_large'
  | 'no_leader'
  | 'mysql_down'
  | 'internal';

/** Every HTTP error body (docs/contract.md §2). */
export interface ApiError {
  readonly error: ApiErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, string>>;
}
