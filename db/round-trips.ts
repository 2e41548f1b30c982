/**
 * SQL statements sent in as few round trips as the server allows, on a connection of their own.
 * The applier's transaction is a handful of short statements; through Sequelize each cost a
 * round trip and about half a millisecond of CPU (profiled: most of a one-entry write's time on
 * the leader). As multi-statement packets they cost two round trips.
 *
 * Only this connection accepts multi-statement packets: the pool that serves reads, snapshots
 * and restores keeps the driver's default, so no other query can ever carry a second statement.
 * Like every connection of ours it runs with a pinned sql_mode (session-mode.ts), so the
 * backslash-escaped values in its statements stay values whatever the server's own sql_mode.
 */
import type mysql from 'mysql2/promise';
import {
  CONNECT_TIMEOUT_MS,
  QUERY_TIMEOUT_MS,
  driverOptions,
  endConnection,
  parseMySqlUrl,
} from './connection.js';
import { isQueryTimeout } from './query-timeout.js';
import { connectPinned } from './session-mode.js';

/** A round trip carries statements up to this size (MariaDB's max_allowed_packet is 16 MiB). */
const MAX_ROUND_TRIP_BYTES = 4 * 1024 * 1024;

/** Runs statements in order; one result per statement (rows for a SELECT, a header otherwise). */
export type RunStatements = (statements: readonly string[]) => Promise<unknown[]>;

export class RoundTrips {
  private connection: Promise<mysql.Connection> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly database: string,
    /** Each packet's time limit: a frozen server never answers, and never errors either. */
    private readonly queryTimeoutMs: number = QUERY_TIMEOUT_MS,
  ) {}

  /** Statements in order, grouped into packets; the connection is made (again) when needed. */
  readonly run: RunStatements = async (statements) => {
    if (this.closed) throw new Error('the connection for the applier is closed');
    const connection = await this.connect();
    try {
      return await runStatements(connection, statements, this.queryTimeoutMs);
    } catch (error) {
      // A fatal error leaves the connection unusable (and the server rolled back): start afresh.
      // So does a timeout: the server may still answer that packet later, out of turn; and when
      // it wakes up, the dropped connection's transaction is rolled back with it.
      if ((error as { fatal?: unknown }).fatal === true || isQueryTimeout(error)) this.drop();
      throw error;
    }
  };

  /**
   * Ends an open transaction after a failed batch. Only on a connection still held: a dropped
   * one has rolled back by itself, and a new one would just wait for the server to answer.
   */
  async rollback(): Promise<void> {
    if (this.connection === undefined || this.closed) return;
    await this.run(['ROLLBACK']).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    if (connection !== undefined) await endConnection(connection);
  }

  private connect(): Promise<mysql.Connection> {
    if (this.connection === undefined) {
      const target = parseMySqlUrl(this.url);
      // Values in these statements are escaped with backslashes: only a pinned sql_mode makes
      // that safe (session-mode.ts).
      const connecting = connectPinned(
        {
          ...driverOptions(target),
          database: this.database,
          connectTimeout: CONNECT_TIMEOUT_MS,
          charset: 'UTF8MB4_BIN',
          timezone: '+00:00',
          // As Sequelize reads them: a DATE column (due_date) stays 'YYYY-MM-DD'.
          dateStrings: true,
          multipleStatements: true,
        },
        this.queryTimeoutMs,
      );
      this.connection = connecting.then((c) => {
        // An error between queries (the server went away) must not be an unhandled event.
        c.on('error', () => this.drop());
        return c;
      });
      // A failed connect is retried on the next run.
      this.connection.catch(() => this.drop());
    }
    return this.connection;
  }

  private drop(): void {
    const old = this.connection;
    this.connection = undefined;
    void old?.then((c) => c.destroy()).catch(() => undefined);
  }
}

async function runStatements(
  connection: mysql.Connection,
  statements: readonly string[],
  timeout: number,
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
    const [got] = await connection.query({ sql: group.join(';'), timeout });
    // One statement answers with its result; several with one result per statement.
    if (group.length === 1) results.push(got);
    else results.push(...(got as unknown[]));
    from = to;
  }
  return results;
}
