/**
 * Every failure of a RaftboardApi call is an ApiRequestError, whichever transport carried it, so
 * the stores decide "retry with the same key" or "show and stop" in one place.
 */
import type { ApiError, ApiErrorCode } from '../../../cluster/api/task.js';

/** `network`: the request never got an answer (server down, connection refused, timeout). */
export type RequestErrorCode = ApiErrorCode | 'network';

export class ApiRequestError extends Error {
  constructor(
    /** HTTP status; 0 when there was no answer at all. */
    readonly status: number,
    readonly code: RequestErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, string>>,
    /** From Retry-After, when the server said when to come back. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  static fromBody(status: number, body: ApiError, retryAfterMs?: number): ApiRequestError {
    return new ApiRequestError(status, body.error, body.message, body.details, retryAfterMs);
  }
}

/** Turns anything thrown into an ApiRequestError (a bug elsewhere still shows as a message). */
export function toRequestError(e: unknown): ApiRequestError {
  if (e instanceof ApiRequestError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ApiRequestError(0, 'network', message);
}

/**
 * True when the same request may simply be sent again: no quorum, MySQL down, or no answer. A
 * write in that state may or may not have been applied, which is exactly what the
 * Idempotency-Key resolves on the retry.
 */
export function isRetryable(e: ApiRequestError): boolean {
  return (
    e.status === 0 ||
    e.code === 'no_leader' ||
    e.code === 'mysql_down' ||
    e.status === 502 ||
    e.status === 503 ||
    e.status === 504
  );
}

/** Is this an answer the shape of the contract's error body? */
export function isApiErrorBody(v: unknown): v is ApiError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { error?: unknown }).error === 'string' &&
    typeof (v as { message?: unknown }).message === 'string'
  );
}
