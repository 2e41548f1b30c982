/**
 * Quick add: one line of plain language to a task. Recognises a due date and time (chrono-node:
 * "tomorrow 5pm", "next fri", "on 3 March"), a recurrence ("every monday", "every 2 weeks"),
 * `#tag`, `@project` (an existing one, by name ignoring case) and `!high` / `!medium` / `!low`;
 * what is left is the title. Pure: `now` and the projects are passed in.
 */
import * as chrono from 'chrono-node';
import type { Project, Recurrence, TaskInput, TaskPriority } from '../../../cluster/api/task.js';
import { dayOf, formatDay, localDay, type Day } from './dates.js';
import { describeRecurrence, findRecurrence, firstOccurrence } from './recurrence.js';

export type ChipKind = 'date' | 'time' | 'recurrence' | 'project' | 'tag' | 'priority' | 'unknown';

export interface QuickChip {
  readonly kind: ChipKind;
  /** What the chip says: `Tue, 8 Dec 2026`, `09:00`, `every week`, `#home`. */
  readonly label: string;
  /** The words of the input it stands for. */
  readonly source: string;
}

export interface QuickParse {
  readonly title: string;
  readonly dueDate: Day | null;
  readonly dueTime: string | null;
  readonly recurrence: Recurrence | null;
  readonly tags: readonly string[];
  readonly projectId: string | null;
  readonly priority: TaskPriority | null;
  readonly chips: readonly QuickChip[];
}

export interface QuickContext {
  readonly now: Date;
  readonly projects: readonly Pick<Project, 'id' | 'name'>[];
}

const PRIORITIES: Readonly<Record<string, TaskPriority>> = {
  high: 'high',
  medium: 'medium',
  low: 'low',
};

/** The input with recognised words blanked out, index for index. */
class Masked {
  private readonly chars: string[];
  constructor(source: string) {
    this.chars = source.split('');
  }
  get text(): string {
    return this.chars.join('');
  }
  take(index: number, length: number): void {
    for (let i = index; i < index + length; i++) this.chars[i] = ' ';
  }
  rest(): string {
    return this.text.replace(/\s+/g, ' ').trim();
  }
}

function findAll(text: string, re: RegExp): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  for (let m = g.exec(text); m !== null; m = g.exec(text)) out.push(m);
  return out;
}

function hhmm(h: number, m: number): string {
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function parseQuickAdd(input: string, ctx: QuickContext): QuickParse {
  const s = new Masked(input);
  const chips: QuickChip[] = [];
  const tags: string[] = [];
  let projectId: string | null = null;
  let priority: TaskPriority | null = null;

  // `!high`: the last one wins.
  for (const m of findAll(s.text, /(^|\s)!(high|medium|low)(?![\p{L}\p{N}])/iu)) {
    const word = m[2] as string;
    priority = PRIORITIES[word.toLowerCase()] ?? null;
    s.take(m.index + (m[1] as string).length, word.length + 1);
  }

  // `@project`: the longest existing name that follows the `@`, so "@Home office" beats "@Home".
  const byLength = [...ctx.projects].sort((a, b) => b.name.length - a.name.length);
  for (const m of findAll(s.text, /(^|\s)@(?=\S)/u)) {
    const at = m.index + (m[1] as string).length;
    const after = s.text.slice(at + 1);
    const p = byLength.find(
      (p) =>
        after.slice(0, p.name.length).toLocaleLowerCase() === p.name.toLocaleLowerCase() &&
        /^(\s|$)/.test(after.slice(p.name.length)),
    );
    if (p === undefined) {
      const word = /^\S+/.exec(after)?.[0] ?? '';
      chips.push({ kind: 'unknown', label: `No project “${word}”`, source: `@${word}` });
      continue;
    }
    if (projectId === null) {
      projectId = p.id;
      chips.push({ kind: 'project', label: p.name, source: `@${after.slice(0, p.name.length)}` });
    }
    s.take(at, p.name.length + 1);
  }

  // `#tag`: letters, digits, `-`, `_`, `/`; distinct ignoring case, first spelling kept.
  for (const m of findAll(s.text, /(^|\s)#([\p{L}\p{N}_\-/]+)/u)) {
    const tag = m[2] as string;
    if (!tags.some((t) => t.toLocaleLowerCase() === tag.toLocaleLowerCase())) {
      tags.push(tag);
      chips.push({ kind: 'tag', label: `#${tag}`, source: `#${tag}` });
    }
    s.take(m.index + (m[1] as string).length, tag.length + 1);
  }

  // Recurrence before dates: chrono would read "every monday" as next Monday.
  const rec = findRecurrence(s.text);
  let recurrence: Recurrence | null = null;
  if (rec !== null) {
    recurrence = rec.recurrence;
    s.take(rec.index, rec.text.length);
  }

  let dueDate: Day | null = null;
  let dueTime: string | null = null;
  const when = chrono.parse(s.text, ctx.now, { forwardDate: true })[0];
  if (when !== undefined) {
    const start = when.start;
    dueDate = dayOf(
      start.get('year') ?? ctx.now.getFullYear(),
      start.get('month') ?? 1,
      start.get('day') ?? 1,
    );
    if (start.isCertain('hour')) dueTime = hhmm(start.get('hour') ?? 0, start.get('minute') ?? 0);
    let index = when.index;
    let length = when.text.length;
    // "due friday", "by 3 March": the little word goes with the date.
    const lead = /(?:^|\s)(due|by)\s+$/i.exec(s.text.slice(0, index));
    if (lead !== null) {
      const from = lead.index + lead[0].length - lead[0].trimStart().length;
      length += index - from;
      index = from;
    }
    s.take(index, length);
  }

  if (recurrence !== null && dueDate === null) {
    dueDate = firstOccurrence(recurrence.rrule, localDay(ctx.now));
  }

  const ordered: QuickChip[] = [];
  if (dueDate !== null) {
    ordered.push({ kind: 'date', label: formatDay(dueDate), source: when?.text ?? '' });
  }
  if (dueTime !== null) ordered.push({ kind: 'time', label: dueTime, source: when?.text ?? '' });
  if (recurrence !== null && rec !== null) {
    ordered.push({ kind: 'recurrence', label: describeRecurrence(recurrence), source: rec.text });
  }
  if (priority !== null) {
    ordered.push({ kind: 'priority', label: priority, source: `!${priority}` });
  }

  return {
    title: s.rest(),
    dueDate,
    dueTime,
    recurrence,
    tags,
    projectId,
    priority,
    chips: [...ordered, ...chips],
  };
}

/** Fills in what the line did not say from where the user is (a project, a tag, a day). */
export interface QuickDefaults {
  readonly projectId?: string | null;
  readonly tags?: readonly string[];
  readonly dueDate?: Day | null;
}

export function toTaskInput(p: QuickParse, d: QuickDefaults = {}): TaskInput {
  const tags = [...p.tags];
  for (const t of d.tags ?? []) {
    if (!tags.some((x) => x.toLocaleLowerCase() === t.toLocaleLowerCase())) tags.push(t);
  }
  const dueDate = p.dueDate ?? d.dueDate ?? null;
  return {
    title: p.title,
    ...(p.priority === null ? {} : { priority: p.priority }),
    ...(dueDate === null ? {} : { dueDate }),
    ...(p.dueTime === null || dueDate === null ? {} : { dueTime: p.dueTime }),
    ...(p.recurrence === null ? {} : { recurrence: p.recurrence }),
    ...(tags.length === 0 ? {} : { tags }),
    ...((p.projectId ?? d.projectId ?? null) === null
      ? {}
      : { projectId: p.projectId ?? d.projectId ?? null }),
  };
}
