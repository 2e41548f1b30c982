/**
 * `POST /import` (docs/contract.md §4, "Import and export"): turning a Raftboard export (JSON) or
 * a Todoist CSV export into the rows of `import` commands, and cutting them into batches that
 * each fit comfortably in one log entry. Pure: the route (routes.ts) reads the body, proposes
 * the batches on the leader and sums their answers.
 *
 * Idempotency: the ids of rows that have none (every CSV row, a project named by `?project=`)
 * are derived from the request's Idempotency-Key and the row's number, so a retried import
 * names the same rows and the state machine skips what is present; batch n of a keyed import
 * carries the session key `<key>#<n>`.
 */
import { createHash } from 'node:crypto';
import { newId } from './new-id.js';
import * as chrono from 'chrono-node';
import Papa from 'papaparse';
import { z } from 'zod';
import {
  canonicalInstant,
  importedProjectSchema,
  importedTaskSchema,
  tagKey,
} from '../../../db/command.js';
import { firstOccurrence, rruleProblem } from '../../api/recurrence.js';
import { createTaskSchema, createProjectSchema, tagName, uuid } from '../../api/schemas.js';
import {
  DESCRIPTION_MAX,
  TASK_INPUT_FIELDS,
  TITLE_MAX,
  type ImportedTask,
  type Project,
  type Recurrence,
  type TaskPriority,
} from '../../api/task.js';
import { invalidInput } from './errors.js';

export const EXPORT_FORMAT = 'raftboard/1';

/** At most this many rows, and about this many bytes of JSON, in one `import` entry. */
export const IMPORT_BATCH_ROWS = 500;
export const IMPORT_BATCH_BYTES = 256 * 1024;
/**
 * Rows checked per event-loop turn. Checking 10,000 rows in one go held the leader's loop for
 * ~0.3 s, longer than the default election timeout (250 ms): its followers heard no heartbeat and
 * elected another leader in the middle of the import.
 */
export const IMPORT_CHECK_CHUNK = 250;

/** Calls `fn` on each item, giving the event loop a turn every IMPORT_CHECK_CHUNK items. */
async function eachInTurns<T>(items: readonly T[], fn: (item: T) => void): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % IMPORT_CHECK_CHUNK === 0) await new Promise((r) => setImmediate(r));
    fn(items[i] as T);
  }
}

export interface ImportRows {
  readonly projects: readonly Project[];
  readonly tasks: readonly ImportedTask[];
  /** Rows refused before proposing (not valid); the state machine adds what it skips. */
  readonly invalid: number;
}

/** A UUID (v4 layout) derived from the key and a row's name: the same on every retry. */
export function derivedId(key: string, row: string): string {
  const h = createHash('sha256').update(`raftboard-import\0${key}\0${row}`, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Ids for rows without one: derived from the key when there is one, random otherwise. */
export function idSource(key: string | undefined): (row: string) => string {
  return key === undefined ? () => newId() : (row) => derivedId(key, row);
}

// ---------------------------------------------------------------------------------------------
// Raftboard export (JSON)

const instant = z.string().transform((value, ctx) => {
  const canonical = canonicalInstant(value);
  if (canonical === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 instant' });
    return z.NEVER;
  }
  return canonical;
});

const rowMeta = z.object({
  id: uuid,
  createdAt: instant,
  updatedAt: instant,
});

function pick(row: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (row[k] !== undefined) out[k] = row[k];
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The rows of a Raftboard export; a row that breaks a field rule is counted, not written. */
export async function rowsFromExport(doc: unknown): Promise<ImportRows> {
  if (!isRecord(doc)) throw invalidInput('invalid import', { body: 'must be a JSON object' });
  const problems: Record<string, string> = {};
  if (doc.format !== EXPORT_FORMAT) problems.format = `must be "${EXPORT_FORMAT}"`;
  if (!Array.isArray(doc.projects)) problems.projects = 'must be an array';
  if (!Array.isArray(doc.tasks)) problems.tasks = 'must be an array';
  if (Object.keys(problems).length > 0) throw invalidInput('invalid import', problems);
  let invalid = 0;
  const projects: Project[] = [];
  await eachInTurns(doc.projects as unknown[], (row) => {
    const meta = isRecord(row) ? rowMeta.safeParse(row) : undefined;
    const fields = isRecord(row)
      ? createProjectSchema.safeParse(pick(row, ['name', 'color', 'position']))
      : undefined;
    const version = isRecord(row) ? row.version : undefined;
    if (meta?.success !== true || fields?.success !== true) {
      invalid++;
      return;
    }
    projects.push({
      ...meta.data,
      name: fields.data.name,
      color: fields.data.color,
      position: fields.data.position ?? Date.parse(meta.data.createdAt),
      version: Number.isSafeInteger(version) && (version as number) >= 1 ? (version as number) : 1,
    });
  });
  const tasks: ImportedTask[] = [];
  await eachInTurns(doc.tasks as unknown[], (row) => {
    if (!isRecord(row)) {
      invalid++;
      return;
    }
    const meta = rowMeta.safeParse(row);
    const fields = createTaskSchema.safeParse(pick(row, TASK_INPUT_FIELDS));
    const completedAt =
      row.completedAt === undefined || row.completedAt === null
        ? { success: true as const, data: null }
        : instant.safeParse(row.completedAt);
    if (!meta.success || !fields.success || !completedAt.success) {
      invalid++;
      return;
    }
    const f = fields.data;
    tasks.push({
      id: meta.data.id,
      title: f.title,
      description: f.description,
      status: f.status,
      priority: f.priority,
      dueDate: f.dueDate,
      dueTime: f.dueTime,
      projectId: f.projectId,
      tags: f.tags,
      parentId: f.parentId,
      recurrence: f.recurrence,
      position: f.position ?? Date.parse(meta.data.createdAt),
      // A done task keeps when it was done; one that is not done has no completion.
      completedAt: f.status === 'done' ? (completedAt.data ?? meta.data.updatedAt) : null,
      createdAt: meta.data.createdAt,
      updatedAt: meta.data.updatedAt,
    });
  });
  return { projects, tasks: parentsFirst(tasks), invalid };
}

// ---------------------------------------------------------------------------------------------
// Todoist CSV

export interface TodoistOptions {
  /** The entry's time: createdAt of every row, and "today" for relative dates. */
  readonly at: string;
  /** `YYYY-MM-DD` relative dates are read from (the file's TIMEZONE is not applied). */
  readonly today: string;
  readonly idFor: (row: string) => string;
  /** `?project=`: every task goes into this project; `create`: a row for it is imported too. */
  readonly project?:
    { readonly id: string; readonly name: string; readonly create: boolean } | undefined;
}

/** Todoist's p1 (PRIORITY 1) is the highest, p4 (4) none. */
export function todoistPriority(raw: string | undefined): TaskPriority {
  switch ((raw ?? '').trim()) {
    case '1':
      return 'high';
    case '2':
      return 'medium';
    case '3':
    case '4':
      return 'low';
    default:
      return 'medium';
  }
}

const WEEKDAYS: Readonly<Record<string, string>> = {
  mon: 'MO',
  monday: 'MO',
  tue: 'TU',
  tues: 'TU',
  tuesday: 'TU',
  wed: 'WE',
  wednesday: 'WE',
  thu: 'TH',
  thur: 'TH',
  thurs: 'TH',
  thursday: 'TH',
  fri: 'FR',
  friday: 'FR',
  sat: 'SA',
  saturday: 'SA',
  sun: 'SU',
  sunday: 'SU',
};

const UNITS: Readonly<Record<string, string>> = {
  day: 'DAILY',
  week: 'WEEKLY',
  month: 'MONTHLY',
  year: 'YEARLY',
};

/** The RRULE of Todoist's simpler `every …` phrases (after `every`), or null. */
export function todoistRrule(phrase: string): string | null {
  const p = phrase.trim().toLowerCase().replace(/\s+/g, ' ');
  if (p === 'day' || p === 'daily') return 'FREQ=DAILY';
  if (p === 'weekday' || p === 'workday') return 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
  const unit = /^(?:(\d{1,3}|other) )?(day|week|month|year)s?$/.exec(p);
  if (unit !== null) {
    const n = unit[1] === undefined ? 1 : unit[1] === 'other' ? 2 : Number(unit[1]);
    if (n < 1) return null;
    return `FREQ=${UNITS[unit[2]!]}${n > 1 ? `;INTERVAL=${n}` : ''}`;
  }
  const days = p.split(/ ?, ?| and /).map((d) => WEEKDAYS[d]);
  if (days.length > 0 && days.every((d) => d !== undefined)) {
    return `FREQ=WEEKLY;BYDAY=${[...new Set(days)].join(',')}`;
  }
  const monthDay = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(p);
  if (monthDay !== null) {
    const d = Number(monthDay[1]);
    return d >= 1 && d <= 31 ? `FREQ=MONTHLY;BYMONTHDAY=${d}` : null;
  }
  if (p === 'last day' || p === 'last day of the month') return 'FREQ=MONTHLY;BYMONTHDAY=-1';
  return null;
}

export interface ParsedDue {
  readonly dueDate: string;
  readonly dueTime: string | null;
  readonly recurrence: Recurrence | null;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function timeOf(text: string, today: string): string | null {
  const r = chrono.parse(text, { instant: new Date(`${today}T12:00:00Z`), timezone: 'UTC' })[0];
  if (r === undefined || !r.start.isCertain('hour')) return null;
  return `${pad(r.start.get('hour') ?? 0)}:${pad(r.start.get('minute') ?? 0)}`;
}

/**
 * Todoist's DATE column: natural language, read with chrono-node (`tomorrow`, `Jan 5`,
 * `2025-03-04`, `next friday at 5pm`), and `every …` / `every! …` (from completion) turned into
 * an RRULE for the simpler phrases (see todoistRrule), due on the first occurrence from today.
 * null when nothing could be read (the task is imported without a due date).
 */
export function parseTodoistDate(raw: string | undefined, today: string): ParsedDue | null {
  const text = (raw ?? '').trim();
  if (text === '') return null;
  const every = /^every(!?)\s+(.+)$/i.exec(text);
  if (every !== null) {
    const [, bang, rest] = every;
    const at = /^(.*?)\s+at\s+(.+)$/i.exec(rest!);
    const phrase = at === null ? rest! : at[1]!;
    const rrule = todoistRrule(phrase);
    if (rrule !== null && rruleProblem(rrule) === undefined) {
      const dueDate = firstOccurrence(rrule, today);
      if (dueDate !== null) {
        return {
          dueDate,
          dueTime: at === null ? null : timeOf(`${today} ${at[2]}`, today),
          recurrence: { rrule, from: bang === '!' ? 'completion' : 'due' },
        };
      }
    }
  }
  const r = chrono.parse(
    text,
    { instant: new Date(`${today}T12:00:00Z`), timezone: 'UTC' },
    { forwardDate: true },
  )[0];
  if (r === undefined) return null;
  const y = r.start.get('year');
  const m = r.start.get('month');
  const d = r.start.get('day');
  if (y === null || m === null || d === null) return null;
  const dueDate = `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
  const dueTime = r.start.isCertain('hour')
    ? `${pad(r.start.get('hour') ?? 0)}:${pad(r.start.get('minute') ?? 0)}`
    : null;
  return { dueDate, dueTime, recurrence: null };
}

/** `@label` words of a Todoist task's CONTENT become tags and leave the title. */
export function splitLabels(content: string): { title: string; tags: string[] } {
  const tags: string[] = [];
  const title = content
    .replace(/(^|\s)@([^\s@,]+)/gu, (_m, space: string, label: string) => {
      if (tagName.safeParse(label).success) {
        tags.push(label);
        return space;
      }
      return `${space}@${label}`;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return { title, tags };
}

function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max).join('');
}

function header(fields: readonly string[] | undefined): Set<string> {
  return new Set((fields ?? []).map((f) => f.trim().toUpperCase()));
}

/** The task rows of a Todoist CSV export (TYPE=task; sections and notes are left out). */
export function rowsFromTodoistCsv(text: string, opts: TodoistOptions): ImportRows {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toUpperCase(),
  });
  const columns = header(parsed.meta.fields);
  if (!columns.has('TYPE') || !columns.has('CONTENT')) {
    throw invalidInput('invalid import', {
      body: 'a CSV import must be a Todoist export with at least the columns TYPE and CONTENT',
    });
  }
  const base = Date.parse(opts.at);
  const projects: Project[] =
    opts.project === undefined || !opts.project.create
      ? []
      : [
          {
            id: opts.project.id,
            name: opts.project.name,
            color: null,
            position: base,
            version: 1,
            createdAt: opts.at,
            updatedAt: opts.at,
          },
        ];
  const tasks: ImportedTask[] = [];
  let invalid = 0;
  /** The tasks a deeper INDENT nests under: the last one of each lower indent. */
  const stack: { indent: number; id: string }[] = [];
  parsed.data.forEach((row, i) => {
    const type = (row.TYPE ?? '').trim().toLowerCase();
    if (type !== 'task') return;
    const { title: rawTitle, tags } = splitLabels(row.CONTENT ?? '');
    const title = truncate(rawTitle, TITLE_MAX);
    const indentRaw = Number((row.INDENT ?? '1').trim() || '1');
    const indent = Number.isSafeInteger(indentRaw) && indentRaw >= 1 ? indentRaw : 1;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (title === '') {
      invalid++;
      return;
    }
    const id = opts.idFor(`task:${i + 2}`); // the CSV line number (the header is line 1)
    const due = parseTodoistDate(row.DATE, opts.today);
    const task: ImportedTask = {
      id,
      title,
      description: truncate(row.DESCRIPTION ?? '', DESCRIPTION_MAX),
      status: 'todo',
      priority: todoistPriority(row.PRIORITY),
      dueDate: due?.dueDate ?? null,
      dueTime: due?.dueTime ?? null,
      projectId: opts.project?.id ?? null,
      tags: dedupe(tags),
      parentId: indent > 1 && stack.length > 0 ? stack[stack.length - 1]!.id : null,
      recurrence: due?.recurrence ?? null,
      position: base + i,
      completedAt: null,
      createdAt: opts.at,
      updatedAt: opts.at,
    };
    // Checked with the API's own rules, as if created one by one.
    const ok = createTaskSchema.safeParse(
      pick(task as unknown as Record<string, unknown>, TASK_INPUT_FIELDS),
    );
    if (!ok.success) {
      invalid++;
      return;
    }
    tasks.push({ ...task, tags: ok.data.tags });
    stack.push({ indent, id });
  });
  return { projects, tasks, invalid };
}

function dedupe(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((t) => {
    const k = t.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Only the rows every replica's decoder takes (db/command.ts, the same schemas): a row it would
 * refuse would make the whole entry ignored on every replica after it committed. Such a row is
 * left out here and counted in `invalid`, so it never sinks the rows around it.
 */
export async function storableRows(rows: ImportRows): Promise<ImportRows> {
  const projects: Project[] = [];
  await eachInTurns(rows.projects, (p) => {
    if (importedProjectSchema.safeParse(p).success) projects.push(p);
  });
  const tasks: ImportedTask[] = [];
  await eachInTurns(rows.tasks, (t) => {
    if (importedTaskSchema.safeParse(t).success) tasks.push(t);
  });
  const dropped = rows.projects.length - projects.length + rows.tasks.length - tasks.length;
  return dropped === 0 ? rows : { projects, tasks, invalid: rows.invalid + dropped };
}

/**
 * Tasks of an imported project whose name (ignoring case) an existing project has under another
 * id, or an earlier project row of the same file, go to that project: the existing one first,
 * else the file's first row of that name. The project row stays: the state machine skips and
 * counts it. Deterministic, and the same on a keyed retry (the first row then exists, by id).
 */
export function mapProjectsByName(rows: ImportRows, existing: readonly Project[]): ImportRows {
  const ids = new Set(existing.map((p) => p.id));
  const byName = new Map(existing.map((p) => [tagKey(p.name), p.id]));
  const mapped = new Map<string, string>();
  for (const p of rows.projects) {
    if (ids.has(p.id)) continue; // present: skipped by the state machine, its tasks stay on it
    const name = tagKey(p.name);
    const to = byName.get(name);
    if (to === undefined) byName.set(name, p.id);
    else if (to !== p.id) mapped.set(p.id, to);
  }
  if (mapped.size === 0) return rows;
  return {
    ...rows,
    tasks: rows.tasks.map((t) =>
      t.projectId !== null && mapped.has(t.projectId)
        ? { ...t, projectId: mapped.get(t.projectId)! }
        : t,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Ordering and batches

/**
 * Parents before their subtasks (a stable order otherwise), so a subtask's parent is written by
 * an earlier row of the same batch or an earlier batch. A task whose parent is not in the file
 * keeps its place (the state machine skips it if the parent does not exist either).
 */
export function parentsFirst(tasks: readonly ImportedTask[]): ImportedTask[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const out: ImportedTask[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: ImportedTask): void => {
    if (state.get(t.id) !== undefined) return; // done, or a cycle: the state machine decides
    state.set(t.id, 'visiting');
    const parent = t.parentId === null ? undefined : byId.get(t.parentId);
    if (parent !== undefined) visit(parent);
    state.set(t.id, 'done');
    out.push(t);
  };
  for (const t of tasks) visit(t);
  return out;
}

export interface ImportBatch {
  readonly projects: readonly Project[];
  readonly tasks: readonly ImportedTask[];
}

/**
 * Cuts the rows into batches of at most IMPORT_BATCH_ROWS rows and about IMPORT_BATCH_BYTES of
 * JSON (a single row may be larger; a row is at most ~12 KiB by the field limits), projects
 * first. Raft's append messages are 1 MiB and transport frames 4 MiB, so every entry fits.
 */
export function importBatches(
  rows: Pick<ImportRows, 'projects' | 'tasks'>,
  maxRows: number = IMPORT_BATCH_ROWS,
  maxBytes: number = IMPORT_BATCH_BYTES,
): ImportBatch[] {
  const out: ImportBatch[] = [];
  let projects: Project[] = [];
  let tasks: ImportedTask[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (projects.length + tasks.length === 0) return;
    out.push({ projects, tasks });
    projects = [];
    tasks = [];
    bytes = 0;
  };
  const add = (size: number, push: () => void): void => {
    if (projects.length + tasks.length >= maxRows || (bytes > 0 && bytes + size > maxBytes)) {
      flush();
    }
    push();
    bytes += size;
  };
  for (const p of rows.projects) add(Buffer.byteLength(JSON.stringify(p)), () => projects.push(p));
  for (const t of rows.tasks) add(Buffer.byteLength(JSON.stringify(t)), () => tasks.push(t));
  flush();
  return out;
}
