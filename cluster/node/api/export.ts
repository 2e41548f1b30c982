/**
 * `GET /export?format=csv`: the tasks as CSV (RFC 4180: comma-separated, CRLF line ends, a field
 * quoted when it holds a comma, a quote or a line break, quotes doubled), one header row first.
 * Tags are joined by single spaces (a tag has no spaces or commas), the project is given by id
 * and by name, the recurrence as its RRULE and its `from`.
 *
 * Formula injection: a text cell (title, description, project name, tags) that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula when the file is opened
 * in a spreadsheet; it is written with a `'` in front (OWASP's advice). Ids, dates and numbers
 * are never user text and are left as they are (a negative position stays a number).
 */
import Papa from 'papaparse';
import type { Project, Task } from '../../api/task.js';

export const CSV_COLUMNS = [
  'id',
  'title',
  'description',
  'status',
  'priority',
  'dueDate',
  'dueTime',
  'projectId',
  'project',
  'tags',
  'parentId',
  'recurrence',
  'recurrenceFrom',
  'position',
  'completedAt',
  'createdAt',
  'updatedAt',
  'version',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A user's text as a CSV cell a spreadsheet shows as text, never runs. */
export function textCell(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

export function tasksCsv(tasks: readonly Task[], projects: readonly Project[]): string {
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const rows = tasks.map((t) => [
    t.id,
    textCell(t.title),
    textCell(t.description),
    t.status,
    t.priority,
    t.dueDate ?? '',
    t.dueTime ?? '',
    t.projectId ?? '',
    t.projectId === null ? '' : textCell(names.get(t.projectId) ?? ''),
    textCell(t.tags.join(' ')),
    t.parentId ?? '',
    t.recurrence?.rrule ?? '',
    t.recurrence?.from ?? '',
    String(t.position),
    t.completedAt ?? '',
    t.createdAt,
    t.updatedAt,
    String(t.version),
  ]);
  const body = Papa.unparse(
    { fields: [...CSV_COLUMNS], data: rows },
    {
      newline: '\r\n',
      quotes: false,
      quoteChar: '"',
      escapeChar: '"',
      escapeFormulae: false /* done by textCell */,
    },
  );
  return `${body}\r\n`;
}
