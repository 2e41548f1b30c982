/**
 * MySQL URLs, the Sequelize instance every state machine uses, and `ensureDatabase`.
 *
 * Pool settings are short on purpose: a node whose MySQL is gone must learn it within ~2 s
 * (acquire and connect timeouts) and keep running; it retries, it never hangs or crashes.
 * Every query has a time limit too (query-timeout.ts): a frozen server never answers at all.
 */
import mysql from 'mysql2/promise';
import { Sequelize } from 'sequelize';
import { StateMachineError, toMySqlError } from './errors.js';
import { limitQueryTime } from './query-timeout.js';

export interface MySqlTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The database named in the URL's path, if any. */
  readonly database: string | undefined;
}

/** Character set and collation of every database and table: any Unicode round-trips exactly. */
export const CHARSET = 'utf8mb4';
export const COLLATION = 'utf8mb4_bin';

/** How long to wait for a connection (TCP connect, pool acquire) before calling MySQL down. */
export const CONNECT_TIMEOUT_MS = 2_000;

/**
 * The longest one statement may take before the connection is given up (destroyed) and MySQL
 * called unavailable. Generous: statements here are small (pages of 1,000 rows, packets of at
 * most a few MB), so only a server that stopped answering gets near it. Node config:
 * `mysql.queryTimeoutMs`.
 */
export const QUERY_TIMEOUT_MS = 10_000;

/** Parses `mysql://user[:password]@host[:port][/database]`. */
export function parseMySqlUrl(url: string): MySqlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StateMachineError(`not a MySQL URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new StateMachineError(
      `not a MySQL URL (want mysql://user@host:port/): ${JSON.stringify(url)}`,
    );
  }
  const path = decodeURIComponent(parsed.pathname.replace(/^\/+/, ''));
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database: path === '' ? undefined : path,
  };
}

const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

/** Refuses database names that would need more than backtick quoting. */
export function checkDatabaseName(name: string): string {
  if (!DATABASE_NAME.test(name)) {
    throw new StateMachineError(
      `invalid database name ${JSON.stringify(name)}: use 1..64 of A-Z a-z 0-9 _ $ -`,
    );
  }
  return name;
}

/**
 * Creates database `name` (utf8mb4 / utf8mb4_bin) on the server at `url` if it does not exist.
 * Throws `MySqlUnavailableError` when the server cannot be reached.
 */
export async function ensureDatabase(url: string, name: string): Promise<void> {
  checkDatabaseName(name);
  await withServerConnection(url, async (connection) => {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET ${CHARSET} COLLATE ${COLLATION}`,
    );
  });
}

/** Drops database `name` if it exists (tests and `--fresh`). */
export async function dropDatabase(url: string, name: string): Promise<void> {
  checkDatabaseName(name);
  await withServerConnection(url, async (connection) => {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  });
}

/** Runs `fn` on one short-lived connection to the server (no database selected). */
export async function withServerConnection<T>(
  url: string,
  fn: (connection: mysql.Connection) => Promise<T>,
): Promise<T> {
  const target = parseMySqlUrl(url);
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      connectTimeout: CONNECT_TIMEOUT_MS,
      charset: 'UTF8MB4_BIN',
    });
    // A connection that dies later must not become an unhandled 'error' event.
    connection.on('error', () => undefined);
    // The promise wrapper queries through its callback connection: limit that one.
    limitQueryTime((connection as unknown as { connection: unknown }).connection, QUERY_TIMEOUT_MS);
    return await fn(connection);
  } catch (error) {
    throw toMySqlError(error, `talking to ${target.host}:${target.port}`);
  } finally {
    if (connection !== undefined) await endConnection(connection);
  }
}

export interface SequelizeOptions {
  readonly log?: ((line: string) => void) | undefined;
  /** Pool size; the state machine needs few connections. */
  readonly maxConnections?: number;
  /** Time limit of each query (default QUERY_TIMEOUT_MS). */
  readonly queryTimeoutMs?: number | undefined;
}

/** A Sequelize instance on `database` with timeouts on everything and utf8mb4_bin connections. */
export function createSequelize(
  url: string,
  database: string,
  options: SequelizeOptions = {},
): Sequelize {
  const target = parseMySqlUrl(url);
  checkDatabaseName(database);
  const log = options.log;
  const queryTimeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
  return new Sequelize({
    dialect: 'mysql',
    host: target.host,
    port: target.port,
    username: target.user,
    password: target.password,
    database,
    logging: log === undefined ? false : (sql: string) => log(sql),
    // Timestamps are stored as ISO strings, never converted; keep the session zone fixed anyway.
    timezone: '+00:00',
    define: { charset: CHARSET, collate: COLLATION, timestamps: false, freezeTableName: true },
    dialectOptions: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      charset: 'UTF8MB4_BIN',
    },
    pool: {
      max: options.maxConnections ?? 4,
      min: 0,
      acquire: CONNECT_TIMEOUT_MS,
      idle: 10_000,
      evict: 1_000,
    },
    hooks: { afterConnect: (connection) => limitQueryTime(connection, queryTimeoutMs) },
  });
}

/**
 * Closes a connection politely (COM_QUIT), or destroys it when the server does not let go within
 * a connect timeout: `end()` waits for a frozen server forever.
 */
export async function endConnection(connection: mysql.Connection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    connection.end().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!ended) connection.destroy();
}
