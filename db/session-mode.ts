/**
 * The sql_mode every connection of ours runs with, set right after connecting and read back.
 *
 * Values reach MySQL escaped with backslashes (the driver's and Sequelize's escaping), which is
 * only correct when `NO_BACKSLASH_ESCAPES` is off: on a server whose global sql_mode has it, a
 * quote in a title or an Idempotency-Key would end the string and the rest would run as SQL, on
 * every replica (review H3). The applier's two-round-trip batching needs hand-built SQL, so
 * instead of parameters every connection pins its own mode. The mode is also strict, so every
 * replica refuses the same values whatever its server's defaults (ANSI_QUOTES, PIPES_AS_CONCAT
 * and the like are off too).
 *
 * The ways to a connection that sends values are `connectPinned` (the applier's and short-lived
 * ones) and `createSequelize`, whose `afterConnect` hook runs `pinSqlMode` before the pool hands the
 * connection out; a connection whose mode cannot be set or read back fails to connect.
 */
import type { Connection as CallbackConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { limitPromiseQueryTime } from './query-timeout.js';

export const PINNED_SQL_MODE =
  'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

const SET_MODE = `SET SESSION sql_mode = '${PINNED_SQL_MODE}'`;
const READ_MODE = 'SELECT @@SESSION.sql_mode AS mode';

/** The connection's sql_mode is not the pinned one (and it is not used). */
export class SqlModeError extends Error {
  override readonly name: string = 'SqlModeError';
}

type Query = (sql: string) => Promise<unknown>;

/** Sets the mode and checks the server took it exactly. */
async function pin(query: Query): Promise<void> {
  await query(SET_MODE);
  const rows = (await query(READ_MODE)) as { mode?: unknown }[];
  const mode = rows[0]?.mode;
  const wanted = PINNED_SQL_MODE.split(',').sort().join(',');
  const got = typeof mode === 'string' ? mode.split(',').sort().join(',') : String(mode);
  if (got !== wanted) {
    throw new SqlModeError(
      `MySQL kept sql_mode '${String(mode)}' after SET SESSION sql_mode = '${PINNED_SQL_MODE}'; ` +
        'refusing to send values on this connection',
    );
  }
}

/** For a promise-API connection (mysql2/promise). */
export function pinSqlMode(connection: mysql.Connection): Promise<void> {
  return pin(async (sql) => (await connection.query(sql))[0]);
}

/** For a callback-API connection: what Sequelize's mysql dialect hands to `afterConnect`. */
export function pinSqlModeOf(connection: CallbackConnection): Promise<void> {
  return pin(
    (sql) =>
      new Promise((resolve, reject) => {
        connection.query(sql, (error, rows) => (error ? reject(error) : resolve(rows)));
      }),
  );
}

/**
 * `mysql.createConnection` plus the pinned mode. Every statement on the connection, the pinning's
 * own included, runs under `timeoutMs` (query-timeout.ts): a server that froze right after the
 * handshake must fail this, not hang it. A connection that failed to pin is destroyed, never
 * returned.
 */
export async function connectPinned(
  options: mysql.ConnectionOptions,
  timeoutMs: number,
): Promise<mysql.Connection> {
  const connection = await mysql.createConnection(options);
  // An error event before the caller listens must not crash the process.
  connection.on('error', () => undefined);
  limitPromiseQueryTime(connection, timeoutMs);
  try {
    await pinSqlMode(connection);
  } catch (error) {
    connection.destroy();
    throw error;
  }
  return connection;
}
