/**
 * A time limit on every query of a pooled (Sequelize) connection. A frozen server (SIGSTOP, a
 * hung disk) keeps its TCP connections open and never answers, so without a limit a query waits
 * forever and holds its pool slot. mysql2 has a per-query `timeout`; Sequelize does not pass one,
 * so each new connection's query/execute is wrapped to add it. A query that timed out leaves
 * the connection in an unknown protocol state (the server may still answer later), so the
 * connection is destroyed; the pool's validation then discards it and opens a new one.
 */

import type mysql from 'mysql2/promise';

/**
 * The longest one statement may take before the connection is given up (destroyed) and MySQL
 * called unavailable. Generous: statements here are small (pages of 1,000 rows, packets of at
 * most a few MB), so only a server that stopped answering gets near it. Node config:
 * `mysql.queryTimeoutMs`. Here, in a file with no runtime imports, so the node's config can use
 * it without loading the driver.
 */
export const QUERY_TIMEOUT_MS = 10_000;

/**
 * The time limit of the migrations' statements instead (db/statemachine.ts runs them on a
 * connection of their own). An ALTER TABLE on a big `tasks` table copies the table and may
 * run for many minutes; with QUERY_TIMEOUT_MS the client would give up, the server carry on,
 * and every later start fail the same way: the node could never open its data dir. Still a
 * limit (6 h), so a server that stopped answering does not hold the start forever.
 */
export const MIGRATION_QUERY_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** The driver's code for a query that ran past its `timeout`. */
export const QUERY_TIMEOUT_CODE = 'PROTOCOL_SEQUENCE_TIMEOUT';

export function isQueryTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === QUERY_TIMEOUT_CODE;
}

type Callback = (error: unknown, ...rest: unknown[]) => void;
type Method = (sql: unknown, ...rest: unknown[]) => unknown;

/** The part of a mysql2 callback connection this needs. */
interface CallbackConnection {
  query: Method;
  execute: Method;
  destroy(): void;
}

/** Adds `timeoutMs` to every query and execute on `connection` (a mysql2 callback connection). */
export function limitQueryTime(connection: unknown, timeoutMs: number): void {
  const c = connection as CallbackConnection;
  for (const name of ['query', 'execute'] as const) {
    const original = c[name].bind(c);
    c[name] = (sql: unknown, ...rest: unknown[]): unknown => {
      // Only SQL text and plain option objects: a prepared Query command passes as it is.
      const plain =
        typeof sql === 'object' && sql !== null && Object.getPrototypeOf(sql) === Object.prototype;
      if (typeof sql !== 'string' && !plain) return original(sql, ...rest);
      const options: Record<string, unknown> =
        typeof sql === 'string' ? { sql } : { ...(sql as Record<string, unknown>) };
      options.timeout ??= timeoutMs;
      const at = rest.findIndex((r) => typeof r === 'function');
      if (at >= 0) {
        const callback = rest[at] as Callback;
        rest[at] = (error: unknown, ...results: unknown[]) => {
          if (isQueryTimeout(error)) c.destroy();
          callback(error, ...results);
        };
      }
      return original(options, ...rest);
    };
  }
}

/** The same for a promise-API connection (mysql2/promise), which queries through its callback one. */
export function limitPromiseQueryTime(connection: mysql.Connection, timeoutMs: number): void {
  limitQueryTime((connection as unknown as { connection: unknown }).connection, timeoutMs);
}
