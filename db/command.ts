/**
 * Decoding a committed entry's data into a `TaskCommand`. The proposer validated the request
 * already; this second check runs on every replica so a malformed or hostile entry can never
 * wedge the state machine (a value MySQL would refuse would fail the batch forever). Every
 * rule here is a pure function of the entry, so all replicas decide the same way.
 *
 * Rules that depend on the state (a parent or project that exists, a cycle, a name taken) are
 * not checked here but when the command is applied (task-rules.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createTaskSchema, isStorableName, isWellFormed } from '../cluster/api/schemas.js';
import {
  PROJECT_NAME_MAX,
  TAGS_MAX,
  TAG_MAX,
  isStorablePosition,
  type TaskCommand,
} from '../cluster/api/task.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The canonical form of an instant: `YYYY-MM-DDTHH:MM:SS.sssZ` (24 characters, UTC), or null
 * when `value` is not an ISO-8601 instant with seconds and a zone. Pure and deterministic.
 */
export function canonicalInstant(value: string): string | null {
  if (!ISO_INSTANT.test(value)) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const canonical = new Date(ms).toISOString();
  return canonical.length === 24 ? canonical : null;
}

/** The key a tag (or a project name) is compared by: JavaScript's `toLowerCase`, never SQL's. */
export const tagKey = (name: string): string => name.toLowerCase();

/** The longest `rrule` string stored (the leader parsed it with the `rrule` library). */
export const RRULE_MAX = 500;

// The contract's field rules, without their defaults: a default inside a patch would turn
// "not given" into a change.
const fields = createTaskSchema.shape;
// Title and description refuse lone surrogates in the contract's schema already.
const title = fields.title;
const description = fields.description.unwrap();
const status = fields.status.unwrap();
const priority = fields.priority.unwrap();
const dueDate = fields.dueDate.unwrap();
const instant = z.string().transform((value, ctx) => {
  const canonical = canonicalInstant(value);
  if (canonical === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 instant' });
    return z.NEVER;
  }
  return canonical;
});
const at = instant;
const id = z.guid();
const session = z
  .object({
    key: z.string().min(1).refine(isWellFormed),
    // The request's sha256 (cluster/node/api/fingerprint.ts); absent in older entries.
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  })
  .optional();
const expectedVersion = z.number().int().min(1).optional();

/** `HH:MM`, 24 h. */
export const dueTimeSchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/);
const dueTime = dueTimeSchema.nullable();
const tag = z.string().refine((s) => isStorableName(s, TAG_MAX));
/** Distinct ignoring case (the first spelling kept), at most TAGS_MAX. */
export const tagsSchema = z
  .array(tag)
  .transform((list) => {
    const seen = new Set<string>();
    return list.filter((t) => {
      const key = tagKey(t);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  })
  .refine((list) => list.length <= TAGS_MAX, `at most ${TAGS_MAX} tags`);
const recurrence = z
  .object({
    rrule: z.string().regex(new RegExp(`^[\\x21-\\x7e][\\x20-\\x7e]{0,${RRULE_MAX - 1}}$`)),
    from: z.enum(['due', 'completion']),
  })
  .nullable();
// The contract's rule (cluster/api/task.ts); -0 becomes 0, as MariaDB stores it.
const position = z
  .number()
  .refine(isStorablePosition, 'must be 0 or of magnitude between 1e-9 and 1e15')
  .transform((x) => (x === 0 ? 0 : x));
const ref = id.nullable();
const projectName = z.string().refine((s) => isStorableName(s, PROJECT_NAME_MAX));
const color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/)
  .nullable();
const dueTimeNeedsDate = (t: { dueDate?: string | null; dueTime?: string | null }): boolean =>
  !(typeof t.dueTime === 'string' && t.dueDate === null);

const taskFields = {
  title,
  description,
  status,
  priority,
  dueDate,
  dueTime,
  projectId: ref,
  tags: tagsSchema,
  parentId: ref,
  recurrence,
  position,
};

/** A project row as an import carries it. */
export const importedProjectSchema = z.object({
  id,
  name: projectName,
  color,
  position,
  version: z.number().int().min(1),
  createdAt: instant,
  updatedAt: instant,
});

/** A task row as an import carries it (every field; `version`/`raftIndex` are not taken). */
export const importedTaskSchema = z
  .object({
    id,
    ...taskFields,
    completedAt: instant.nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .refine(dueTimeNeedsDate, 'dueTime needs a dueDate');

const commandSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('create'),
    // Entries written before these fields existed carry none of them: the defaults.
    task: z
      .object({
        id,
        title,
        description,
        status,
        priority,
        dueDate,
        dueTime: dueTime.default(null),
        projectId: ref.default(null),
        tags: tagsSchema.default([]),
        parentId: ref.default(null),
        recurrence: recurrence.default(null),
        position: position.optional(),
      })
      .refine(dueTimeNeedsDate, 'dueTime needs a dueDate'),
    at,
    session,
  }),
  z.object({
    op: z.literal('update'),
    id,
    patch: z.object({
      title: title.optional(),
      description: description.optional(),
      status: status.optional(),
      priority: priority.optional(),
      dueDate: dueDate.optional(),
      dueTime: dueTime.optional(),
      projectId: ref.optional(),
      tags: tagsSchema.optional(),
      parentId: ref.optional(),
      recurrence: recurrence.optional(),
      position: position.optional(),
    }),
    expectedVersion,
    next: z
      .object({ id, dueDate: dueDate.unwrap(), forVersion: z.number().int().min(1) })
      .optional(),
    at,
    session,
    // Marks updates built since issue 14 (completedAt kept); absent in older entries.
    v: z.literal(2).optional(),
  }),
  z.object({ op: z.literal('delete'), id, expectedVersion, at, session }),
  z.object({
    op: z.literal('project.create'),
    project: z.object({ id, name: projectName, color, position }),
    at,
    session,
  }),
  z.object({
    op: z.literal('project.update'),
    id,
    patch: z.object({
      name: projectName.optional(),
      color: color.optional(),
      position: position.optional(),
    }),
    expectedVersion,
    at,
    session,
  }),
  z.object({
    op: z.literal('project.delete'),
    id,
    tasks: z.enum(['keep', 'delete']),
    expectedVersion,
    at,
    session,
  }),
  z.object({
    op: z.literal('import'),
    projects: z.array(importedProjectSchema),
    tasks: z.array(importedTaskSchema),
    at,
    session,
  }),
]);

export type DecodedCommand =
  | { readonly ok: true; readonly command: TaskCommand }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses and validates one entry's data. `at` comes back canonical (see above); a create
 * without a position gets the entry time in ms (the end of its column).
 */
export function decodeCommand(data: string): DecodedCommand {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'entry data is not JSON' };
  }
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    return { ok: false, reason: `not a task command (${where}: ${issue?.message ?? 'invalid'})` };
  }
  const command = parsed.data;
  if (command.op === 'create') {
    const task = { ...command.task, position: command.task.position ?? Date.parse(command.at) };
    return { ok: true, command: { ...command, task } };
  }
  return { ok: true, command };
}

const PLAIN_KEY = /^[\x21-\x7e]{1,128}$/;

/**
 * The primary key a session is stored under. Printable-ASCII keys of ≤128 characters are kept
 * as they are; anything else (longer, spaces — which a PAD SPACE collation would fold —,
 * non-ASCII) is stored as `sha256:<hex>` so it always fits and never collides by padding.
 */
export function sessionStorageKey(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
