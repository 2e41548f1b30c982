/**
 * Decoding a committed entry's data into a `TaskCommand`. The proposer validated the request
 * already; this second check runs on every replica so a malformed or hostile entry can never
 * wedge the state machine (a value MySQL would refuse would fail the batch forever). Every
 * rule here is a pure function of the entry, so all replicas decide the same way.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createTaskSchema, isWellFormed } from '../cluster/api/schemas.js';
import type { TaskCommand } from '../cluster/api/task.js';

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

// The contract's field rules, without their defaults: a default inside a patch would turn
// "not given" into a change.
const fields = createTaskSchema.shape;
// Title and description refuse lone surrogates in the contract's schema already.
const title = fields.title;
const description = fields.description.unwrap();
const status = fields.status.unwrap();
const priority = fields.priority.unwrap();
const dueDate = fields.dueDate.unwrap();
const at = z.string().transform((value, ctx) => {
  const canonical = canonicalInstant(value);
  if (canonical === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 instant' });
    return z.NEVER;
  }
  return canonical;
});
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

const commandSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('create'),
    task: z.object({
      id,
      title,
      description,
      status,
      priority,
      dueDate,
    }),
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
    }),
    expectedVersion,
    at,
    session,
  }),
  z.object({ op: z.literal('delete'), id, expectedVersion, at, session }),
]);

export type DecodedCommand =
  | { readonly ok: true; readonly command: TaskCommand }
  | { readonly ok: false; readonly reason: string };

/** Parses and validates one entry's data. `at` comes back canonical (see above). */
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
  return { ok: true, command: parsed.data };
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
