/**
 * The one validation schema per input (zod). The HTTP layer parses with these and turns
 * failures into 400 `invalid_input` with per-field details.
 */
import { z } from 'zod';
import { isTimeZone, normalizeRrule, rruleProblem } from './recurrence.js';
import {
  DESCRIPTION_MAX,
  isStorablePosition,
  PROJECT_NAME_MAX,
  TAG_MAX,
  TAGS_MAX,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TITLE_MAX,
} from './task.js';

/** A real calendar date: `2025-02-30` is refused, not rolled over. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'is not a real calendar date');

// A lone UTF-16 surrogate cannot be stored as UTF-8 (it would come back as U+FFFD), so every
// replica would refuse the command after it committed: refuse it here, before it is proposed.
const LONE_SURROGATE = /\p{Cs}/u;
export const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);
const WELL_FORMED = 'must be valid Unicode (it contains a lone UTF-16 surrogate)';

/** A C0/C1 control character (U+0000–U+001F, U+007F–U+009F): never in a tag or a name. */
const CONTROL = /\p{Cc}/u;
export const hasControl = (s: string): boolean => CONTROL.test(s);
const NO_CONTROL = 'must not contain control characters';

/**
 * What a tag or a project name must be to be stored: non-empty, valid Unicode, no control
 * characters, no surrounding whitespace, at most `max` characters. The one rule shared by the
 * API (which refuses it, after trimming names) and every replica's decoder (db/command.ts),
 * so nothing the API accepts commits and is then ignored.
 */
export function isStorableName(s: string, max: number): boolean {
  return (
    s.length > 0 && isWellFormed(s) && !hasControl(s) && s.trim() === s && [...s].length <= max
  );
}

const title = z
  .string({ error: 'must be a string' })
  .refine(isWellFormed, WELL_FORMED)
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .refine((s) => [...s].length <= TITLE_MAX, `must be at most ${TITLE_MAX} characters`),
  );

const description = z
  .string({ error: 'must be a string' })
  .refine(isWellFormed, WELL_FORMED)
  .refine((s) => [...s].length <= DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`);

const status = z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` });
const priority = z.enum(TASK_PRIORITIES, { error: `must be one of ${TASK_PRIORITIES.join(', ')}` });
const dueDate = isoDate.nullable();
const expectedVersion = z.number().int().min(1);

/** `HH:MM`, 24 h. */
const dueTime = z
  .string({ error: 'must be a time as HH:MM' })
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (00:00 to 23:59)')
  .nullable();

/** A UUID, lower-cased (proposers write lower-case ids). */
export const uuid = z.guid({ error: 'must be a UUID' }).transform((s) => s.toLowerCase());

/** One tag: 1..40 characters, no whitespace or commas (tags are space-separated in CSV). */
export const tagName = z
  .string({ error: 'must be a string' })
  .refine(isWellFormed, WELL_FORMED)
  .refine((s) => s.length > 0, 'must not be empty')
  .refine((s) => [...s].length <= TAG_MAX, `must be at most ${TAG_MAX} characters`)
  .refine((s) => !/[\s,]/u.test(s), 'must not contain spaces or commas')
  .refine((s) => !hasControl(s), NO_CONTROL)
  .refine((s) => isStorableName(s, TAG_MAX), 'is not a storable tag');

/** Duplicates (ignoring case) dropped, the first spelling kept; then at most TAGS_MAX. */
const tags = z
  .array(tagName, { error: 'must be an array of tags' })
  .transform((list) => {
    const seen = new Set<string>();
    return list.filter((t) => {
      const k = t.toLowerCase();
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  })
  .refine((list) => list.length <= TAGS_MAX, `must have at most ${TAGS_MAX} distinct tags`);

const rrule = z
  .string({ error: 'must be an RRULE string such as FREQ=WEEKLY;BYDAY=FR' })
  .superRefine((s, ctx) => {
    const problem = rruleProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform(normalizeRrule);

export const recurrenceSchema = z.strictObject(
  {
    rrule,
    from: z.enum(['due', 'completion'], { error: 'must be due or completion' }),
  },
  { error: 'must be { rrule, from } or null' },
);

const recurrence = recurrenceSchema.nullable();

/**
 * A position every replica stores exactly (isStorablePosition, the rule the decoder uses too):
 * finite, |x| ≤ 1e15, and 0 or |x| ≥ 1e-9.
 */
const position = z
  .number({ error: 'must be a finite number' })
  .refine(isStorablePosition, 'must be 0 or a number of magnitude between 1e-9 and 1e15');

const NEEDS_DUE_DATE = 'needs a dueDate';

export const createTaskSchema = z
  .strictObject({
    title,
    description: description.default(''),
    status: status.default('todo'),
    priority: priority.default('medium'),
    dueDate: dueDate.default(null),
    dueTime: dueTime.default(null),
    projectId: uuid.nullable().default(null),
    tags: tags.default([]),
    parentId: uuid.nullable().default(null),
    recurrence: recurrence.default(null),
    /** No default here: the leader puts the entry's time (ms) in the command. */
    position: position.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.dueDate !== null) return;
    if (t.dueTime !== null)
      ctx.addIssue({ code: 'custom', path: ['dueTime'], message: NEEDS_DUE_DATE });
    if (t.recurrence !== null)
      ctx.addIssue({ code: 'custom', path: ['recurrence'], message: NEEDS_DUE_DATE });
  });

export const patchTaskSchema = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    status: status.optional(),
    priority: priority.optional(),
    dueDate: dueDate.optional(),
    dueTime: dueTime.optional(),
    projectId: uuid.nullable().optional(),
    tags: tags.optional(),
    parentId: uuid.nullable().optional(),
    recurrence: recurrence.optional(),
    position: position.optional(),
    expectedVersion: expectedVersion.optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'expectedVersion'), {
    message: 'nothing to change: give at least one field',
  })
  .superRefine((p, ctx) => {
    // What the patch itself shows; against the task's current dueDate it is checked by the
    // leader (and the state machine) when the patch only sets one side.
    if (p.dueDate !== null) return;
    if (p.dueTime !== undefined && p.dueTime !== null)
      ctx.addIssue({ code: 'custom', path: ['dueTime'], message: NEEDS_DUE_DATE });
    if (p.recurrence !== undefined && p.recurrence !== null)
      ctx.addIssue({ code: 'custom', path: ['recurrence'], message: NEEDS_DUE_DATE });
  });

export const deleteTaskSchema = z.strictObject({ expectedVersion: expectedVersion.optional() });

/** `projectId=` / `parentId=` in a list query: an id, or `none`. */
const idOrNone = z.union([z.literal('none'), uuid], { error: 'must be a UUID or none' });

export const listTasksQuerySchema = z.strictObject({
  consistency: z.enum(['linearizable', 'leader', 'stale']).default('linearizable'),
  status: status.optional(),
  q: z.string().max(TITLE_MAX).optional(),
  projectId: idOrNone.optional(),
  /** Repeatable in the URL (`tag=a&tag=b`); the route collects them into an array. */
  tag: z.array(tagName).max(TAGS_MAX, `at most ${TAGS_MAX} tags`).optional(),
  parentId: idOrNone.optional(),
  due: z
    .enum(['overdue', 'today', 'upcoming', 'none'], {
      error: 'must be one of overdue, today, upcoming, none',
    })
    .optional(),
  tz: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
    .default('UTC'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `#rrggbb`, stored lower-case. */
const color = z
  .string({ error: 'must be a colour as #rrggbb' })
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb')
  .transform((s) => s.toLowerCase())
  .nullable();

const projectName = z
  .string({ error: 'must be a string' })
  .refine(isWellFormed, WELL_FORMED)
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .refine(
        (s) => [...s].length <= PROJECT_NAME_MAX,
        `must be at most ${PROJECT_NAME_MAX} characters`,
      )
      .refine((s) => !hasControl(s), NO_CONTROL)
      .refine((s) => isStorableName(s, PROJECT_NAME_MAX), 'is not a storable project name'),
  );

export const createProjectSchema = z.strictObject({
  name: projectName,
  color: color.default(null),
  /** No default here: the leader puts the entry's time (ms) in the command. */
  position: position.optional(),
});

export const patchProjectSchema = z
  .strictObject({
    name: projectName.optional(),
    color: color.optional(),
    position: position.optional(),
    expectedVersion: expectedVersion.optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'expectedVersion'), {
    message: 'nothing to change: give at least one field',
  });

export const deleteProjectQuerySchema = z.strictObject({
  tasks: z.enum(['keep', 'delete'], { error: 'must be keep or delete' }).default('keep'),
});

export type CreateTaskBody = z.infer<typeof createTaskSchema>;
export type PatchTaskBody = z.infer<typeof patchTaskSchema>;
export type ListTasksQuery = z.infer<typeof listTasksQuerySchema>;
export type CreateProjectBody = z.infer<typeof createProjectSchema>;
export type PatchProjectBody = z.infer<typeof patchProjectSchema>;

/** Flattens a zod error into `{ field: message }` for the API's `details`. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : '_';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out[key] = 'is not a known field';
      continue;
    }
    out[field] ??= issue.message;
  }
  return out;
}
