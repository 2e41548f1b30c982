/**
 * Create / edit a task in a modal dialog. Fields are checked with the contract's schemas on
 * blur and on submit, then live while a field shows an error, so a message appears when it is
 * useful and disappears as soon as it is fixed. Saving never waits for the cluster: the change
 * goes to the store, which shows it pending until it commits.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  TITLE_MAX,
  type Task,
  type TaskInput,
  type TaskPatch,
} from '../../../cluster/api/task.js';
import { useProjects } from '../store/context.js';
import { PRIORITY_LABELS, STATUS_LABELS } from '../text/labels.js';
import { trapFocus } from './Modal.js';
import { describeRecurrence } from './recurrence.js';
import { Subtasks } from './Subtasks.js';
import { checkCreate, checkEdit, type FieldErrors, type FormValues } from './validation.js';

export interface TaskFormProps {
  readonly heading: string;
  readonly submitLabel: string;
  readonly initial: FormValues;
  /** Set when editing: only the fields that differ are sent. */
  readonly task?: Task;
  /** Errors to show from the start (the cluster's answer to an earlier try). */
  readonly initialErrors?: FieldErrors;
  readonly onCreate?: (input: TaskInput) => void;
  /** Called with the changed fields only; never with an empty patch (that just closes). */
  readonly onEdit?: (patch: TaskPatch) => void;
  readonly onClose: () => void;
}

function Field(props: {
  id: string;
  label: string;
  error: string | undefined;
  hint?: ReactNode;
  children: (describedBy: string | undefined) => ReactNode;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children(props.error ? errorId : undefined)}
      {props.hint}
      {props.error && (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The repeats the editor offers, plus the task's own rule when it is another one. */
const REPEATS: readonly (readonly [string, string])[] = [
  ['', 'Does not repeat'],
  ['FREQ=DAILY', 'Every day'],
  ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'Every weekday'],
  ['FREQ=WEEKLY', 'Every week'],
  ['FREQ=WEEKLY;INTERVAL=2', 'Every 2 weeks'],
  ['FREQ=MONTHLY', 'Every month'],
  ['FREQ=YEARLY', 'Every year'],
];

function repeatOptions(current: string): (readonly [string, string])[] {
  if (REPEATS.some(([rule]) => rule === current)) return [...REPEATS];
  const own = describeRecurrence({ rrule: current, from: 'due' });
  return [...REPEATS, [current, own.charAt(0).toUpperCase() + own.slice(1)]];
}

export function TaskForm(props: TaskFormProps) {
  const projects = useProjects((s) => s.projects);
  const [values, setValues] = useState<FormValues>(props.initial);
  const [errors, setErrors] = useState<FieldErrors>(props.initialErrors ?? {});
  const id = useId();

  // Back to where the user was when the dialog closes.
  useEffect(() => {
    const before = document.activeElement;
    return () => {
      if (before instanceof HTMLElement) before.focus();
    };
  }, []);

  const check = (v: FormValues) => (props.task ? checkEdit(props.task, v) : checkCreate(v));

  /** Re-checks one field, keeping the others' messages as they are. */
  const recheck = (v: FormValues, field: keyof FormValues): void => {
    const r = check(v);
    const next = { ...errors };
    delete next[field];
    if (!r.ok && r.errors[field] !== undefined) next[field] = r.errors[field];
    setErrors(next);
  };

  const change = (field: keyof FormValues, value: string): void => {
    const v = { ...values, [field]: value };
    setValues(v);
    if (errors[field] !== undefined) recheck(v, field);
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (props.task) {
      const r = checkEdit(props.task, values);
      if (!r.ok) return setErrors(r.errors);
      if (Object.keys(r.value).length === 0) return props.onClose();
      props.onEdit?.(r.value);
    } else {
      const r = checkCreate(values);
      if (!r.ok) return setErrors(r.errors);
      props.onCreate?.(r.value);
    }
  };

  const titleLength = [...values.title.trim()].length;
  const f = (name: string): string => `${id}-${name}`;

  return (
    // No close on a backdrop click: a stray click must not throw away what was typed.
    <div className="backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={f('heading')}
        className="dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onClose();
          if (e.key === 'Tab') trapFocus(e);
        }}
      >
        <h2 id={f('heading')}>{props.heading}</h2>
        <form noValidate onSubmit={submit}>
          <Field
            id={f('title')}
            label="Title"
            error={errors.title}
            hint={
              <span className={`counter${titleLength > TITLE_MAX ? ' over' : ''}`} aria-hidden>
                {titleLength}/{TITLE_MAX}
              </span>
            }
          >
            {(describedBy) => (
              <input
                id={f('title')}
                autoFocus
                value={values.title}
                aria-invalid={errors.title !== undefined}
                aria-describedby={describedBy}
                onChange={(e) => change('title', e.target.value)}
                onBlur={() => recheck(values, 'title')}
              />
            )}
          </Field>
          <Field id={f('description')} label="Description" error={errors.description}>
            {(describedBy) => (
              <textarea
                id={f('description')}
                rows={4}
                value={values.description}
                aria-invalid={errors.description !== undefined}
                aria-describedby={describedBy}
                onChange={(e) => change('description', e.target.value)}
                onBlur={() => recheck(values, 'description')}
              />
            )}
          </Field>
          <div className="field-row">
            <Field id={f('status')} label="Status" error={errors.status}>
              {(describedBy) => (
                <select
                  id={f('status')}
                  value={values.status}
                  aria-describedby={describedBy}
                  onChange={(e) => change('status', e.target.value)}
                >
                  {TASK_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABELS[s]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id={f('priority')} label="Priority" error={errors.priority}>
              {(describedBy) => (
                <select
                  id={f('priority')}
                  value={values.priority}
                  aria-describedby={describedBy}
                  onChange={(e) => change('priority', e.target.value)}
                >
                  {TASK_PRIORITIES.map((p) => (
                    <option key={p} value={p}>
                      {PRIORITY_LABELS[p]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id={f('due')} label="Due date" error={errors.dueDate}>
              {(describedBy) => (
                <input
                  id={f('due')}
                  type="date"
                  value={values.dueDate}
                  aria-invalid={errors.dueDate !== undefined}
                  aria-describedby={describedBy}
                  onChange={(e) => change('dueDate', e.target.value)}
                  onBlur={() => recheck(values, 'dueDate')}
                />
              )}
            </Field>
          </div>
          <div className="field-row">
            <Field id={f('time')} label="Due time" error={errors.dueTime}>
              {(describedBy) => (
                <input
                  id={f('time')}
                  type="time"
                  value={values.dueTime}
                  aria-invalid={errors.dueTime !== undefined}
                  aria-describedby={describedBy}
                  onChange={(e) => change('dueTime', e.target.value)}
                  onBlur={() => recheck(values, 'dueTime')}
                />
              )}
            </Field>
            <Field id={f('repeat')} label="Repeat" error={errors.recurrence}>
              {(describedBy) => (
                <select
                  id={f('repeat')}
                  value={values.repeat}
                  aria-describedby={describedBy}
                  onChange={(e) => change('repeat', e.target.value)}
                >
                  {repeatOptions(values.repeat).map(([rule, label]) => (
                    <option key={rule} value={rule}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {values.repeat !== '' && (
              <Field id={f('from')} label="Repeat from" error={undefined}>
                {(describedBy) => (
                  <select
                    id={f('from')}
                    value={values.repeatFrom}
                    aria-describedby={describedBy}
                    onChange={(e) => change('repeatFrom', e.target.value)}
                  >
                    <option value="due">the due date</option>
                    <option value="completion">completion</option>
                  </select>
                )}
              </Field>
            )}
          </div>
          <div className="field-row">
            <Field id={f('project')} label="Project" error={errors.projectId}>
              {(describedBy) => (
                <select
                  id={f('project')}
                  value={values.projectId}
                  aria-describedby={describedBy}
                  onChange={(e) => change('projectId', e.target.value)}
                >
                  <option value="">Inbox (no project)</option>
                  {projects.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id={f('tags')} label="Tags" error={errors.tags}>
              {(describedBy) => (
                <input
                  id={f('tags')}
                  value={values.tags}
                  placeholder="home, errands"
                  aria-invalid={errors.tags !== undefined}
                  aria-describedby={describedBy}
                  onChange={(e) => change('tags', e.target.value)}
                  onBlur={() => recheck(values, 'tags')}
                />
              )}
            </Field>
          </div>
          {props.task !== undefined && <Subtasks parent={props.task} />}
          {errors._ !== undefined && <p className="field-error">{errors._}</p>}
          <div className="dialog-buttons">
            <button type="submit" className="primary">
              {props.submitLabel}
            </button>
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
