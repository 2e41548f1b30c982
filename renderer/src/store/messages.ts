/**
 * What changes and list reads say when the cluster cannot serve them. The no-quorum case is the
 * one a learner causes on purpose, so it says plainly that nothing is lost and what happens next.
 */
import type { ReadConsistency } from '../../../cluster/api/node.js';
import type { ApiRequestError } from '../api/errors.js';

export function pendingMessage(err: ApiRequestError, attempt: number): string {
  const retry = `Kept pending and retried with the same Idempotency-Key (attempt ${attempt + 1} next).`;
  if (err.code === 'no_leader') {
    return `No quorum: no leader can commit this change right now. ${retry}`;
  }
  if (err.code === 'mysql_down') {
    return `The database behind the leader is down (${err.message}). ${retry}`;
  }
  if (err.status === 0) return `No answer from the cluster (${err.message}). ${retry}`;
  return `The cluster answered ${err.status} (${err.message}). ${retry}`;
}

export function retryDelay(
  err: ApiRequestError,
  attempts: number,
  policy: { readonly baseMs: number; readonly maxMs: number },
): number {
  const backoff = policy.baseMs * 2 ** Math.max(0, attempts - 1);
  return Math.min(policy.maxMs, err.retryAfterMs ?? backoff);
}

/** Why a change failed for good, and what the user can do about it. */
export function failureText(err: ApiRequestError): string {
  switch (err.code) {
    case 'version_conflict':
      return `Someone else changed this task first (${err.message}). The list was reloaded; make the change again.`;
    case 'not_found':
      return `The task no longer exists (${err.message}).`;
    case 'invalid_input':
      return `The cluster refused the input: ${err.message}`;
    default:
      return err.message;
  }
}

export function loadErrorText(err: ApiRequestError, wanted: ReadConsistency): string {
  if (err.code !== 'no_leader') return `Could not load the tasks: ${err.message}`;
  const how = wanted === 'stale' ? '' : `at ${wanted} consistency `;
  return `No quorum: the tasks cannot be read ${how}right now (${err.message}). Showing what was loaded before.`;
}
