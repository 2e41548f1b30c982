/**
 * The form checks its input with the contract's own zod schemas (cluster/api/schemas.ts), so the
 * window refuses exactly what the nodes would refuse, with the same per-field messages. The
 * fields of issue 14 (time, project, tags, repeat) are checked here against the contract's limits.
 */
import { createTaskSchema, fieldErrors, patchTaskSchema } from '../../../cluster/api/schemas.js';
import {
  TAG_MAX,
  TAGS_MAX,
  type Recurrence,
  type Task,
  type TaskInput,
  type TaskPatch,
  type TaskPriority,
  type TaskStatus,
} from '../../../cluster/api/task.js';
import { FIELD_LABELS } from '../text/labels.js';

/** What the form holds: strings as typed (an empty due date is "no due date"). */
export interface FormValues {
  readonly title: string;
  readonly description: string;
  readonly status: TaskStatus;
  readonly priority: TaskPriority;
  readonly dueDate: string;
  /** `HH:MM` or ''. */
  readonly dueTime: string;
  /** A project id, or '' for the Inbox. */
  readonly projectId: string;
  /** Comma-separated. */
  readonly tags: string;
  /** An RRULE, or '' for no repeat. */
  readonly repeat: string;
  readonly repeatFrom: Recurrence['from'];
}

export type FieldErrors = Readonly<Record<string, string>>;

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldErrors };

export const EMPTY_FORM: FormValues = {
  title: '',
  description: '',
  status: 'todo',
  priority: 'medium',
  dueDate: '',
  dueTime: '',
  projectId: '',
  tags: '',
  repeat: '',
  repeatFrom: 'due',
};

export function valuesOf(t: TaskInput | Task): FormValues {
  return {
    title: t.title,
    description: t.description ?? '',
    status: t.status ?? 'todo',
    priority: t.priority ?? 'medium',
    dueDate: t.dueDate ?? '',
    dueTime: t.dueTime ?? '',
    projectId: t.projectId ?? '',
    tags: (t.tags ?? []).join(', '),
    repeat: t.recurrence?.rrule ?? '',
    repeatFrom: t.recurrence?.from ?? 'due',
  };
}

/** `{ title: "must not be empty" }` → `{ title: "Title must not be empty" }`: reads on its own. */
export function labelled(errors: Readonly<Record<string, string>>): FieldErrors {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    const label = FIELD_LABELS[field];
    out[field] = label === undefined ? message : `${label} ${message}`;
  }
  return out;
}

/** The fields the schemas check. */
function toInput(v: FormValues): Record<string, unknown> {
  return {
    title: v.title,
    description: v.description,
    status: v.status,
    priority: v.priority,
    dueDate: v.dueDate === '' ? null : v.dueDate,
  };
}

/** Tags as typed (`home, #errands`) to a list: trimmed, no `#`, distinct ignoring case. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim().replace(/^#/, '').trim();
    if (tag !== '' && !out.some((t) => t.toLocaleLowerCase() === tag.toLocaleLowerCase())) {
      out.push(tag);
    }
  }
  return out;
}

interface Extras {
  readonly dueTime: string | null;
  readonly projectId: string | null;
  readonly tags: readonly string[];
  readonly recurrence: Recurrence | null;
}

function extrasOf(v: FormValues): Checked<Extras> {
  const errors: Record<string, string> = {};
  const tags = parseTags(v.tags);
  if (tags.length > TAGS_MAX) errors.tags = `at most ${TAGS_MAX} tags`;
  const long = tags.find((t) => [...t].length > TAG_MAX);
  if (long !== undefined) errors.tags = `“${long}” is longer than ${TAG_MAX} characters`;
  if (v.dueTime !== '' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(v.dueTime)) {
    errors.dueTime = 'must be a time as HH:MM';
  } else if (v.dueTime !== '' && v.dueDate === '') errors.dueTime = 'needs a due date';
  if (v.repeat !== '' && v.dueDate === '') errors.recurrence = 'needs a due date to start from';
  if (Object.keys(errors).length > 0) return { ok: false, errors: labelled(errors) };
  return {
    ok: true,
    value: {
      dueTime: v.dueTime === '' ? null : v.dueTime,
      projectId: v.projectId === '' ? null : v.projectId,
      tags,
      recurrence: v.repeat === '' ? null : { rrule: v.repeat, from: v.repeatFrom },
    },
  };
}

function sameExtra(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function checkCreate(v: FormValues): Checked<TaskInput> {
  const r = createTaskSchema.safeParse(toInput(v));
  const x = extrasOf(v);
  if (!r.success || !x.ok) {
    return {
      ok: false,
      errors: { ...(r.success ? {} : labelled(fieldErrors(r.error))), ...(x.ok ? {} : x.errors) },
    };
  }
  const e = x.value;
  return {
    ok: true,
    value: {
      ...r.data,
      // Only what was given: a plain task is sent as it always was.
      ...(e.dueTime === null ? {} : { dueTime: e.dueTime }),
      ...(e.projectId === null ? {} : { projectId: e.projectId }),
      ...(e.tags.length === 0 ? {} : { tags: e.tags }),
      ...(e.recurrence === null ? {} : { recurrence: e.recurrence }),
    },
  };
}

/** Only the fields that differ from the task; an empty patch means "nothing to save". */
export function checkEdit(task: Task, v: FormValues): Checked<TaskPatch> {
  const input = toInput(v);
  const before = toInput(valuesOf(task));
  const diff: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    // Surrounding spaces are trimmed by the schema anyway: they alone are not a change.
    const a = key === 'title' ? String(input[key]).trim() : input[key];
    if (a !== before[key]) diff[key] = input[key];
  }
  const x = extrasOf(v);
  let patch: TaskPatch = {};
  if (Object.keys(diff).length > 0) {
    const r = patchTaskSchema.safeParse(diff);
    if (!r.success) {
      return {
        ok: false,
        errors: { ...labelled(fieldErrors(r.error)), ...(x.ok ? {} : x.errors) },
      };
    }
    const { expectedVersion: _v, ...core } = r.data;
    patch = core;
  }
  if (!x.ok) return x;
  const e = x.value;
  const extra: Record<string, unknown> = {};
  if (e.dueTime !== task.dueTime) extra.dueTime = e.dueTime;
  if (e.projectId !== task.projectId) extra.projectId = e.projectId;
  if (!sameExtra(e.tags, task.tags)) extra.tags = e.tags;
  if (!sameExtra(e.recurrence, task.recurrence)) extra.recurrence = e.recurrence;
  return { ok: true, value: { ...patch, ...extra } };
}
