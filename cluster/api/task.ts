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

export interface Task {
  /** A UUID chosen by the proposer, so every replica stores the same id. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly status: TaskStatus;
  readonly priority: TaskPriority;
  /** `YYYY-MM-DD` or null. */
  readonly dueDate: string | null;
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
}

/** Fields a client may change; at least one. */
export type TaskPatch = Partial<TaskInput>;

/**
 * A command as it travels in a Raft log entry (JSON in `Entry.data`). Everything that must be
 * equal on every replica — ids, timestamps — is decided by the proposer and carried here.
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
      readonly at: string;
      readonly session?: SessionRef;
    }
  | {
      readonly op: 'delete';
      readonly id: string;
      readonly expectedVersion?: number;
      readonly at: string;
      readonly session?: SessionRef;
    };

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
 * What applying a command produced; stored with the session so a retry gets the same answer.
 * `entry` is set on an answer replayed from a session: the entry of the first attempt.
 */
export type CommandResult =
  | {
      readonly ok: true;
      readonly status: 200 | 201;
      readonly task: Task | null;
      readonly entry?: EntryRef;
    }
  | {
      readonly ok: false;
      readonly status: 404 | 409 | 422;
      readonly error: ApiErrorCode;
      readonly message: string;
      readonly entry?: EntryRef;
    };

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
