/**
 * Every SQL statement of the state machine, in one place. Values are inlined with `esc`
 * (`sequelize.escape`, backslash rules: correct because every connection pins its sql_mode,
 * session-mode.ts) so the applier can send many statements in one packet (round-trips.ts).
 */
import type { Task } from '../../cluster/api/task.js';
import { tagKey } from '../command.js';
import type { ClientSessionAttributes } from '../models/client-session.js';
import type { ListQuery } from '../statemachine.js';
import type { ProjectRow } from '../state-view.js';

export type Esc = (value: string | number | null) => string;

export const TASKS = '`tasks`';
export const PROJECTS = '`projects`';
export const TAGS = '`tags`';
export const TASK_TAGS = '`task_tags`';
export const SESSIONS = '`client_sessions`';
export const META = '`raft_meta`';
const META_ID = 1;

const IN_CHUNK = 1_000;
const MAX_STATEMENT_BYTES = 2 * 1024 * 1024;
const MAX_STATEMENT_ROWS = 500;

/** Every column of `tasks`, in the order the upsert lists the values. */
const TASK_COLUMNS = [
  'id',
  'title',
  'description',
  'status',
  'priority',
  'due_date',
  'due_time',
  'project_id',
  'tags',
  'parent_id',
  'recurrence_rule',
  'recurrence_from',
  'position',
  'completed_at',
  'created_at',
  'updated_at',
  'version',
  'raft_index',
];
const PROJECT_COLUMNS = [
  'id',
  'name',
  'name_key',
  'color',
  'position',
  'version',
  'created_at',
  'updated_at',
  'raft_index',
];
const SESSION_COLUMNS = ['key', 'raft_index', 'result', 'created_at', 'fingerprint'];

const quoted = (columns: readonly string[]): string => columns.map((c) => `\`${c}\``).join(',');
const onDuplicate = (columns: readonly string[]): string =>
  ' ON DUPLICATE KEY UPDATE ' + columns.map((c) => `\`${c}\`=VALUES(\`${c}\`)`).join(',');

/** The columns of a task under their TaskSqlRow names, of table alias `t`. */
export const TASK_SELECT =
  't.`id`, t.`title`, t.`description`, t.`status`, t.`priority`, ' +
  'CAST(t.`due_date` AS CHAR) AS `dueDate`, t.`due_time` AS `dueTime`, ' +
  't.`project_id` AS `projectId`, t.`tags`, t.`parent_id` AS `parentId`, ' +
  't.`recurrence_rule` AS `recurrenceRule`, t.`recurrence_from` AS `recurrenceFrom`, ' +
  't.`position`, t.`completed_at` AS `completedAt`, t.`created_at` AS `createdAt`, ' +
  't.`updated_at` AS `updatedAt`, t.`version`, t.`raft_index` AS `raftIndex`';
const SELECT_TASKS = `SELECT ${TASK_SELECT} FROM ${TASKS} t`;
export const PROJECT_SELECT =
  'p.`id`, p.`name`, p.`color`, p.`position`, p.`version`, p.`created_at` AS `createdAt`, ' +
  'p.`updated_at` AS `updatedAt`, p.`raft_index` AS `raftIndex`';
const SELECT_PROJECTS = `SELECT ${PROJECT_SELECT} FROM ${PROJECTS} p`;
const SELECT_SESSIONS =
  'SELECT `key`, `raft_index` AS `raftIndex`, `result`, `created_at` AS `createdAt`, ' +
  `\`fingerprint\` FROM ${SESSIONS}`;

export const LOCK_META =
  'SELECT `applied_index` AS `appliedIndex`, `applied_term` AS `appliedTerm`, ' +
  '`session_clock` AS `sessionClock` ' +
  `FROM ${META} WHERE \`id\` = ${META_ID} FOR UPDATE`;
export const READ_META =
  'SELECT `applied_index` AS `appliedIndex`, `applied_term` AS `appliedTerm`, ' +
  `\`session_clock\` AS \`sessionClock\` FROM ${META} WHERE \`id\` = ${META_ID}`;

export function updateMeta(esc: Esc, index: number, term: number, sessionClock: string): string {
  return (
    `UPDATE ${META} SET \`applied_index\` = ${esc(index)}, \`applied_term\` = ${esc(term)}, ` +
    `\`session_clock\` = ${esc(sessionClock)} WHERE \`id\` = ${META_ID}`
  );
}

export function* chunks<T>(items: readonly T[], size = IN_CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const list = (esc: Esc, values: readonly string[]): string => values.map(esc).join(',');

// --- the reads before a batch (apply-plan.ts BatchReads) -----------------------------------

/** The tasks `ids` and all their ancestors. */
export function tasksWithAncestors(esc: Esc, ids: readonly string[]): string[] {
  return [...chunks(ids)].map(
    (batch) =>
      'WITH RECURSIVE `up` (`id`, `parent_id`) AS (' +
      `SELECT \`id\`, \`parent_id\` FROM ${TASKS} WHERE \`id\` IN (${list(esc, batch)}) ` +
      `UNION SELECT t.\`id\`, t.\`parent_id\` FROM ${TASKS} t JOIN \`up\` ON t.\`id\` = \`up\`.\`parent_id\`) ` +
      `${SELECT_TASKS} WHERE t.\`id\` IN (SELECT \`id\` FROM \`up\`)`,
  );
}

/** The tasks `ids`, the tasks of `projectIds`, and everything below them. */
export function subtrees(
  esc: Esc,
  ids: readonly string[],
  projectIds: readonly string[],
): string[] {
  const seeds: string[] = [];
  for (const batch of chunks(ids)) {
    seeds.push(`SELECT \`id\` FROM ${TASKS} WHERE \`id\` IN (${list(esc, batch)})`);
  }
  for (const batch of chunks(projectIds)) {
    seeds.push(`SELECT \`id\` FROM ${TASKS} WHERE \`project_id\` IN (${list(esc, batch)})`);
  }
  return seeds.map(
    (seed) =>
      `WITH RECURSIVE \`down\` (\`id\`) AS (${seed} ` +
      `UNION SELECT t.\`id\` FROM ${TASKS} t JOIN \`down\` ON t.\`parent_id\` = \`down\`.\`id\`) ` +
      `${SELECT_TASKS} WHERE t.\`id\` IN (SELECT \`id\` FROM \`down\`)`,
  );
}

export function projectsByIdOrName(
  esc: Esc,
  ids: readonly string[],
  nameKeys: readonly string[],
): string[] {
  return [
    ...[...chunks(ids)].map((b) => `${SELECT_PROJECTS} WHERE p.\`id\` IN (${list(esc, b)})`),
    ...[...chunks(nameKeys)].map(
      (b) => `${SELECT_PROJECTS} WHERE p.\`name_key\` IN (${list(esc, b)})`,
    ),
  ];
}

/** Tags by id with how many tasks carry each. */
export function tagsWithUses(esc: Esc, keys: readonly string[]): string[] {
  return [...chunks(keys)].map(
    (b) =>
      `SELECT g.\`id\`, g.\`name\`, (SELECT COUNT(*) FROM ${TASK_TAGS} x WHERE x.\`tag_id\` = g.\`id\`) ` +
      `AS \`uses\` FROM ${TAGS} g WHERE g.\`id\` IN (${list(esc, b)})`,
  );
}

export function sessionsByKey(esc: Esc, keys: readonly string[]): string[] {
  return [...chunks(keys)].map((b) => `${SELECT_SESSIONS} WHERE \`key\` IN (${list(esc, b)})`);
}

// --- writes ----------------------------------------------------------------------------------

const UPSERT_TASKS = `INSERT INTO ${TASKS} (${quoted(TASK_COLUMNS)}) VALUES `;
const UPSERT_TASKS_UPDATE = onDuplicate(TASK_COLUMNS.slice(1));
const UPSERT_PROJECTS = `INSERT INTO ${PROJECTS} (${quoted(PROJECT_COLUMNS)}) VALUES `;
const UPSERT_PROJECTS_UPDATE = onDuplicate(PROJECT_COLUMNS.slice(1));
const UPSERT_SESSIONS = `INSERT INTO ${SESSIONS} (${quoted(SESSION_COLUMNS)}) VALUES `;
const UPSERT_SESSIONS_UPDATE = onDuplicate(SESSION_COLUMNS.slice(1));

/** Multi-row upserts of `tasks`, in the given order (parents first). */
export function upsertTasks(esc: Esc, tasks: readonly Task[]): string[] {
  return [...chunkRows(tasks, taskSize)].map((chunk) => {
    const rows = chunk.map(
      (t) =>
        `(${esc(t.id)},${esc(t.title)},${esc(t.description)},${esc(t.status)},${esc(t.priority)},` +
        `${esc(t.dueDate)},${esc(t.dueTime)},${esc(t.projectId)},${esc(JSON.stringify(t.tags))},` +
        `${esc(t.parentId)},${esc(t.recurrence?.rrule ?? null)},${esc(t.recurrence?.from ?? null)},` +
        `${esc(t.position)},${esc(t.completedAt)},${esc(t.createdAt)},${esc(t.updatedAt)},` +
        `${esc(t.version)},${esc(t.raftIndex)})`,
    );
    return UPSERT_TASKS + rows.join(',') + UPSERT_TASKS_UPDATE;
  });
}

/** The task_tags rows of `tasks`, replacing theirs (tasks already written). */
export function replaceTaskTags(esc: Esc, tasks: readonly Task[]): string[] {
  const out = [...chunks(tasks.map((t) => t.id))].map(
    (b) => `DELETE FROM ${TASK_TAGS} WHERE \`task_id\` IN (${list(esc, b)})`,
  );
  const rows: string[] = [];
  for (const task of tasks) {
    task.tags.forEach((tag, position) => {
      rows.push(`(${esc(task.id)},${esc(tagKey(tag))},${position})`);
    });
  }
  for (const batch of chunks(rows, MAX_STATEMENT_ROWS)) {
    out.push(
      `INSERT INTO ${TASK_TAGS} (\`task_id\`,\`tag_id\`,\`position\`) VALUES ${batch.join(',')}`,
    );
  }
  return out;
}

export function deleteTasks(esc: Esc, ids: readonly string[]): string[] {
  return [...chunks(ids)].map((b) => `DELETE FROM ${TASKS} WHERE \`id\` IN (${list(esc, b)})`);
}

/**
 * Projects: first every written or deleted one gets a name_key no name can have (names have no
 * control characters), so renames within a batch (a swap, a name freed and taken) never clash
 * on the unique key midway; then the upserts. Deletes come after the tasks are written.
 */
export function upsertProjects(
  esc: Esc,
  projects: readonly ProjectRow[],
  deleting: readonly string[],
): string[] {
  const touched = [...projects.map((p) => p.id), ...deleting];
  const out = [...chunks(touched)].map(
    (b) =>
      `UPDATE ${PROJECTS} SET \`name_key\` = CONCAT(CHAR(1), \`id\`) WHERE \`id\` IN (${list(esc, b)})`,
  );
  for (const batch of chunks(projects, MAX_STATEMENT_ROWS)) {
    const rows = batch.map(
      (p) =>
        `(${esc(p.id)},${esc(p.name)},${esc(tagKey(p.name))},${esc(p.color)},${esc(p.position)},` +
        `${esc(p.version)},${esc(p.createdAt)},${esc(p.updatedAt)},${esc(p.raftIndex)})`,
    );
    out.push(UPSERT_PROJECTS + rows.join(',') + UPSERT_PROJECTS_UPDATE);
  }
  return touched.length === 0 ? [] : out;
}

export function deleteProjects(esc: Esc, ids: readonly string[]): string[] {
  return [...chunks(ids)].map((b) => `DELETE FROM ${PROJECTS} WHERE \`id\` IN (${list(esc, b)})`);
}

export function upsertTags(esc: Esc, tags: readonly { id: string; name: string }[]): string[] {
  return [...chunks(tags, MAX_STATEMENT_ROWS)].map(
    (b) =>
      `INSERT INTO ${TAGS} (\`id\`,\`name\`) VALUES ` +
      b.map((t) => `(${esc(t.id)},${esc(t.name)})`).join(',') +
      ' ON DUPLICATE KEY UPDATE `name`=VALUES(`name`)',
  );
}

export function deleteTags(esc: Esc, ids: readonly string[]): string[] {
  return [...chunks(ids)].map((b) => `DELETE FROM ${TAGS} WHERE \`id\` IN (${list(esc, b)})`);
}

export function upsertSessions(esc: Esc, sessions: readonly ClientSessionAttributes[]): string[] {
  return [...chunkRows(sessions, sessionSize)].map((chunk) => {
    const rows = chunk.map(
      (r) =>
        `(${esc(r.key)},${esc(r.raftIndex)},${esc(r.result)},${esc(r.createdAt)},` +
        `${esc(r.fingerprint)})`,
    );
    return UPSERT_SESSIONS + rows.join(',') + UPSERT_SESSIONS_UPDATE;
  });
}

export function forgetSessionsUpTo(index: number): string {
  return `DELETE FROM ${SESSIONS} WHERE \`raft_index\` <= ${index}`;
}

export function expireSessions(esc: Esc, by: string): string {
  return `DELETE FROM ${SESSIONS} WHERE \`created_at\` <= ${esc(by)}`;
}

/**
 * Emptying every table of the state (restore). DELETE, not TRUNCATE: TRUNCATE commits
 * implicitly, and the restore must stay atomic. Parents are unlinked first so no cascade nests
 * deeper than InnoDB allows (15 levels).
 */
export const EMPTY_STATE = [
  `UPDATE ${TASKS} SET \`parent_id\` = NULL WHERE \`parent_id\` IS NOT NULL`,
  `DELETE FROM ${TASK_TAGS}`,
  `DELETE FROM ${TASKS}`,
  `DELETE FROM ${PROJECTS}`,
  `DELETE FROM ${TAGS}`,
  `DELETE FROM ${SESSIONS}`,
];

// --- reads -----------------------------------------------------------------------------------

/** Keyset pages of every task (or project) by id, for checksums and snapshots. */
export function taskPage(esc: Esc, after: string | undefined, limit: number): string {
  return (
    `${SELECT_TASKS}${after === undefined ? '' : ` WHERE t.\`id\` > ${esc(after)}`} ` +
    `ORDER BY t.\`id\` LIMIT ${limit}`
  );
}

export function projectPage(esc: Esc, after: string | undefined, limit: number): string {
  return (
    `${SELECT_PROJECTS}${after === undefined ? '' : ` WHERE p.\`id\` > ${esc(after)}`} ` +
    `ORDER BY p.\`id\` LIMIT ${limit}`
  );
}

export function taskById(esc: Esc, id: string): string {
  return `${SELECT_TASKS} WHERE t.\`id\` = ${esc(id)}`;
}

export function projectById(esc: Esc, id: string): string {
  return `${SELECT_PROJECTS} WHERE p.\`id\` = ${esc(id)}`;
}

export const LIST_PROJECTS = `${SELECT_PROJECTS} ORDER BY p.\`position\`, p.\`name\`, p.\`id\``;

export const LIST_TAGS =
  `SELECT g.\`name\`, COUNT(*) AS \`count\` FROM ${TAGS} g ` +
  `JOIN ${TASK_TAGS} x ON x.\`tag_id\` = g.\`id\` GROUP BY g.\`id\`, g.\`name\` ORDER BY g.\`id\``;

/** `YYYY-MM-DD` plus `days`, as calendar arithmetic in UTC (pure). */
export function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The list query (both stores apply these rules: memory-task-store.ts mirrors them). */
export function listTasks(esc: Esc, query: ListQuery): string {
  const where: string[] = [];
  if (query.status !== undefined) where.push(`t.\`status\` = ${esc(query.status)}`);
  if (query.projectId !== undefined) {
    where.push(
      query.projectId === 'none'
        ? 't.`project_id` IS NULL'
        : `t.\`project_id\` = ${esc(query.projectId)}`,
    );
  }
  if (query.parentId !== undefined) {
    where.push(
      query.parentId === 'none'
        ? 't.`parent_id` IS NULL'
        : `t.\`parent_id\` = ${esc(query.parentId)}`,
    );
  }
  for (const tag of new Set((query.tags ?? []).map(tagKey))) {
    where.push(
      `t.\`id\` IN (SELECT x.\`task_id\` FROM ${TASK_TAGS} x WHERE x.\`tag_id\` = ${esc(tag)})`,
    );
  }
  if (query.due !== undefined) {
    const today = esc(query.due.today);
    switch (query.due.kind) {
      case 'overdue':
        where.push(`t.\`due_date\` < ${today} AND t.\`status\` <> 'done'`);
        break;
      case 'today':
        where.push(`t.\`due_date\` = ${today}`);
        break;
      case 'upcoming':
        where.push(
          `t.\`due_date\` > ${today} AND t.\`due_date\` <= ${esc(addDays(query.due.today, 7))}`,
        );
        break;
      case 'none':
        where.push('t.`due_date` IS NULL');
        break;
    }
  }
  if (query.q !== undefined && query.q !== '') {
    const pattern = esc(`%${escapeLike(query.q)}%`);
    where.push(
      `(LOWER(t.\`title\`) LIKE LOWER(${pattern}) ESCAPE '!'` +
        ` OR LOWER(t.\`description\`) LIKE LOWER(${pattern}) ESCAPE '!')`,
    );
  }
  // The page's ids first, from an index (a "deferred join"): the sort and the offset walk the
  // narrow index, and only the page's rows are read in full (test/db/explain.test.ts).
  const order = ' ORDER BY t.`position`, t.`created_at`, t.`id`';
  return (
    `SELECT ${TASK_SELECT} FROM (SELECT t.\`id\` FROM ${TASKS} t` +
    (where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`) +
    `${order} LIMIT ${query.limit} OFFSET ${query.offset}) AS \`page\` ` +
    `JOIN ${TASKS} t ON t.\`id\` = \`page\`.\`id\`${order}`
  );
}

/** Escapes LIKE wildcards with `!` (used with `ESCAPE '!'`, independent of sql_mode). */
function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
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
const taskSize = (t: Task) =>
  (t.title.length + t.description.length + JSON.stringify(t.tags).length) * 8 + 1024;
const sessionSize = (s: ClientSessionAttributes) => (s.key.length + s.result.length) * 8 + 128;
