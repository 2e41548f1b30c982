/**
 * Typed errors of the state-machine store. The node keeps running on any of them: an
 * unavailable MySQL is retried with backoff, everything else is reported.
 */
import { BaseError as SequelizeBaseError, ConnectionError } from 'sequelize';

/** Any failure talking to MySQL. `cause` is the driver's error. */
export class MySqlError extends Error {
  override readonly name: string = 'MySqlError';
  /** The driver's code (`ECONNREFUSED`, `ER_LOCK_DEADLOCK`, ...) when there is one. */
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string | undefined }) {
    super(message, { cause: options?.cause });
    this.code = options?.code;
  }
}

/**
 * MySQL cannot be reached right now (refused, lost, shutting down, pool timeout). Nothing was
 * applied unless a COMMIT was in flight; retrying the same call is always safe because
 * `applyBatch` skips entries at or below the stored applied index.
 */
export class MySqlUnavailableError extends MySqlError {
  override readonly name: string = 'MySqlUnavailableError';
}

/** The caller broke the contract (a gap in the applied log, a malformed snapshot, closed). */
export class StateMachineError extends Error {
  override readonly name: string = 'StateMachineError';
}

/**
 * The database does not belong to this node: another cluster or node applied to it, or its
 * applied index/term is not in this node's log. Retrying cannot help; the node refuses to run.
 */
export class ClusterIdentityError extends Error {
  override readonly name: string = 'ClusterIdentityError';
}

/** No MariaDB/MySQL server binary could be found for managed mode. */
export class MariaDbNotFoundError extends Error {
  override readonly name: string = 'MariaDbNotFoundError';
}

/** A managed server did not come up (or did not stop); the message quotes its error log. */
export class MariaDbStartError extends Error {
  override readonly name: string = 'MariaDbStartError';
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ESOCKET',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_GONE_ERROR',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
  'CR_CONNECTION_ERROR',
  'CR_CONN_HOST_ERROR',
]);

// Server shutdown, too many connections, connection killed, client "gone away"/"lost".
const UNAVAILABLE_ERRNOS = new Set([1040, 1053, 1927, 2002, 2003, 2006, 2013]);

interface DriverErrorLike {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly fatal?: unknown;
  readonly message?: unknown;
}

function driverError(error: unknown): DriverErrorLike | undefined {
  if (error instanceof SequelizeBaseError) {
    const parent = (error as { parent?: unknown; original?: unknown }).parent;
    if (typeof parent === 'object' && parent !== null) return parent as DriverErrorLike;
    return undefined;
  }
  if (typeof error === 'object' && error !== null) return error as DriverErrorLike;
  return undefined;
}

/** True when the error means "MySQL is not reachable right now" rather than "MySQL said no". */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof MySqlUnavailableError) return true;
  if (error instanceof MySqlError) return false;
  if (error instanceof ConnectionError) {
    // Wrong credentials are a configuration error, not an outage.
    return error.name !== 'SequelizeAccessDeniedError';
  }
  const driver = driverError(error);
  if (driver === undefined) return false;
  if (typeof driver.code === 'string' && UNAVAILABLE_CODES.has(driver.code)) return true;
  if (typeof driver.errno === 'number' && UNAVAILABLE_ERRNOS.has(driver.errno)) return true;
  if (driver.fatal === true) return true;
  const message = typeof driver.message === 'string' ? driver.message : '';
  return /closed state|connection lost|server has gone away|socket hang up/i.test(message);
}

/** Wraps anything thrown by Sequelize/mysql2 into the typed errors above. */
export function toMySqlError(error: unknown, doing: string): Error {
  if (
    error instanceof MySqlError ||
    error instanceof StateMachineError ||
    error instanceof ClusterIdentityError
  ) {
    return error;
  }
  const driver = driverError(error);
  const code = typeof driver?.code === 'string' ? driver.code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  if (isUnavailable(error)) {
    return new MySqlUnavailableError(`MySQL is unavailable while ${doing}: ${detail}`, {
      cause: error,
      code,
    });
  }
  if (error instanceof SequelizeBaseError || (driver !== undefined && code !== undefined)) {
    return new MySqlError(`MySQL failed while ${doing}: ${detail}`, { cause: error, code });
  }
  return error instanceof Error ? error : new Error(detail);
}
