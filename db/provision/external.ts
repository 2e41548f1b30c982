/**
 * External MySQL: servers the user runs. Each node needs its own database, named by one URL per
 * node, or by one URL whose database name contains `{node}` (docs/contract.md §1). Everything is checked
 * before any node starts, and every failure names what is wrong and how to fix it.
 */
import mysql from 'mysql2/promise';
import {
  describeTarget,
  driverOptions,
  endConnection,
  formatMySqlUrl,
  parseMySqlUrl,
  QUERY_TIMEOUT_MS,
} from '../connection.js';
import { limitPromiseQueryTime } from '../query-timeout.js';
import { PINNED_SQL_MODE, pinSqlMode } from '../session-mode.js';

/** The placeholder for the node id in a URL's database name. */
export const NODE_PLACEHOLDER = '{node}';

/** What the node config takes: a server URL (no database) and the node's database. */
export interface MySqlTargetOfNode {
  readonly nodeId: number;
  /** `mysql://user[:password]@host:port/` */
  readonly serverUrl: string;
  readonly database: string;
}

/** The external MySQL setup is unusable; the message says what to change. */
export class ExternalMySqlError extends Error {
  override readonly name: string = 'ExternalMySqlError';
}

/** Same rule as the node config's `mysql.database`. */
const NODE_DATABASE = /^[A-Za-z0-9_]{1,64}$/;

/** The database a node gets when its URL names none. */
export function defaultDatabase(nodeId: number): string {
  return `raftboard_n${nodeId}`;
}

// A marker that survives URL parsing (braces would be percent-encoded).
const MARKER = 'RBNODEIDMARKER';

function split(url: string, nodeId: number): MySqlTargetOfNode {
  let target;
  try {
    target = parseMySqlUrl(url.split(NODE_PLACEHOLDER).join(MARKER));
  } catch (e) {
    throw new ExternalMySqlError(
      `${(e as Error).message} (want mysql://user:password@host:port/database)`,
    );
  }
  const rest = `${target.user}${target.password}${target.host}${target.socketPath ?? ''}${target.passwordFile ?? ''}`;
  if (rest.includes(MARKER)) {
    throw new ExternalMySqlError(
      `${NODE_PLACEHOLDER} may only appear in the database name of ${JSON.stringify(url)}`,
    );
  }
  const database = (target.database ?? defaultDatabase(nodeId)).split(MARKER).join(String(nodeId));
  if (!NODE_DATABASE.test(database)) {
    throw new ExternalMySqlError(
      `database name ${JSON.stringify(database)} (from ${JSON.stringify(url)}) must be 1..64 ` +
        'letters, digits or _',
    );
  }
  // The socket and password file, if any, stay in the server URL.
  return { nodeId, serverUrl: formatMySqlUrl({ ...target, database: undefined }), database };
}

/**
 * Maps `--mysql-url` values to one target per node id. Accepted: one URL per node (in id order),
 * one URL whose database contains `{node}`, or one URL without a database (each node then gets
 * `raftboard_n<id>`). Two nodes on the same database is refused.
 */
export function resolveExternalTargets(
  urls: readonly string[],
  nodeIds: readonly number[],
): MySqlTargetOfNode[] {
  if (urls.length === 0) {
    throw new ExternalMySqlError(
      '--mysql external needs --mysql-url: one per node, or one whose database name contains ' +
        `${NODE_PLACEHOLDER}, e.g. --mysql-url 'mysql://root@127.0.0.1:3306/raftboard_${NODE_PLACEHOLDER}'`,
    );
  }
  let targets: MySqlTargetOfNode[];
  if (urls.length === 1) {
    targets = nodeIds.map((id) => split(urls[0], id));
  } else if (urls.length === nodeIds.length) {
    targets = nodeIds.map((id, i) => split(urls[i], id));
  } else {
    throw new ExternalMySqlError(
      `${urls.length} --mysql-url values for ${nodeIds.length} nodes: give one per node, or one ` +
        `whose database name contains ${NODE_PLACEHOLDER}`,
    );
  }
  const seen = new Map<string, number>();
  for (const t of targets) {
    const key = `${t.serverUrl.replace(/\/\/[^@]*@/, '//')}${t.database}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new ExternalMySqlError(
        `nodes ${other} and ${t.nodeId} would share the database ${t.database} on ` +
          `${t.serverUrl}: every node needs its own; put ${NODE_PLACEHOLDER} in the database ` +
          `name, e.g. mysql://root@127.0.0.1:3306/raftboard_${NODE_PLACEHOLDER}`,
      );
    }
    seen.set(key, t.nodeId);
  }
  return targets;
}

/** The target of a node added later: only a `{node}` (or database-less) URL can name it. */
export function targetForNewNode(urls: readonly string[], nodeId: number): MySqlTargetOfNode {
  if (urls.length !== 1) {
    throw new ExternalMySqlError(
      `cannot add node ${nodeId}: with one --mysql-url per node there is none for it; start ` +
        `with a single URL whose database name contains ${NODE_PLACEHOLDER}`,
    );
  }
  return split(urls[0], nodeId);
}

interface DriverError {
  readonly code?: string;
  readonly errno?: number;
  readonly sqlMessage?: string;
  readonly message?: string;
}

function describe(e: unknown): string {
  const d = e as DriverError;
  return d.sqlMessage ?? d.message ?? String(e);
}

/**
 * Connects as the URL's user, pins the session sql_mode as every node connection does, creates
 * the node's database if missing and exercises every statement the state machine needs
 * (CREATE/ALTER/DROP TABLE, CREATE INDEX, INSERT, UPDATE, DELETE, SELECT, transactions) on a
 * scratch table. Throws ExternalMySqlError naming the problem.
 */
export async function checkExternalTarget(target: MySqlTargetOfNode): Promise<void> {
  const t = parseMySqlUrl(target.serverUrl);
  const where = describeTarget(t);
  const who = `'${t.user}'`;
  const prefix = `node ${target.nodeId}: MySQL at ${where}`;
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({
      ...driverOptions(t),
      connectTimeout: 5_000,
      charset: 'UTF8MB4_BIN',
    });
  } catch (e) {
    const d = e as DriverError;
    if (d.code === 'ER_ACCESS_DENIED_ERROR' || d.errno === 1045) {
      throw new ExternalMySqlError(
        `${prefix} refused user ${who} (wrong user or password in the URL): ${describe(e)}`,
      );
    }
    if (['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'ENOENT'].includes(d.code ?? '')) {
      throw new ExternalMySqlError(
        `${prefix} does not answer (${d.code}): is the server running and the URL right? ` +
          'Or drop --mysql external to let Raftboard run MariaDB itself.',
      );
    }
    throw new ExternalMySqlError(`${prefix}: cannot connect: ${describe(e)}`);
  }
  connection.on('error', () => undefined);
  // A frozen server must fail this check, not hang the start (query-timeout.ts).
  limitPromiseQueryTime(connection, QUERY_TIMEOUT_MS);
  // Any global sql_mode is fine (NO_BACKSLASH_ESCAPES, ANSI_QUOTES, …): every connection of
  // Raftboard's pins its own (db/session-mode.ts). Check here that this server lets it.
  try {
    await pinSqlMode(connection);
  } catch (e) {
    await endConnection(connection);
    throw new ExternalMySqlError(
      `${prefix}: cannot set the session sql_mode '${PINNED_SQL_MODE}': ${describe(e)}`,
    );
  }
  const db = `\`${target.database}\``;
  const table = `${db}.\`_raftboard_privilege_check\``;
  const steps: readonly (readonly [string, string])[] = [
    [`CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`, 'CREATE'],
    [`DROP TABLE IF EXISTS ${table}`, 'DROP'],
    [`CREATE TABLE ${table} (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB`, 'CREATE'],
    [`ALTER TABLE ${table} ADD COLUMN w INT NULL`, 'ALTER'],
    [`CREATE INDEX v_idx ON ${table} (v)`, 'INDEX'],
    ['START TRANSACTION', 'transactions'],
    [`INSERT INTO ${table} (id, v) VALUES (1, 'a')`, 'INSERT'],
    [`UPDATE ${table} SET v = 'b' WHERE id = 1`, 'UPDATE'],
    [`SELECT v FROM ${table} WHERE id = 1 FOR UPDATE`, 'SELECT'],
    [`DELETE FROM ${table} WHERE id = 1`, 'DELETE'],
    ['COMMIT', 'transactions'],
    [`DROP TABLE ${table}`, 'DROP'],
  ];
  try {
    for (const [sql, privilege] of steps) {
      try {
        await connection.query(sql);
      } catch (e) {
        const d = e as DriverError;
        if (d.errno === 1044 || d.errno === 1142 || d.errno === 1227 || d.errno === 1045) {
          throw new ExternalMySqlError(
            `${prefix}: user ${who} lacks the ${privilege} privilege on ${target.database} ` +
              `(${describe(e)}). Grant it with: GRANT ALL PRIVILEGES ON ${db}.* TO ${who}@'%';`,
          );
        }
        throw new ExternalMySqlError(`${prefix}: \`${sql}\` failed: ${describe(e)}`);
      }
    }
  } finally {
    await endConnection(connection);
  }
}

/** Checks every target, all of them, and reports every problem in one error. */
export async function checkExternalTargets(targets: readonly MySqlTargetOfNode[]): Promise<void> {
  const problems = (
    await Promise.all(
      targets.map((t) =>
        checkExternalTarget(t).then(
          () => undefined,
          (e: unknown) => (e instanceof Error ? e.message : String(e)),
        ),
      ),
    )
  ).filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new ExternalMySqlError(problems.join('\n'));
}
