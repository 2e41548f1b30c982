/**
 * What a node applies its committed entries to and serves reads from: its task database.
 * `TaskStateMachine` (MySQL) is the real one; the simulator's in-memory store stands in for it,
 * with the same answers and injectable faults (stalls, errors, lost commits at a crash).
 *
 * Invariants every implementation keeps: entries at or below `appliedIndex()` are answered from
 * their session or with null, never applied twice; `restore` replaces the whole state.
 */
import type { CommandResult, Project, Task } from '../cluster/api/task.js';
import type { NodeIdentity, VerifyApplied } from './identity.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from './statemachine.js';

/**
 * The batch's answers, final before the transaction commits: they are a pure function of the
 * entries and of the rows read under the raft_meta lock (apply-plan.ts), so a retry or a replay
 * after a crash computes the same ones (statemachine.ts applyInTransaction says why).
 */
export type Decided = (results: readonly (CommandResult | null)[]) => void | Promise<void>;

export interface TaskStore {
  appliedIndex(): Promise<AppliedIndex>;
  /**
   * Applies a batch in one transaction; one answer per entry (null for no-ops, conf entries).
   * A store may call `decided` with those answers as soon as they are computed, before its
   * COMMIT is done (at most once per call; the promise it returns is awaited before the call
   * returns). A store that does not call it answers only through its resolved value.
   */
  applyBatch(entries: readonly ApplyEntry[], decided?: Decided): Promise<(CommandResult | null)[]>;
  snapshot(): Promise<StateSnapshot>;
  restore(index: number, term: number, data: string): Promise<void>;
  list(query: ListQuery): Promise<Task[]>;
  get(id: string): Promise<Task | null>;
  /** Ordered by position, then name, then id. */
  listProjects(): Promise<Project[]>;
  getProject(id: string): Promise<Project | null>;
  /** Tags in use with their task counts, ordered by name ignoring case. */
  listTags(): Promise<{ name: string; count: number }[]>;
  checksum(): Promise<StateChecksum>;
  close(): Promise<void>;
}

export interface OpenTaskStoreOptions {
  /** Stamped into the store, or checked against its stamp (ClusterIdentityError). */
  readonly identity: NodeIdentity;
  /** Sees the applied index/term before an unstamped store is stamped; throws to refuse it. */
  readonly verifyApplied: VerifyApplied;
  readonly log: (line: string) => void;
}

/** Connects to (and migrates) a node's store; throws MySqlUnavailableError while it cannot. */
export type OpenTaskStore = (opts: OpenTaskStoreOptions) => Promise<TaskStore>;
