/**
 * Request headers that must come once. Node joins a repeated header into "a, b", which can read
 * as one valid value (an Idempotency-Key may hold spaces and commas): two values for one request
 * cannot both hold, so the request is refused instead (docs/contract.md §4).
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/** The header's one value, undefined when absent; 400 `invalid_input` when given twice. */
export function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const values = req.headersDistinct[name.toLowerCase()];
  if (values === undefined) return undefined;
  if (values.length > 1) {
    throw new HttpError(400, 'invalid_input', `the ${name} header is given more than once`, {
      [name.toLowerCase()]: 'is given more than once',
    });
  }
  return values[0];
}
