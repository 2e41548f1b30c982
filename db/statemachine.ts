/**
 * The task state machine of one Raft node, stored in that node's own MySQL database.
 *
 * `applyBatch` applies committed entries in ONE transaction that also advances
 * `raft_meta.applied_index`; entries at or below the stored index are skipped, so a crash
 * anywhere (before, during or after COMMIT) never applies an entry twice and never skips one.
 * Everything written is a pure function of the entries: ids and timestamps come from the
 * command, never from the DB clock or `Date.now()`, so every replica is byte-for-byte equal.
 */
import type { Decided, TaskStore } from './task-store.js';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import type { CommandResult, Project, Task, TaskStatus } from '../cluster/api/task.js';
import {
  batchReads,
  checkEntries,
  planBatch,
  tagsToRead,
  type Meta,
  type Retention,
  type SessionRow,
} from './apply-plan.js';
import { StateHasher } from './checksum.js';
import { tagKey } from './command.js';
import { createSequelize, ensureDatabase, parseMySqlUrl } from './connection.js';
import { checkListQuery } from './list-query.js';
import { StateMachineError, toMySqlError } from './errors.js';
import { stampOrCheckIdentity, type NodeIdentity, type VerifyApplied } from './identity.js';
import { migrate } from './migrate.js';
import { MIGRATION_QUERY_TIMEOUT_MS } from './query-timeout.js';
import type { ClientSessionAttributes } from './models/index.js';
import { RoundTrips, type RunStatements } from './round-trips.js';
import { SESSION_RETENTION_ENTRIES, SESSION_RETENTION_MS } from './session-retention.js';
import { readSnapshotFile, writeSnapshotFile, type SnapshotFileInfo } from './snapshot-file.js';
import { snapshotJson } from './snapshot-json.js';
import { restorePages } from './snapshot-restore.js';
import {
  GUID,
  SNAPSHOT_FORMAT,
  parseSnapshot,
  type SnapshotBody,
  type SnapshotSession,
} from './snapshot-format.js';
import * as sql from './sql/statements.js';
import { toProjectRow, toTask, type ProjectSqlRow, type TaskSqlRow } from './sql/rows.js';
import { emptyView, parentsFirst, toProject, type ProjectRow } from './state-view.js';

/** A committed Raft log entry, as the core hands it out (`cluster/raft` `Entry`). */
export interface ApplyEntry {
  readonly index: number;
  readonly term: number;
  readonly type: 'normal' | 'conf';
  readonly data: string;
}

export interface AppliedIndex {
  readonly index: number;
  readonly term: number;
}

export interface ListQuery {
  readonly status?: TaskStatus | undefined;
  /** Case-insensitive substring of title or description; `%`, `_` and SQL are literal text. */
  readonly q?: string | undefined;
  /** A project id, or 'none' for tasks in no project. */
  readonly projectId?: string | undefined;
  /** Every one must be on the task (ignoring case). */
  readonly tags?: readonly string[] | undefined;
  /** A parent id, or 'none' for top-level tasks. */
  readonly parentId?: string | undefined;
  /**
   * By due date, relative to `today` (YYYY-MM-DD in the caller's time zone, computed by the API):
   * `overdue` before today and not done; `today` on it; `upcoming` the 7 days after it; `none`
   * no due date.
   */
  readonly due?:
    | { readonly kind: 'overdue' | 'today' | 'upcoming' | 'none'; readonly today: string }
    | undefined;
  readonly limit: number;
  readonly offset: number;
}

export interface StateChecksum {
  readonly appliedIndex: number;
  /** sha256 (hex) over every column of every task, then every project, ordered by id (checksum.ts). */
  readonly checksum: string;
}

export interface StateSnapshot {
  readonly index: number;
  readonly term: number;
  /** JSON (see `SNAPSHOT_FORMAT`); feed it back to `restore`. */
  readonly data: string;
}

export interface OpenOptions {
  /** Database to use (created if missing). Defaults to the URL's path. */
  readonly database?: string | undefined;
  /** Diagnostics: migrations run, malformed entries ignored. */
  readonly log?: ((line: string) => void) | undefined;
  /** Also log every SQL statement through `log`. */
  readonly logSql?: boolean | undefined;
  /**
   * How long a client session (Idempotency-Key) is remembered, in entry time: the timestamps
   * the proposers put in the entries, never this replica's clock. Part of the replicated state
   * machine: every replica of a cluster MUST use the same value.
   */
  readonly sessionRetentionMs?: number | undefined;
  /**
   * The bound on the number of sessions: a session is also forgotten once this many log
   * entries follow it, so at most this many are stored, the oldest going first. Same rule.
   */
  readonly sessionRetentionEntries?: number | undefined;
  /**
   * The cluster and node that apply to this database: stamped into an unstamped one, else
   * checked (ClusterIdentityError on a mismatch). Nodes always pass it; tools may leave it out.
   */
  readonly identity?: NodeIdentity | undefined;
  /**
   * With `identity`: sees the applied index/term before an unstamped database is stamped, and
   * throws to refuse it (the node checks them against its log); nothing is written then.
   */
  readonly verifyApplied?: VerifyApplied | undefined;
  /** Time limit of each statement (default QUERY_TIMEOUT_MS, query-timeout.ts). */
  readonly queryTimeoutMs?: number | undefined;
}

export { SESSION_RETENTION_ENTRIES, SESSION_RETENTION_MS } from './session-retention.js';
export { SNAPSHOT_FORMAT } from './snapshot-format.js';

const PAGE = 1_000;

export class TaskStateMachine implements TaskStore {
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly sequelize: Sequelize,
    /** The database this state machine lives in. */
    readonly database: string,
    private readonly retention: Retention,
    private readonly log: (line: string) => void,
    /** The applier's own connection, for its two-packet transactions. */
    private readonly roundTrips: RoundTrips,
  ) {}

  /**
   * Connects to `url`, creates the database if missing (utf8mb4_bin), runs pending migrations
   * and stamps or checks `identity`. Throws `MySqlUnavailableError` when MySQL cannot be
   * reached, `ClusterIdentityError` when the database belongs to another cluster or node.
   */
  static async open(url: string, options: OpenOptions = {}): Promise<TaskStateMachine> {
    const database = options.database ?? parseMySqlUrl(url).database;
    if (database === undefined) {
      throw new StateMachineError('no database: pass { database } or put it in the URL path');
    }
    const retention: Retention = {
      ms: options.sessionRetentionMs ?? SESSION_RETENTION_MS,
      entries: options.sessionRetentionEntries ?? SESSION_RETENTION_ENTRIES,
    };
    for (const [name, value] of [
      ['sessionRetentionMs', retention.ms],
      ['sessionRetentionEntries', retention.entries],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new StateMachineError(`${name} must be a positive integer, got ${value}`);
      }
    }
    const log = options.log ?? (() => undefined);
    await ensureDatabase(url, database);
    const sequelize = createSequelize(url, database, {
      log: options.logSql === true ? log : undefined,
      queryTimeoutMs: options.queryTimeoutMs,
    });
    try {
      // On a connection of its own, without the short statement limit (query-timeout.ts).
      const migrator = createSequelize(url, database, {
        log: options.logSql === true ? log : undefined,
        queryTimeoutMs: MIGRATION_QUERY_TIMEOUT_MS,
        maxConnections: 1,
      });
      let ran: string[];
      try {
        ran = await migrate(migrator, { log: options.log });
      } finally {
        await migrator.close().catch(() => undefined);
      }
      if (ran.length > 0) log(`database ${database}: applied migrations ${ran.join(', ')}`);
      if (options.identity !== undefined) {
        const { identity, verifyApplied } = options;
        await stampOrCheckIdentity(sequelize, database, identity, log, verifyApplied).catch(
          (error: unknown) => {
            throw toMySqlError(error, 'checking whose database it is');
          },
        );
      }
    } catch (error) {
      await sequelize.close().catch(() => undefined);
      throw error;
    }
    return new TaskStateMachine(
      sequelize,
      database,
      retention,
      log,
      new RoundTrips(url, database, options.queryTimeoutMs),
    );
  }

  /** The index and term of the last applied entry (0, 0 for a fresh database). */
  async appliedIndex(): Promise<AppliedIndex> {
    return this.run('reading the applied index', async () => {
      const { index, term } = await this.readMeta(undefined);
      return { index, term };
    });
  }

  /**
   * Applies committed entries, in order, in one transaction, and returns one result per entry
   * (same positions). `null` for leader no-ops (empty data), conf entries, malformed commands
   * (logged) and already-applied entries — except that an already-applied entry carrying a
   * session key is answered from the session, so a retried batch gets the same answers.
   * Throws `StateMachineError` if the entries above the applied index do not continue it
   * without a gap, `MySqlUnavailableError`/`MySqlError` if MySQL fails (nothing is applied;
   * retrying is safe).
   */
  async applyBatch(
    entries: readonly ApplyEntry[],
    decided?: Decided,
  ): Promise<(CommandResult | null)[]> {
    checkEntries(entries);
    if (entries.length === 0) return [];
    return this.exclusive(() =>
      this.run('applying entries', () =>
        this.applyInTransaction(entries, this.roundTrips.run, decided).catch(
          async (error: unknown) => {
            // Nothing of the batch stays (a broken connection has rolled back by itself).
            await this.roundTrips.rollback();
            throw error;
          },
        ),
      ),
    );
  }

  /**
   * Tasks ordered by (position, createdAt, id), filtered (sql/statements.ts listTasks; the
   * memory store applies the same rules).
   */
  async list(query: ListQuery): Promise<Task[]> {
    checkListQuery(query);
    return this.run('listing tasks', async () => {
      const rows = await this.select<TaskSqlRow>(sql.listTasks(this.esc, query));
      return rows.map(toTask);
    });
  }

  /** One task, or null when there is none with that id. */
  async get(id: string): Promise<Task | null> {
    if (!GUID.test(id)) return null;
    return this.run('reading a task', async () => {
      const [row] = await this.select<TaskSqlRow>(sql.taskById(this.esc, id));
      return row === undefined ? null : toTask(row);
    });
  }

  /** Projects ordered by position, then name, then id. */
  async listProjects(): Promise<Project[]> {
    return this.run('listing projects', async () => {
      const rows = await this.select<ProjectSqlRow>(sql.LIST_PROJECTS);
      return rows.map((row) => toProject(toProjectRow(row)));
    });
  }

  async getProject(id: string): Promise<Project | null> {
    if (!GUID.test(id)) return null;
    return this.run('reading a project', async () => {
      const [row] = await this.select<ProjectSqlRow>(sql.projectById(this.esc, id));
      return row === undefined ? null : toProject(toProjectRow(row));
    });
  }

  /** Tags in use, by their lowercased name, with how many tasks carry each. */
  async listTags(): Promise<{ name: string; count: number }[]> {
    return this.run('listing tags', async () => {
      const rows = await this.select<{ name: string; count: number | string }>(sql.LIST_TAGS);
      return rows.map((row) => ({ name: row.name, count: Number(row.count) }));
    });
  }

  /** A digest of every task and project (checksum.ts) with the index it reflects. */
  async checksum(): Promise<StateChecksum> {
    return this.run('computing the checksum', () =>
      this.sequelize.transaction({ isolationLevel: REPEATABLE_READ }, async (transaction) => {
        const meta = await this.readMeta(transaction);
        const hash = new StateHasher();
        for await (const task of this.allTasks(transaction)) hash.task(task);
        for (const project of await this.allProjects(transaction)) hash.project(project);
        return { appliedIndex: meta.index, checksum: hash.digest() };
      }),
    );
  }

  /** Projects, tasks and sessions at the applied index, read in one consistent transaction. */
  async snapshot(): Promise<StateSnapshot> {
    return this.run('taking a snapshot', () =>
      this.sequelize.transaction({ isolationLevel: REPEATABLE_READ }, async (transaction) => {
        const meta = await this.readMeta(transaction);
        const projects = await this.allProjects(transaction);
        const tasks: Task[] = [];
        for await (const task of this.allTasks(transaction)) tasks.push(task);
        const sessions: SnapshotSession[] = [];
        for await (const session of this.allSessions(transaction)) sessions.push(session);
        const body: SnapshotBody = {
          format: SNAPSHOT_FORMAT,
          index: meta.index,
          term: meta.term,
          sessionClock: meta.sessionClock,
          projects,
          tasks,
          sessions,
        };
        return { index: meta.index, term: meta.term, data: await snapshotJson(body) };
      }),
    );
  }

  /**
   * Replaces projects, tasks, tags, sessions and the applied index/term with a snapshot's (of
   * any format: snapshot-format.ts), in one transaction. `index`/`term` must match its own.
   */
  async restore(index: number, term: number, data: string): Promise<void> {
    const started = performance.now();
    const body = parseSnapshot(data);
    const parsed = performance.now();
    if (body.index !== index || body.term !== term) {
      throw new StateMachineError(
        `snapshot is at ${body.index}/${body.term}, not the ${index}/${term} it was restored as`,
      );
    }
    const tags = new Map<string, string>();
    for (const task of body.tasks) {
      for (const tag of task.tags) if (!tags.has(tagKey(tag))) tags.set(tagKey(tag), tag);
    }
    await this.exclusive(() =>
      this.run('restoring a snapshot', () =>
        this.sequelize.transaction(async (transaction) => {
          await this.sequelize.query(sql.LOCK_META, { transaction, type: QueryTypes.SELECT });
          const tasks = parentsFirst(body.tasks);
          for (const statement of [
            ...sql.EMPTY_STATE,
            ...sql.upsertProjects(this.esc, body.projects, []),
            ...sql.upsertTasks(this.esc, tasks),
            ...sql.upsertTags(
              this.esc,
              [...tags].map(([id, name]) => ({ id, name })),
            ),
            ...sql.replaceTaskTags(this.esc, tasks).filter((s) => !s.startsWith('DELETE')),
            ...sql.upsertSessions(this.esc, body.sessions),
            sql.updateMeta(this.esc, index, term, body.sessionClock),
          ]) {
            await this.sequelize.query(statement, { transaction });
          }
        }),
      ),
    );
    // Timed, because a restarted follower's catch-up time is mostly this (README: Benchmarks).
    this.log(
      `database ${this.database}: restored snapshot at ${index}/${term} ` +
        `(${body.projects.length} projects, ${body.tasks.length} tasks, ` +
        `${body.sessions.length} sessions; ` +
        `parsed in ${(parsed - started).toFixed(0)} ms, ` +
        `written in ${(performance.now() - parsed).toFixed(0)} ms)`,
    );
  }

  /**
   * Writes a format-4 snapshot (snapshot-v4.ts) of the state at the applied index to `file`, a
   * page of rows at a time. One REPEATABLE READ transaction: every page is read from the same
   * consistent view as the applied index, as in `snapshot`, while applies go on committing.
   */
  async snapshotToFile(file: string): Promise<SnapshotFileInfo> {
    return this.run('taking a snapshot', () =>
      this.sequelize.transaction({ isolationLevel: REPEATABLE_READ }, async (transaction) => {
        const meta = await this.readMeta(transaction);
        return writeSnapshotFile(
          file,
          { index: meta.index, term: meta.term, sessionClock: meta.sessionClock },
          {
            projects: await this.allProjects(transaction),
            tasks: this.allTasks(transaction),
            sessions: this.allSessions(transaction),
          },
        );
      }),
    );
  }

  /**
   * Replaces the whole state with a format-4 snapshot file's, read and written a page at a
   * time, in ONE transaction: the reader validates every line and, after the last, the
   * trailer's counts and digest, and throws otherwise, so a bad or truncated file rolls back and
   * leaves the state as it was (snapshot-restore.ts). `index`/`term` must match the file's.
   */
  async restoreFromFile(index: number, term: number, file: string): Promise<void> {
    const started = performance.now();
    const counts = await this.exclusive(() =>
      this.run('restoring a snapshot', () =>
        this.sequelize.transaction((transaction) =>
          restorePages(
            (statement) => this.sequelize.query(statement, { transaction }).then(() => undefined),
            this.esc,
            { index, term },
            readSnapshotFile(file, PAGE),
          ),
        ),
      ),
    );
    this.log(
      `database ${this.database}: restored snapshot at ${index}/${term} ` +
        `(${counts.projects} projects, ${counts.tasks} tasks, ${counts.sessions} sessions; ` +
        `read and written in ${(performance.now() - started).toFixed(0)} ms)`,
    );
  }

  /** Closes the connection pool. Idempotent; every other call fails afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.roundTrips.close();
    await this.sequelize.close().catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------

  /**
   * One transaction in two round trips (three when the batch touches tags): (1) begin, lock
   * raft_meta, read every task, project and session the batch may reach (apply-plan.ts
   * BatchReads); (1b) the tags of those tasks and the tags named, with their use counts;
   * (2) the net effect as multi-row statements, the new applied index, commit. Writers
   * serialise on the raft_meta row lock, so the isolation level does not matter.
   */
  private async applyInTransaction(
    entries: readonly ApplyEntry[],
    run: RunStatements,
    decided: Decided | undefined,
  ): Promise<(CommandResult | null)[]> {
    const reads = batchReads(entries);
    const esc = this.esc;
    const taskReads = [
      ...sql.tasksWithAncestors(esc, reads.taskIds),
      ...sql.subtrees(esc, reads.subtreeRoots, reads.subtreeProjects),
    ];
    const projectReads = sql.projectsByIdOrName(esc, reads.projectIds, reads.projectNameKeys);
    const sessionReads = sql.sessionsByKey(esc, reads.sessionKeys);
    const read = await run([
      'START TRANSACTION',
      sql.LOCK_META,
      ...taskReads,
      ...projectReads,
      ...sessionReads,
    ]);
    const meta = metaOf((read[1] as unknown[])[0] ?? null);
    const view = emptyView();
    let at = 2;
    for (const rows of read.slice(at, (at += taskReads.length)) as TaskSqlRow[][]) {
      for (const row of rows) view.tasks.set(row.id, toTask(row));
    }
    for (const rows of read.slice(at, (at += projectReads.length)) as ProjectSqlRow[][]) {
      for (const row of rows) view.projects.set(row.id, toProjectRow(row));
    }
    const sessions = new Map<string, SessionRow>();
    for (const rows of read.slice(at) as ClientSessionAttributes[][]) {
      for (const row of rows) {
        sessions.set(row.key, {
          raftIndex: Number(row.raftIndex),
          result: row.result,
          createdAt: row.createdAt,
          fingerprint: row.fingerprint,
        });
      }
    }
    const tagKeys = tagsToRead(
      reads,
      [...view.tasks.values()].filter((t): t is Task => t !== null),
    );
    if (tagKeys.length > 0) {
      const tagRows = (await run(sql.tagsWithUses(esc, tagKeys))) as {
        id: string;
        name: string;
        uses: number | string;
      }[][];
      for (const rows of tagRows) {
        for (const row of rows) view.tags.set(row.id, { name: row.name, uses: Number(row.uses) });
      }
    }
    const { results, writes } = planBatch(
      entries,
      reads,
      meta,
      view,
      sessions,
      this.retention,
      this.log,
    );
    // The answers are final here, before the COMMIT below is done: they were computed by the
    // pure plan from the entries and from rows read under the raft_meta lock, which every
    // transaction that writes this database takes first (one applier, entries in log order).
    // If this transaction fails or the process dies before COMMIT, nothing of it stays, and the
    // retry or the replay after a restart reads the same rows at the same applied index and
    // computes the same answers (the plan uses no clock and no randomness: header comment).
    // Reads cannot see the batch early nor miss it: they wait for the applied index, which the
    // caller moves only after this returns, i.e. after COMMIT (cluster/node/reads.ts).
    if (writes === null) {
      if (decided !== undefined) await decided(results);
      await run(['COMMIT']);
      return results;
    }

    // Write the net effect with multi-row statements, in an order the foreign keys accept:
    // projects, tasks (parents first), their tags, deletes (leaves first), unused tags.
    const { forgetUpTo, expiredBy, meta: after } = writes;
    // The writes and COMMIT are sent first, then the answers are handed over: MySQL works on
    // the packet while the node writes the HTTP answers (answering first left MySQL idle behind
    // them: 0.8-0.94x the writes/s at 64 clients, 4 of 4 interleaved pairs).
    const written = run([
      ...sql.upsertProjects(esc, writes.projectUpserts, writes.projectDeletes),
      ...sql.upsertTags(esc, writes.tagUpserts),
      ...sql.upsertTasks(esc, writes.upserts),
      ...sql.replaceTaskTags(esc, writes.upserts),
      ...writes.deletes.flatMap((level) => sql.deleteTasks(esc, level)),
      ...sql.deleteProjects(esc, writes.projectDeletes),
      ...sql.deleteTags(esc, writes.tagDeletes),
      ...sql.upsertSessions(esc, writes.newSessions),
      ...(forgetUpTo >= 1 ? [sql.forgetSessionsUpTo(forgetUpTo)] : []),
      ...(expiredBy !== null ? [sql.expireSessions(esc, expiredBy)] : []),
      sql.updateMeta(esc, after.index, after.term, after.sessionClock),
      'COMMIT',
    ]);
    // Awaited below; until then a failure must not count as unhandled.
    written.catch(() => undefined);
    if (decided !== undefined) await decided(results);
    await written;
    return results;
  }

  private readonly esc = (v: string | number | null): string =>
    v === null ? 'NULL' : this.sequelize.escape(v);

  private async select<T>(statement: string, transaction?: Transaction): Promise<T[]> {
    return (await this.sequelize.query(statement, {
      type: QueryTypes.SELECT,
      ...(transaction !== undefined && { transaction }),
    })) as T[];
  }

  private async readMeta(transaction: Transaction | undefined): Promise<Meta> {
    const [row] = await this.select<unknown>(sql.READ_META, transaction);
    return metaOf(row ?? null);
  }

  private async *allTasks(transaction: Transaction): AsyncGenerator<Task> {
    let after: string | undefined;
    for (;;) {
      const rows = await this.select<TaskSqlRow>(sql.taskPage(this.esc, after, PAGE), transaction);
      for (const row of rows) yield toTask(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]?.id;
    }
  }

  private async *allSessions(transaction: Transaction): AsyncGenerator<SnapshotSession> {
    let after: string | undefined;
    for (;;) {
      const rows = await this.select<ClientSessionAttributes>(
        `SELECT \`key\`, \`raft_index\` AS \`raftIndex\`, \`result\`, ` +
          `\`created_at\` AS \`createdAt\`, \`fingerprint\` FROM ${sql.SESSIONS}` +
          (after === undefined ? '' : ` WHERE \`key\` > ${this.esc(after)}`) +
          ` ORDER BY \`key\` LIMIT ${PAGE}`,
        transaction,
      );
      for (const row of rows) {
        yield {
          key: row.key,
          raftIndex: Number(row.raftIndex),
          createdAt: row.createdAt,
          fingerprint: row.fingerprint,
          result: row.result,
        };
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]?.key;
    }
  }

  private async allProjects(transaction: Transaction): Promise<ProjectRow[]> {
    const out: ProjectRow[] = [];
    let after: string | undefined;
    for (;;) {
      const rows = await this.select<ProjectSqlRow>(
        sql.projectPage(this.esc, after, PAGE),
        transaction,
      );
      for (const row of rows) out.push(toProjectRow(row));
      if (rows.length < PAGE) return out;
      after = rows[rows.length - 1]?.id;
    }
  }

  private async run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StateMachineError('the state machine is closed');
    try {
      return await fn();
    } catch (error) {
      throw toMySqlError(error, doing);
    }
  }

  /** Serialises writers of this instance (they would only queue on the row lock otherwise). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

const REPEATABLE_READ = Transaction.ISOLATION_LEVELS.REPEATABLE_READ;

function metaOf(row: unknown): Meta {
  if (row === null || typeof row !== 'object') {
    throw new StateMachineError('raft_meta has no row: the schema was not created by migrations');
  }
  const meta = row as { appliedIndex: unknown; appliedTerm: unknown; sessionClock?: unknown };
  return {
    index: Number(meta.appliedIndex),
    term: Number(meta.appliedTerm),
    sessionClock: typeof meta.sessionClock === 'string' ? meta.sessionClock : '',
  };
}
