/**
 * The task state machine of one Raft node, stored in that node's own MySQL database.
 *
 * `applyBatch` applies committed entries in ONE transaction that also advances
 * `raft_meta.applied_index`; entries at or below the stored index are skipped, so a crash
 * anywhere (before, during or after COMMIT) never applies an entry twice and never skips one.
 * Everything written is a pure function of the entries: ids and timestamps come from the
 * command, never from the DB clock or `Date.now()`, so every replica is byte-for-byte equal.
 */
import type { TaskStore } from './task-store.js';
import { createHash } from 'node:crypto';
import { Op, QueryTypes, Transaction, literal, type Sequelize, type WhereOptions } from 'sequelize';
import type { CommandResult, Task, TaskStatus } from '../cluster/api/task.js';
import {
  batchReads,
  checkEntries,
  planBatch,
  type Meta,
  type Retention,
  type SessionRow,
} from './apply-plan.js';
import { createSequelize, ensureDatabase, parseMySqlUrl } from './connection.js';
import { checkListQuery } from './list-query.js';
import { StateMachineError, toMySqlError } from './errors.js';
import { stampOrCheckIdentity, type NodeIdentity, type VerifyApplied } from './identity.js';
import { migrate } from './migrate.js';
import { RoundTrips, type RunStatements } from './round-trips.js';
import { SESSION_RETENTION_ENTRIES, SESSION_RETENTION_MS } from './session-retention.js';
import { snapshotJson } from './snapshot-json.js';
import {
  GUID,
  SNAPSHOT_FORMAT,
  checksumLine,
  parseSnapshot,
  type SnapshotBody,
  type SnapshotSession,
} from './snapshot-format.js';
import {
  CLIENT_SESSIONS_TABLE,
  RAFT_META_ID,
  RAFT_META_TABLE,
  TASKS_TABLE,
  defineModels,
  type ClientSessionAttributes,
  type Models,
  type TaskAttributes,
} from './models/index.js';

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
  /** sha256 (hex) over every column of every task, ordered by id. */
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

const IN_CHUNK = 1_000;
const PAGE = 1_000;
const MAX_STATEMENT_BYTES = 2 * 1024 * 1024;
const MAX_STATEMENT_ROWS = 500;
/** Every column of `tasks` (models/task.ts), in the order the upsert lists the values. */
const TASK_COLUMNS = [
  'id',
  'title',
  'description',
  'status',
  'priority',
  'due_date',
  'created_at',
  'updated_at',
  'version',
  'raft_index',
];
const quoted = (columns: readonly string[]): string => columns.map((c) => `\`${c}\``).join(',');
const onDuplicate = (columns: readonly string[]): string =>
  ' ON DUPLICATE KEY UPDATE ' + columns.map((c) => `\`${c}\`=VALUES(\`${c}\`)`).join(',');
const UPSERT_TASKS = `INSERT INTO \`${TASKS_TABLE}\` (${quoted(TASK_COLUMNS)}) VALUES `;
const UPSERT_TASKS_UPDATE = onDuplicate(TASK_COLUMNS.slice(1));
const SESSION_COLUMNS = ['key', 'raft_index', 'result', 'created_at', 'fingerprint'];
const UPSERT_SESSIONS = `INSERT INTO \`${CLIENT_SESSIONS_TABLE}\` (${quoted(SESSION_COLUMNS)}) VALUES `;
const UPSERT_SESSIONS_UPDATE = onDuplicate(SESSION_COLUMNS.slice(1));
const SELECT_TASKS =
  'SELECT `id`, `title`, `description`, `status`, `priority`, `due_date` AS `dueDate`, ' +
  '`created_at` AS `createdAt`, `updated_at` AS `updatedAt`, `version`, ' +
  `\`raft_index\` AS \`raftIndex\` FROM \`${TASKS_TABLE}\``;
const LOCK_META =
  'SELECT `applied_index` AS `appliedIndex`, `applied_term` AS `appliedTerm`, ' +
  '`session_clock` AS `sessionClock` ' +
  `FROM \`${RAFT_META_TABLE}\` WHERE \`id\` = ${RAFT_META_ID} FOR UPDATE`;
const UPDATE_META_SET = `UPDATE \`${RAFT_META_TABLE}\` SET`;
const SELECT_SESSIONS =
  'SELECT `key`, `raft_index` AS `raftIndex`, `result`, `created_at` AS `createdAt`, ' +
  `\`fingerprint\` FROM \`${CLIENT_SESSIONS_TABLE}\``;
const DELETE_TASKS = `DELETE FROM \`${TASKS_TABLE}\``;
const DELETE_SESSIONS = `DELETE FROM \`${CLIENT_SESSIONS_TABLE}\``;

export class TaskStateMachine implements TaskStore {
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly sequelize: Sequelize,
    private readonly models: Models,
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
      const ran = await migrate(sequelize, { log: options.log });
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
      defineModels(sequelize),
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
  async applyBatch(entries: readonly ApplyEntry[]): Promise<(CommandResult | null)[]> {
    checkEntries(entries);
    if (entries.length === 0) return [];
    return this.exclusive(() =>
      this.run('applying entries', () =>
        this.applyInTransaction(entries, this.roundTrips.run).catch(async (error: unknown) => {
          // Nothing of the batch stays (a broken connection has rolled back by itself).
          await this.roundTrips.rollback();
          throw error;
        }),
      ),
    );
  }

  /** Tasks ordered by (createdAt, id), optionally filtered. */
  async list(query: ListQuery): Promise<Task[]> {
    const { limit, offset } = query;
    checkListQuery(query);
    const conditions: WhereOptions<TaskAttributes>[] = [];
    if (query.status !== undefined) conditions.push({ status: query.status });
    if (query.q !== undefined && query.q !== '') {
      // Escaped with backslashes: safe on the pool's pinned sql_mode (session-mode.ts).
      const pattern = this.sequelize.escape(`%${escapeLike(query.q)}%`);
      conditions.push(
        literal(
          `(LOWER(\`title\`) LIKE LOWER(${pattern}) ESCAPE '!'` +
            ` OR LOWER(\`description\`) LIKE LOWER(${pattern}) ESCAPE '!')`,
        ),
      );
    }
    return this.run('listing tasks', async () => {
      const rows = await this.models.Task.findAll({
        where: conditions.length === 0 ? {} : { [Op.and]: conditions },
        order: [
          ['createdAt', 'ASC'],
          ['id', 'ASC'],
        ],
        limit,
        offset,
        raw: true,
      });
      return (rows as unknown as TaskAttributes[]).map(toTask);
    });
  }

  /** One task, or null when there is none with that id. */
  async get(id: string): Promise<Task | null> {
    if (!GUID.test(id)) return null;
    return this.run('reading a task', async () => {
      const row = await this.models.Task.findByPk(id, { raw: true });
      return row === null ? null : toTask(row as unknown as TaskAttributes);
    });
  }

  /** A digest of every task (all columns, ordered by id) with the index it reflects. */
  async checksum(): Promise<StateChecksum> {
    return this.run('computing the checksum', () =>
      this.sequelize.transaction({ isolationLevel: REPEATABLE_READ }, async (transaction) => {
        const meta = await this.readMeta(transaction);
        const hash = createHash('sha256');
        for await (const task of this.allTasks(transaction)) {
          hash.update(checksumLine(task), 'utf8');
        }
        return { appliedIndex: meta.index, checksum: hash.digest('hex') };
      }),
    );
  }

  /** Tasks and sessions at the applied index, read in one consistent transaction. */
  async snapshot(): Promise<StateSnapshot> {
    return this.run('taking a snapshot', () =>
      this.sequelize.transaction({ isolationLevel: REPEATABLE_READ }, async (transaction) => {
        const meta = await this.readMeta(transaction);
        const tasks: Task[] = [];
        for await (const task of this.allTasks(transaction)) tasks.push(task);
        const sessions: SnapshotSession[] = [];
        let after: string | undefined;
        for (;;) {
          const rows = (await this.models.ClientSession.findAll({
            where: after === undefined ? {} : { key: { [Op.gt]: after } },
            order: [['key', 'ASC']],
            limit: PAGE,
            raw: true,
            transaction,
          })) as unknown as ClientSessionAttributes[];
          for (const row of rows) {
            sessions.push({
              key: row.key,
              raftIndex: Number(row.raftIndex),
              createdAt: row.createdAt,
              fingerprint: row.fingerprint,
              result: row.result,
            });
          }
          if (rows.length < PAGE) break;
          after = rows[rows.length - 1]?.key;
        }
        const body: SnapshotBody = {
          format: SNAPSHOT_FORMAT,
          index: meta.index,
          term: meta.term,
          sessionClock: meta.sessionClock,
          tasks,
          sessions,
        };
        return { index: meta.index, term: meta.term, data: await snapshotJson(body) };
      }),
    );
  }

  /**
   * Replaces tasks, sessions and the applied index/term with a snapshot's, in one transaction.
   * `index`/`term` must match the snapshot's own.
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
    await this.exclusive(() =>
      this.run('restoring a snapshot', () =>
        this.sequelize.transaction(async (transaction) => {
          const { Task: TaskModel, ClientSession, RaftMeta } = this.models;
          await this.lockMeta(transaction);
          // DELETE, not TRUNCATE: TRUNCATE commits implicitly, and the restore must stay atomic.
          await TaskModel.destroy({ where: {}, transaction });
          await ClientSession.destroy({ where: {}, transaction });
          for (const sql of [
            ...this.upsertTasks(body.tasks),
            ...this.upsertSessions(body.sessions),
          ]) {
            await this.sequelize.query(sql, { transaction });
          }
          await RaftMeta.update(
            { appliedIndex: index, appliedTerm: term, sessionClock: body.sessionClock },
            { where: { id: RAFT_META_ID }, transaction },
          );
        }),
      ),
    );
    // Timed, because a restarted follower's catch-up time is mostly this (README: Benchmarks).
    this.log(
      `database ${this.database}: restored snapshot at ${index}/${term} ` +
        `(${body.tasks.length} tasks, ${body.sessions.length} sessions; ` +
        `parsed in ${(parsed - started).toFixed(0)} ms, ` +
        `written in ${(performance.now() - parsed).toFixed(0)} ms)`,
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
   * One transaction in two round trips: (1) begin, lock raft_meta, read every task and session
   * the batch names; (2) the net effect as multi-row statements, the new applied index, commit.
   * Writers serialise on the raft_meta row lock, so the isolation level does not matter.
   */
  private async applyInTransaction(
    entries: readonly ApplyEntry[],
    run: RunStatements,
  ): Promise<(CommandResult | null)[]> {
    const reads = batchReads(entries);
    const taskReads = [...chunks(reads.taskIds, IN_CHUNK)].map(
      (ids) => `${SELECT_TASKS} WHERE \`id\` IN (${ids.map(this.esc).join(',')})`,
    );
    const sessionReads = [...chunks(reads.sessionKeys, IN_CHUNK)].map(
      (batch) => `${SELECT_SESSIONS} WHERE \`key\` IN (${batch.map(this.esc).join(',')})`,
    );
    const read = await run(['START TRANSACTION', LOCK_META, ...taskReads, ...sessionReads]);
    const meta = metaOf((read[1] as unknown[])[0] ?? null);
    const tasks = new Map<string, Task | null>();
    for (const rows of read.slice(2, 2 + taskReads.length) as TaskAttributes[][]) {
      for (const row of rows) tasks.set(row.id, toTask(row));
    }
    const sessions = new Map<string, SessionRow>();
    for (const rows of read.slice(2 + taskReads.length) as ClientSessionAttributes[][]) {
      for (const row of rows) {
        sessions.set(row.key, {
          raftIndex: Number(row.raftIndex),
          result: row.result,
          createdAt: row.createdAt,
          fingerprint: row.fingerprint,
        });
      }
    }
    const { results, writes } = planBatch(
      entries,
      reads,
      meta,
      tasks,
      sessions,
      this.retention,
      this.log,
    );
    if (writes === null) {
      await run(['COMMIT']);
      return results;
    }

    // Write the net effect with multi-row statements.
    const { forgetUpTo, expiredBy, meta: after } = writes;
    await run([
      ...this.upsertTasks(writes.upserts.map(toAttributes)),
      ...[...chunks(writes.deletes, IN_CHUNK)].map(
        (ids) => `${DELETE_TASKS} WHERE \`id\` IN (${ids.map(this.esc).join(',')})`,
      ),
      ...this.upsertSessions(writes.newSessions),
      ...(forgetUpTo >= 1 ? [`${DELETE_SESSIONS} WHERE \`raft_index\` <= ${forgetUpTo}`] : []),
      ...(expiredBy !== null
        ? [`${DELETE_SESSIONS} WHERE \`created_at\` <= ${this.esc(expiredBy)}`]
        : []),
      `${UPDATE_META_SET} \`applied_index\` = ${after.index}, \`applied_term\` = ${after.term}, ` +
        `\`session_clock\` = ${this.esc(after.sessionClock)} WHERE \`id\` = ${RAFT_META_ID}`,
      'COMMIT',
    ]);
    return results;
  }

  // Hand-built multi-row statements: Model.bulkCreate's validation, hooks and cloning cost
  // more CPU than MySQL's work, both when applying and when restoring a snapshot (profiled).
  // Values are escaped by the driver's rules (sequelize.escape), the same ones bulkCreate uses:
  // backslashes, correct only because every connection pins its sql_mode (session-mode.ts).
  private upsertTasks(tasks: readonly TaskAttributes[]): string[] {
    const esc = this.esc;
    return [...chunkRows(tasks, taskSize)].map((chunk) => {
      const rows = chunk.map(
        (t) =>
          `(${esc(t.id)},${esc(t.title)},${esc(t.description)},${esc(t.status)},${esc(t.priority)},` +
          `${esc(t.dueDate)},${esc(t.createdAt)},${esc(t.updatedAt)},${esc(t.version)},${esc(t.raftIndex)})`,
      );
      return UPSERT_TASKS + rows.join(',') + UPSERT_TASKS_UPDATE;
    });
  }

  private upsertSessions(sessions: readonly ClientSessionAttributes[]): string[] {
    const esc = this.esc;
    return [...chunkRows(sessions, sessionSize)].map((chunk) => {
      const rows = chunk.map(
        (r) =>
          `(${esc(r.key)},${esc(r.raftIndex)},${esc(r.result)},${esc(r.createdAt)},` +
          `${esc(r.fingerprint)})`,
      );
      return UPSERT_SESSIONS + rows.join(',') + UPSERT_SESSIONS_UPDATE;
    });
  }

  private readonly esc = (v: string | number | null): string =>
    v === null ? 'NULL' : this.sequelize.escape(v);

  private async lockMeta(transaction: Transaction): Promise<Meta> {
    const rows = await this.sequelize.query(LOCK_META, {
      transaction,
      type: QueryTypes.SELECT,
    });
    return metaOf(rows[0] ?? null);
  }

  private async readMeta(transaction: Transaction | undefined): Promise<Meta> {
    const row = await this.models.RaftMeta.findByPk(RAFT_META_ID, { transaction, raw: true });
    return metaOf(row);
  }

  private async *allTasks(transaction: Transaction): AsyncGenerator<Task> {
    let after: string | undefined;
    for (;;) {
      const rows = (await this.models.Task.findAll({
        where: after === undefined ? {} : { id: { [Op.gt]: after } },
        order: [['id', 'ASC']],
        limit: PAGE,
        raw: true,
        transaction,
      })) as unknown as TaskAttributes[];
      for (const row of rows) yield toTask(row);
      if (rows.length < PAGE) return;
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

function toTask(row: TaskAttributes): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    dueDate: row.dueDate ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: Number(row.version),
    raftIndex: Number(row.raftIndex),
  };
}

function toAttributes(task: Task): TaskAttributes {
  return { ...task };
}

/** Escapes LIKE wildcards with `!` (used with `ESCAPE '!'`, independent of sql_mode). */
function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Splits rows so no multi-row statement gets near max_allowed_packet. */
function* chunkRows<T>(rows: readonly T[], sizeOf: (row: T) => number): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (
      chunk.length > 0 &&
      (bytes + size > MAX_STATEMENT_BYTES || chunk.length >= MAX_STATEMENT_ROWS)
    ) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

// Worst case: 4 UTF-8 bytes per UTF-16 unit, doubled by SQL escaping, plus fixed columns.
const taskSize = (t: TaskAttributes) => (t.title.length + t.description.length) * 8 + 256;
const sessionSize = (s: ClientSessionAttributes) => (s.key.length + s.result.length) * 8 + 128;
