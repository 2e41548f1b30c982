import type { ServerResponse } from 'node:http';
import type { ApiError, ApiErrorCode } from '../api/index.js';

/** An error that becomes `{ error, message, details? }` with its HTTP status (docs/contract.md §2). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, string>>,
    /** Extra response headers, e.g. Retry-After on 503. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ApiError {
    return this.details
      ? { error: this.code, message: this.message, details: this.details }
      : { error: this.code, message: this.message };
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Answers with the error; anything that is not an HttpError is a 500 that hides internals. */
export function sendError(res: ServerResponse, err: unknown, log?: (msg: string) => void): void {
  if (err instanceof HttpError) {
    sendJson(res, err.status, err.body(), err.headers);
    return;
  }
  log?.(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  sendJson(res, 500, { error: 'internal', message: 'internal error; see the node log' });
}
