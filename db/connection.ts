/**
 * MySQL URLs, the Sequelize instance every state machine uses, and `ensureDatabase`.
 *
 * A URL may name a Unix socket (or Windows named pipe) instead of host:port, and a file that
 * holds the password instead of the password itself (docs/contract.md §6, §7):
 * `mysql://root@localhost/?socket=/DATA/nodes/n1/mysql/s.sock&password-file=/…/root-password`.
 * The password is read from the file each time a connection is configured, so node configs and
 * logs never carry it.
 *
 * Pool settings are short on purpose: a node whose MySQL is gone must learn it within ~2 s
 * (acquire and connect timeouts) and keep running; it retries, it never hangs or crashes.
 * Every query has a time limit too (query-timeout.ts): a frozen server never answers at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import mysql2, { type Connection as CallbackConnection } from 'mysql2';
import type mysql from 'mysql2/promise';
import { Sequelize } from 'sequelize';
import { StateMachineError, toMySqlError } from './errors.js';
import { connectPinned, pinSqlModeOf } from './session-mode.js';
import { limitQueryTime, QUERY_TIMEOUT_MS } from './query-timeout.js';

export interface MySqlTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The database named in the URL's path, if any. */
  readonly database: string | undefined;
  /** `?socket=`: connect through this Unix socket or named pipe, not host:port. */
  readonly socketPath: string | undefined;
  /** `?password-file=`: where `password` was read from. */
  readonly passwordFile: string | undefined;
}

/** The query parameters a MySQL URL may carry. */
const URL_PARAMS = new Set(['socket', 'password-file']);

/** Character set and collation of every database and table: any Unicode round-trips exactly. */
export const CHARSET = 'utf8mb4';
export const COLLATION = 'utf8mb4_bin';

/** How long to wait for a connection (TCP connect, pool acquire) before calling MySQL down. */
export const CONNECT_TIMEOUT_MS = 2_000;

export { QUERY_TIMEOUT_MS };

/**
 * Parses `mysql://user[:password]@host[:port][/database][?socket=PATH][&password-file=PATH]`.
 * With `password-file` the password is that file's content (trimmed).
 */
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
  for (const key of parsed.searchParams.keys()) {
    if (!URL_PARAMS.has(key)) {
      throw new StateMachineError(
        `unknown parameter ${JSON.stringify(key)} in MySQL URL (known: socket, password-file)`,
      );
    }
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+/, ''));
  const socketPath = absoluteParam(parsed, 'socket');
  const passwordFile = absoluteParam(parsed, 'password-file');
  if (passwordFile !== undefined && parsed.password !== '') {
    throw new StateMachineError('a MySQL URL takes a password or a password-file, not both');
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || 'root',
    password:
      passwordFile === undefined ? decodeURIComponent(parsed.password) : readSecret(passwordFile),
    database: database === '' ? undefined : database,
    socketPath,
    passwordFile,
  };
}

function absoluteParam(url: URL, key: string): string | undefined {
  const value = url.searchParams.get(key);
  if (value === null) return undefined;
  // A relative path would depend on the working directory of whoever opens the URL.
  if (!path.isAbsolute(value) && !value.startsWith('\\\\.\\pipe\\')) {
    throw new StateMachineError(`MySQL URL parameter ${key} must be an absolute path: ${value}`);
  }
  return value;
}

function readSecret(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new StateMachineError(
      `cannot read the MySQL password file ${file}: ${(error as Error).message}`,
    );
  }
}

/**
 * Builds a URL that `parseMySqlUrl` reads back as `target` (the password stays in its file when
 * the target names one).
 */
export function formatMySqlUrl(
  target: Omit<MySqlTarget, 'password' | 'database'> & {
    readonly password?: string;
    readonly database?: string | undefined;
  },
): string {
  const password =
    target.passwordFile === undefined && (target.password ?? '') !== ''
      ? `:${encodeURIComponent(target.password ?? '')}`
      : '';
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const where = target.socketPath === undefined ? `${host}:${target.port}` : 'localhost';
  const params = new URLSearchParams();
  if (target.socketPath !== undefined) params.set('socket', target.socketPath);
  if (target.passwordFile !== undefined) params.set('password-file', target.passwordFile);
  const query = params.size === 0 ? '' : `?${params.toString()}`;
  const database = target.database === undefined ? '' : encodeURIComponent(target.database);
  return `mysql://${encodeURIComponent(target.user)}${password}@${where}/${database}${query}`;
}

/** The same server and credentials with `database` in the path (a `{node}` placeholder stays). */
export function withDatabase(url: string, database: string): string {
  const at = url.indexOf('?');
  const base = at === -1 ? url : url.slice(0, at);
  const query = at === -1 ? '' : url.slice(at);
  const authority = base.indexOf('//') + 2;
  const slash = base.indexOf('/', authority);
  const server = slash === -1 ? base : base.slice(0, slash);
  return `${server}/${database}${query}`;
}

/** Where and as whom the driver connects: the socket when the URL names one, else host:port. */
export function driverOptions(target: MySqlTarget): {
  host?: string;
  port?: number;
  socketPath?: string;
  user: string;
  password: string;
} {
  const where =
    target.socketPath === undefined
      ? { host: target.host, port: target.port }
      : { socketPath: target.socketPath };
  return { ...where, user: target.user, password: target.password };
}

/** `host:port`, or the socket, for messages. */
export function describeTarget(target: MySqlTarget): string {
  return target.socketPath ?? `${target.host}:${target.port}`;
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
    connection = await connectPinned(
      {
        ...driverOptions(target),
        connectTimeout: CONNECT_TIMEOUT_MS,
        charset: 'UTF8MB4_BIN',
      },
      QUERY_TIMEOUT_MS,
    );
    // A connection that dies later must not become an unhandled 'error' event.
    connection.on('error', () => undefined);
    return await fn(connection);
  } catch (error) {
    throw toMySqlError(error, `talking to ${describeTarget(target)}`);
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
    // Handed over rather than require()d by name inside Sequelize: in the node bundle
    // (scripts/bundle-node.mjs) that require would load a second copy of mysql2 from disk.
    dialectModule: mysql2,
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
      // Sequelize hands these to mysql2 as they are: the socket, when the URL names one.
      ...(target.socketPath === undefined ? {} : { socketPath: target.socketPath }),
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
    hooks: {
      // Before the pool ever hands the connection out: first the time limit (so the pinning's
      // own statements have it too), then the pinned sql_mode (session-mode.ts says why).
      // Sequelize does not close a connection whose afterConnect hook failed: this does.
      afterConnect: async (connection: unknown) => {
        const c = connection as CallbackConnection;
        limitQueryTime(c, queryTimeoutMs);
        try {
          await pinSqlModeOf(c);
        } catch (error) {
          c.destroy();
          throw error;
        }
      },
    },
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
