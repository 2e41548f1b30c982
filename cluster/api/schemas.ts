/**
 * The one validation schema per input (zod). The HTTP layer parses with these and turns
 * failures into 400 `invalid_input` with per-field details.
 */
import { z } from 'zod';
import { DESCRIPTION_MAX, TASK_PRIORITIES, TASK_STATUSES, TITLE_MAX } from './task.js';

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

export const createTaskSchema = z.strictObject({
  title,
  description: description.default(''),
  status: status.default('todo'),
  priority: priority.default('medium'),
  dueDate: dueDate.default(null),
});

export const patchTaskSchema = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    status: status.optional(),
    priority: priority.optional(),
    dueDate: dueDate.optional(),
    expectedVersion: expectedVersion.optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'expectedVersion'), {
    message: 'nothing to change: give at least one field',
  });

export const deleteTaskSchema = z.strictObject({ expectedVersion: expectedVersion.optional() });

export const listTasksQuerySchema = z.strictObject({
  consistency: z.enum(['linearizable', 'leader', 'stale']).default('linearizable'),
  status: status.optional(),
  q: z.string().max(TITLE_MAX).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});

export type CreateTaskBody = z.infer<typeof createTaskSchema>;
export type PatchTaskBody = z.infer<typeof patchTaskSchema>;
export type ListTasksQuery = z.infer<typeof listTasksQuerySchema>;

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
