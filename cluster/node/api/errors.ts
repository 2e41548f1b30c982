/**
 * How the node's failures reach a client: each typed error from the NodeService becomes the
 * contract's status and code (docs/contract.md §4), so handlers can just let errors fly.
 */
import { MySqlUnavailableError } from '../../../db/errors.js';
import type { CommandFailure, CommandSuccess } from '../../api/task.js';
import { HttpError } from '../../http/index.js';
import { NoQuorumError, NotLeaderError } from '../service.js';

/** Every 503 says when to come back: an election or a MySQL restart is usually quick. */
export const RETRY_AFTER: Readonly<Record<string, string>> = { 'retry-after': '1' };

/** What the failing request was; the advice differs (a write may have landed, a read did nothing). */
export type Operation = 'read' | 'write';

export function noLeader(message: string): HttpError {
  return new HttpError(503, 'no_leader', message, undefined, RETRY_AFTER);
}

export function invalidInput(
  message: string,
  details: Readonly<Record<string, string>>,
): HttpError {
  return new HttpError(400, 'invalid_input', message, details);
}

/** Turns a NodeService failure into its HTTP answer; anything unknown is returned as is (→ 500). */
export function toHttpError(err: unknown, op: Operation): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof NoQuorumError) {
    // For a write, a fixed text: the node's own message (index, timeout) repeats this advice,
    // and the advice is what a client must act on.
    return noLeader(
      op === 'write'
        ? 'no quorum answered in time: the write may or may not have been applied; ' +
            'retry with the same Idempotency-Key'
        : `no quorum answered in time (${err.message}): retry the read`,
    );
  }
  if (err instanceof NotLeaderError) {
    // Reaches here only after the one retry through the forward path: leadership is moving.
    return noLeader(`leadership changed while serving the request (${err.message}); retry`);
  }
  if (err instanceof MySqlUnavailableError) {
    return new HttpError(
      503,
      'mysql_down',
      op === 'write'
        ? `${err.message}; retrying with the same Idempotency-Key is safe`
        : `${err.message}; retry later or read from another node`,
      undefined,
      RETRY_AFTER,
    );
  }
  return err;
}

/** The HTTP status of a successful outcome: 201 for what was created, 200 otherwise. */
export function successStatus(outcome: CommandSuccess['outcome']): 200 | 201 {
  return outcome === 'created' || outcome === 'project_created' ? 201 : 200;
}

/**
 * A state-machine refusal as the error it stands for: `not_found` → 404, `version_conflict` →
 * 409, `invalid_reference` → 400 `invalid_input` with the field at fault in `details`,
 * `key_reused` → 422 `idempotency_key_reused`.
 */
export function resultError(result: CommandFailure): HttpError {
  switch (result.outcome) {
    case 'not_found':
      return new HttpError(404, 'not_found', result.message);
    case 'version_conflict':
      return new HttpError(409, 'version_conflict', result.message);
    case 'invalid_reference':
      return invalidInput(result.message, { [result.field ?? '_']: result.message });
    case 'key_reused':
      return new HttpError(422, 'idempotency_key_reused', result.message);
  }
}
