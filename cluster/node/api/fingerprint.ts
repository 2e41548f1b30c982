/**
 * The fingerprint that binds an Idempotency-Key to its request (docs/contract.md §4): sha256 of
 * the method, the target, the If-Match version and the JSON body in a canonical form. It is
 * computed by the node that builds the command (the leader: a follower forwards the request
 * itself) and travels in the log entry, so every replica compares the same value.
 *
 * Canonical body: the parsed JSON written back with object keys sorted and no whitespace, so
 * `{"a":1, "b":2}` and `{ "b": 2, "a": 1 }` are the same request; an empty body reads as `{}`.
 * Values count as JSON sees them (`1.0` is `1`, `"\u0041"` is `"A"`); a field left out is not
 * the same request as the field given with its default.
 */
import { createHash } from 'node:crypto';

export interface FingerprintedRequest {
  readonly method: string;
  /** `/tasks` or `/tasks/<id>` (the id lower-cased), whatever prefix the request came through. */
  readonly target: string;
  readonly body: unknown;
  readonly ifMatch: number | undefined;
}

export function requestFingerprint(req: FingerprintedRequest): string {
  const text = `[${JSON.stringify(req.method)},${JSON.stringify(req.target)},${
    req.ifMatch === undefined ? 'null' : String(req.ifMatch)
  },${canonicalJson(req.body)}]`;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with object keys in code-unit order. The body was validated (shallow) already. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const fields = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
