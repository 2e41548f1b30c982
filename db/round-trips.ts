/**
 * SQL statements sent in as few round trips as the server allows, on one connection of
 * Sequelize's pool. The applier's transaction is a handful of short statements; through
 * Sequelize each cost a round trip and about half a millisecond of CPU (profiled: most of a
 * one-entry write's time on the leader). As multi-statement packets they cost two round trips.
 */
import type { Sequelize } from 'sequelize';

/** A round trip carries statements up to this size (MariaDB's max_allowed_packet is 16 MiB). */
const MAX_ROUND_TRIP_BYTES = 4 * 1024 * 1024;

/** The callback API of the mysql2 connections in Sequelize's pool. */
interface DriverConnection {
  query(sql: string, callback: (error: Error | null, results: unknown) => void): void;
}

interface PoolAccess {
  getConnection(options: { type: 'write'; useMaster: boolean }): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<void>;
}

/** Runs statements in order; one result per statement (rows for a SELECT, a header otherwise). */
export type RunStatements = (statements: readonly string[]) => Promise<unknown[]>;

/**
 * Lends `fn` a connection of the pool (needs `multipleStatements`, see connection.ts) and
 * returns it afterwards. The pool drops a connection that broke on the way.
 */
export async function withRoundTrips<T>(
  sequelize: Sequelize,
  fn: (run: RunStatements) => Promise<T>,
): Promise<T> {
  const pool = (sequelize as unknown as { connectionManager: PoolAccess }).connectionManager;
  const connection = await pool.getConnection({ type: 'write', useMaster: true });
  try {
    return await fn((statements) => runStatements(connection, statements));
  } finally {
    await pool.releaseConnection(connection);
  }
}

async function runStatements(
  connection: DriverConnection,
  statements: readonly string[],
): Promise<unknown[]> {
  const results: unknown[] = [];
  let from = 0;
  while (from < statements.length) {
    let to = from + 1;
    let bytes = statements[from].length;
    while (to < statements.length && bytes + statements[to].length + 1 <= MAX_ROUND_TRIP_BYTES) {
      bytes += statements[to].length + 1;
      to++;
    }
    const group = statements.slice(from, to);
    const got = await new Promise<unknown>((resolve, reject) => {
      connection.query(group.join(';'), (error, r) => (error ? reject(error) : resolve(r)));
    });
    // One statement answers with its result; several with one result per statement.
    if (group.length === 1) results.push(got);
    else results.push(...(got as unknown[]));
    from = to;
  }
  return results;
}
