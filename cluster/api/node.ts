/**
 * What a node's client API answers (docs/contract.md §4), beyond the task model itself. The node, the
 * supervisor, the renderer and the tests all import these.
 */
import type { Project, Task } from './task.js';

export type ReadConsistency = 'linearizable' | 'leader' | 'stale';

/** The answer to every write (POST, PATCH, DELETE): where it landed in the log and who served it. */
export interface WriteResponse {
  /** The task after the write; null after a delete. */
  readonly task: Task | null;
  /** The log index and term of the entry that carried the write. */
  readonly raftIndex: number;
  readonly term: number;
  /** The node whose leader proposed the write (a follower forwards writes to it). */
  readonly servedBy: number;
  /** When the write completed a recurring task: the next occurrence it created. */
  readonly next?: Task;
  /** On DELETE: every task deleted (the task and its subtasks). */
  readonly deletedIds?: readonly string[];
}

/** The answer to a project write (POST, PATCH, DELETE /projects). */
export interface ProjectWriteResponse {
  /** null after a delete. */
  readonly project: Project | null;
  readonly raftIndex: number;
  readonly term: number;
  readonly servedBy: number;
  /** On DELETE: the tasks deleted with it (`?tasks=delete`) or moved to no project. */
  readonly deletedIds?: readonly string[];
  readonly movedIds?: readonly string[];
}

export interface ProjectListResponse extends ReadMeta {
  /** Ordered by position, then name. */
  readonly projects: readonly Project[];
}

export interface ProjectResponse extends ReadMeta {
  readonly project: Project;
}

/** `GET /tags`: every tag in use, by name (ignoring case), with how many tasks carry it. */
export interface TagListResponse extends ReadMeta {
  readonly tags: readonly { readonly name: string; readonly count: number }[];
}

/** `GET /export` (JSON), and what `POST /import` takes as `application/json`. */
export interface ExportDocument {
  readonly format: 'raftboard/1';
  readonly exportedAt: string;
  readonly projects: readonly Project[];
  readonly tasks: readonly Task[];
}

/** `POST /import`: how many rows were written and how many skipped (present or invalid). */
export interface ImportResponse {
  readonly projects: number;
  readonly tasks: number;
  readonly skipped: number;
  /**
   * The ids of the tasks and projects this import created, over all its entries (a project
   * mapped to an existing one of the same name is not in them). A keyed retry answers the same.
   */
  readonly taskIds: readonly string[];
  readonly projectIds: readonly string[];
  /** The log index of the last entry the import wrote. */
  readonly raftIndex: number;
  readonly servedBy: number;
}

/** The answer to a read of one task or of the list. */
export interface ReadMeta {
  readonly consistency: ReadConsistency;
  readonly servedBy: number;
  /** The applied index of the database the answer was read from. */
  readonly appliedIndex: number;
  /**
   * The leader's commit index as this node last knew it. For `stale` reads this shows how far
   * behind the answer may be: `commitIndex - appliedIndex` entries at least.
   */
  readonly commitIndex: number;
}

export interface TaskListResponse extends ReadMeta {
  readonly tasks: readonly Task[];
}

export interface TaskResponse extends ReadMeta {
  readonly task: Task;
}

/**
 * `stalled`: connected, but an apply (or the health ping) has run past the node's
 * `mysql.stalledAfterMs` (a frozen or overloaded server); reads answer 503 mysql_down.
 */
export type MySqlStatus = 'up' | 'stalled' | 'down' | 'connecting';

export type NodeRole = 'leader' | 'follower' | 'candidate' | 'preCandidate' | 'learner';

/** Log entries `from`..`to` (inclusive) all carry `term`. */
export interface LogTermRun {
  readonly term: number;
  readonly from: number;
  readonly to: number;
}

/** `GET /status`: one node's view, for the control room and for tests. */
export interface NodeStatus {
  readonly id: number;
  readonly role: NodeRole;
  readonly term: number;
  readonly votedFor: number;
  /** 0 when this node knows no leader. */
  readonly leaderId: number;
  readonly commitIndex: number;
  /** Applied to MySQL (not just handed out by the core). */
  readonly appliedIndex: number;
  readonly lastLogIndex: number;
  readonly snapshotIndex: number;
  /**
   * The terms of the newest stored entries (up to 200, after the snapshot), oldest first, as
   * runs: the log strip colours each entry by its term. Empty when the log is all snapshot.
   */
  readonly logTerms: readonly LogTermRun[];
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  readonly electionElapsed: number;
  readonly electionTimeout: number;
  readonly clientUrl: string;
  readonly mysql: { readonly status: MySqlStatus; readonly error?: string };
  /** Only on the leader: per-follower replication progress. */
  readonly progress: readonly {
    readonly id: number;
    readonly match: number;
    readonly next: number;
    readonly state: 'probe' | 'replicate' | 'snapshot';
  }[];
}

export interface ChecksumResponse {
  readonly appliedIndex: number;
  readonly checksum: string;
}
