/**
 * The form checks its input with the contract's own zod schemas (cluster/api/schemas.ts), so the
 * window refuses exactly what the nodes would refuse, with the same per-field messages.
 */
import { createTaskSchema, fieldErrors, patchTaskSchema } from '../../../cluster/api/schemas.js';
import {
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

/** What the form holds, as the API takes it. */
function toInput(v: FormValues): Record<string, unknown> {
  return {
    title: v.title,
    description: v.description,
    status: v.status,
    priority: v.priority,
    dueDate: v.dueDate === '' ? null : v.dueDate,
    dueTime: v.dueTime === '' ? null : v.dueTime,
    projectId: v.projectId === '' ? null : v.projectId,
    tags: parseTags(v.tags),
    recurrence: v.repeat === '' ? null : { rrule: v.repeat, from: v.repeatFrom },
  };
}

/**
 * Tags as typed (`home, #errands`) to a list: split at commas and spaces (a tag has neither),
 * without `#`, distinct ignoring case. Longer or more tags than allowed are left for the schema.
 */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,]+/u)) {
    const tag = raw.replace(/^#/, '');
    if (tag !== '' && !out.some((t) => t.toLocaleLowerCase() === tag.toLocaleLowerCase())) {
      out.push(tag);
    }
  }
  return out;
}

const NEEDS_DUE_DATE = 'needs a due date';

export function checkCreate(v: FormValues): Checked<TaskInput> {
  const r = createTaskSchema.safeParse(toInput(v));
  if (!r.success) return { ok: false, errors: labelled(fieldErrors(r.error)) };
  // Only what was given: a plain task is sent as it always was.
  const { dueTime, projectId, tags, parentId, recurrence, ...core } = r.data;
  return {
    ok: true,
    value: {
      ...core,
      ...(dueTime === null ? {} : { dueTime }),
      ...(projectId === null ? {} : { projectId }),
      ...(tags.length === 0 ? {} : { tags }),
      ...(parentId === null ? {} : { parentId }),
      ...(recurrence === null ? {} : { recurrence }),
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
    if (JSON.stringify(a) !== JSON.stringify(before[key])) diff[key] = input[key];
  }
  if (Object.keys(diff).length === 0) return { ok: true, value: {} };
  // The schema sees the patch alone; a time or a repeat also needs the date the task keeps.
  const errors: Record<string, string> = {};
  if (input.dueDate === null) {
    if (input.dueTime !== null) errors.dueTime = NEEDS_DUE_DATE;
    if (input.recurrence !== null) errors.recurrence = NEEDS_DUE_DATE;
  }
  const r = patchTaskSchema.safeParse(diff);
  if (!r.success || Object.keys(errors).length > 0) {
    return {
      ok: false,
      errors: labelled({ ...errors, ...(r.success ? {} : fieldErrors(r.error)) }),
    };
  }
  const { expectedVersion: _v, ...patch } = r.data;
  return { ok: true, value: patch };
}
