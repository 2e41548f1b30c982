/**
 * Parsing everything a request carries besides the JSON body's fields: the task id in the path,
 * the query string, the Idempotency-Key and If-Match headers. Every refusal is a 400
 * `invalid_input` with per-field `details`, raised before anything is proposed or forwarded.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { parseIdempotencyKeyValue } from '../../api/idempotency.js';
import { fieldErrors } from '../../api/schemas.js';
import { HttpError, readJsonBody, singleHeader } from '../../http/index.js';
import { invalidInput } from './errors.js';

/** Parses `input` with `schema`, or refuses it with the schema's per-field messages. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(`invalid ${what}`, fieldErrors(parsed.error));
  return parsed.data;
}

// Same rule as the replicas' check of a committed command (db/command.ts), so every id the
// state machine can hold is addressable, and nothing else reaches it.
const taskIdSchema = z.guid({ error: 'must be a UUID' });

/** The `:id` path segment; lower-cased because proposers write lower-case UUIDs and MySQL's
 * collation may or may not compare case-insensitively — one answer either way. */
export function parseTaskId(raw: string | undefined): string {
  return parseWith(z.object({ id: taskIdSchema }), { id: raw }, 'task id').id.toLowerCase();
}

/**
 * The query string as an object for a strict schema. A repeated parameter is refused rather than
 * silently taking one of the values. A Map first, so a key like `__proto__` stays a plain key.
 */
export function queryObject(query: URLSearchParams): Record<string, string> {
  const seen = new Map<string, string>();
  const repeated: Record<string, string> = {};
  for (const [key, value] of query) {
    if (seen.has(key)) repeated[key] = 'is given more than once';
    seen.set(key, value);
  }
  if (Object.keys(repeated).length > 0) throw invalidInput('invalid query string', repeated);
  return Object.fromEntries(seen);
}

/** Writes take everything in the body; a query parameter there is most likely a mistake. */
export function rejectQuery(query: URLSearchParams): void {
  const unknown: Record<string, string> = {};
  for (const key of query.keys()) unknown[key] = 'is not a known query parameter';
  if (Object.keys(unknown).length > 0) throw invalidInput('invalid query string', unknown);
}

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IF_MATCH_HEADER = 'if-match';

/**
 * The Idempotency-Key header, undefined when absent: the key it names, bare or quoted
 * (cluster/api/idempotency.ts). Bounded and printable, so a key cannot smuggle control
 * characters into log entries and logs.
 */
export function parseIdempotencyKey(req: IncomingMessage): string | undefined {
  const value = singleHeader(req, IDEMPOTENCY_KEY_HEADER);
  if (value === undefined) return undefined;
  const parsed = parseIdempotencyKeyValue(value);
  if (!parsed.ok) {
    throw invalidInput('invalid Idempotency-Key header', {
      [IDEMPOTENCY_KEY_HEADER]: parsed.reason,
    });
  }
  return parsed.key;
}

/** `If-Match: 3` or `If-Match: "3"` (an ETag-style quoted version); undefined when absent. */
export function parseIfMatch(req: IncomingMessage): number | undefined {
  const raw = req.headers[IF_MATCH_HEADER];
  if (raw === undefined) return undefined;
  const m = /^\s*(?:"(\d{1,15})"|(\d{1,15}))\s*$/.exec(raw);
  const version = m === null ? NaN : Number(m[1] ?? m[2]);
  if (!Number.isSafeInteger(version) || version < 1) {
    throw invalidInput('invalid If-Match header', {
      [IF_MATCH_HEADER]: 'must be a task version from 1, e.g. If-Match: 3 or If-Match: "3"',
    });
  }
  return version;
}

/** One expected version from the body and the header; two different ones cannot both hold. */
export function expectedVersionOf(
  fromBody: number | undefined,
  fromHeader: number | undefined,
): number | undefined {
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw invalidInput('expectedVersion and If-Match disagree', {
      expectedVersion: `is ${fromBody} but If-Match says ${fromHeader}`,
    });
  }
  return fromBody ?? fromHeader;
}

/**
 * The JSON body (≤ 1 MiB, else 413). A body that is not JSON or not an object becomes a 400
 * with `details` too, so a client can always show a 400's details.
 */
export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  try {
    return await readJsonBody(req);
  } catch (e) {
    if (e instanceof HttpError && e.status === 400 && e.details === undefined) {
      throw invalidInput(e.message, { body: e.message });
    }
    throw e;
  }
}
