/**
 * The form checks its input with the contract's own zod schemas (cluster/api/schemas.ts), so the
 * window refuses exactly what the nodes would refuse, with the same per-field messages.
 */
import { createTaskSchema, fieldErrors, patchTaskSchema } from '../../../cluster/api/schemas.js';
import type {
  Task,
  TaskInput,
  TaskPatch,
  TaskPriority,
  TaskStatus,
} from '../../../cluster/api/task.js';
import { FIELD_LABELS } from '../text/labels.js';

/** What the form holds: strings as typed (an empty due date is "no due date"). */
export interface FormValues {
  readonly title: string;
  readonly description: string;
  readonly status: TaskStatus;
  readonly priority: TaskPriority;
  readonly dueDate: string;
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
};

export function valuesOf(t: TaskInput | Task): FormValues {
  return {
    title: t.title,
    description: t.description ?? '',
    status: t.status ?? 'todo',
    priority: t.priority ?? 'medium',
    dueDate: t.dueDate ?? '',
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

function toInput(v: FormValues): Record<string, unknown> {
  return { ...v, dueDate: v.dueDate === '' ? null : v.dueDate };
}

export function checkCreate(v: FormValues): Checked<TaskInput> {
  const r = createTaskSchema.safeParse(toInput(v));
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, errors: labelled(fieldErrors(r.error)) };
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
  if (Object.keys(diff).length === 0) return { ok: true, value: {} };
  const r = patchTaskSchema.safeParse(diff);
  if (r.success) {
    const { expectedVersion: _v, ...patch } = r.data;
    return { ok: true, value: patch };
  }
  return { ok: false, errors: labelled(fieldErrors(r.error)) };
}
