/**
 * Who can reach a managed MariaDB, and how (docs/contract.md §7, review H1 of issue 12).
 *
 * - Unix: no TCP listener (`--skip-networking`); the server's only door is a Unix socket in a
 *   0700 directory the node's user owns: the MariaDB data dir itself, or, when that path is too
 *   long for a socket address, a private 0700 directory in the temp dir.
 * - Windows: no Unix sockets; a named pipe (`--named-pipe`, still `--skip-networking`) named
 *   after the data dir. A pipe can be opened by other local users, so the password below is
 *   what keeps them out there.
 * - Everywhere: root has a random password (24 crypto-random bytes), kept in a 0600 file in the
 *   data dir and read by every client from there (`?password-file=` in the URL, never the
 *   password itself), and `--secure-file-priv` confines LOAD_FILE / INTO OUTFILE / LOAD DATA to
 *   an empty 0700 directory, so not even root can read the node's token or cluster secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { endConnection, formatMySqlUrl, QUERY_TIMEOUT_MS } from '../connection.js';
import { connectPinned } from '../session-mode.js';
import { MariaDbStartError } from '../errors.js';

/** The root password's file, in the MariaDB data dir (which is 0700). */
export const PASSWORD_FILE = 'root-password';

/** Linux allows 108 bytes in sun_path and macOS 104, both counting a final NUL; keep a margin. */
export const MAX_SOCKET_PATH_BYTES = 100;

/** Where the server listens and clients connect, for one data dir on one platform. */
export interface AccessPlan {
  /** Server options for the listener: no TCP anywhere. */
  readonly serverArgs: readonly string[];
  /** What clients pass as mysql2's `socketPath`: a socket file or `\\.\pipe\NAME`. */
  readonly socketPath: string;
  /** The directory that must be private (0700, ours) before the server starts; null for a pipe. */
  readonly socketDir: string | null;
  readonly passwordFile: string;
}

/**
 * The listener and credentials of the managed server on `dataDir`, as a pure function of the
 * platform so the Windows choice is tested here too. `dataDir` should be absolute.
 */
export function accessPlan(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
): AccessPlan {
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const passwordFile = (platform === 'win32' ? path.win32 : path.posix).join(
    dataDir,
    PASSWORD_FILE,
  );
  if (platform === 'win32') {
    const pipe = `raftboard-${digest}`;
    return {
      serverArgs: ['--skip-networking', '--named-pipe', `--socket=${pipe}`],
      socketPath: `\\\\.\\pipe\\${pipe}`,
      socketDir: null,
      passwordFile,
    };
  }
  const inDir = path.posix.join(dataDir, 's.sock');
  const socketPath =
    Buffer.byteLength(inDir) <= MAX_SOCKET_PATH_BYTES
      ? inDir
      : path.posix.join(os.tmpdir(), `raftboard-sock-${digest}`, 's.sock');
  return {
    serverArgs: ['--skip-networking', `--socket=${socketPath}`],
    socketPath,
    socketDir: path.posix.dirname(socketPath),
    passwordFile,
  };
}

/** The URL every client of the managed server on `dataDir` uses (no password in it). */
export function managedServerUrl(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const plan = accessPlan(dataDir, platform);
  return formatMySqlUrl({
    host: 'localhost',
    port: 0,
    user: 'root',
    socketPath: plan.socketPath,
    passwordFile: plan.passwordFile,
  });
}

/**
 * Makes `dir` a directory only we can enter: created 0700, or, if it exists, ours and then
 * chmod 0700. A directory someone else created (a predictable name in the shared temp dir) is
 * refused rather than used.
 */
export function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new MariaDbStartError(
      `${dir} must be a directory of this user (uid ${uid}) for the MariaDB socket, but it is ` +
        `${st.isDirectory() ? `owned by uid ${st.uid}` : 'not a directory'}; remove it, or use a ` +
        `shorter data dir path so the socket fits in ${MAX_SOCKET_PATH_BYTES} bytes inside it`,
    );
  }
  if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
  return dir;
}

/** The root password: read from its file, or created there (0600, written atomically). */
export function rootPassword(file: string): string {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing !== '') {
      if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const password = randomBytes(24).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${password}\n`);
    // On disk before root gets it: a crash must not leave a password nobody knows.
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return password;
}

/** How a login as root went. */
export type Login =
  | { readonly ok: true; readonly datadir: string }
  | { readonly ok: false; readonly denied: boolean; readonly error: string };

const ACCESS_DENIED = 1045;

/** Where root logs in: the managed server's socket, or a container's published port. */
export type RootEndpoint =
  { readonly socketPath: string } | { readonly host: string; readonly port: number };

/** Logs in as root and reads the server's data dir. */
export async function loginAsRoot(where: RootEndpoint, password: string): Promise<Login> {
  let connection: mysql.Connection | undefined;
  try {
    // Pinned and time-limited like every other connection (session-mode.ts, query-timeout.ts).
    connection = await connectPinned(
      { ...where, user: 'root', password, connectTimeout: 1_000 },
      QUERY_TIMEOUT_MS,
    );
    connection.on('error', () => undefined);
    const [rows] = await connection.query('SELECT @@datadir AS datadir');
    const datadir = (rows as { datadir?: unknown }[])[0]?.datadir;
    return { ok: true, datadir: typeof datadir === 'string' ? datadir : '' };
  } catch (error) {
    const e = error as { errno?: unknown; message?: unknown };
    return {
      ok: false,
      denied: e.errno === ACCESS_DENIED,
      error: typeof e.message === 'string' ? e.message : String(error),
    };
  } finally {
    if (connection !== undefined) await endConnection(connection);
  }
}

/**
 * Gives every root account the password, logged in as root without one: a data dir the older
 * version initialised (passwordless root on TCP), or one just initialised (mariadb-install-db
 * and `--initialize-insecure` both leave root passwordless), or a container created by an
 * older version with an empty root password. For a managed server only the owner can be
 * connected at this point: the socket is in a 0700 directory and there is no TCP listener.
 * Returns false if root without a password is refused too.
 */
export async function setRootPassword(where: RootEndpoint, password: string): Promise<boolean> {
  let connection: mysql.Connection | undefined;
  try {
    connection = await connectPinned(
      { ...where, user: 'root', connectTimeout: 1_000 },
      QUERY_TIMEOUT_MS,
    );
  } catch {
    return false;
  }
  try {
    connection.on('error', () => undefined);
    const [rows] = await connection.query(
      "SELECT User AS user, Host AS host FROM mysql.user WHERE User IN ('root', '')",
    );
    for (const { user, host } of rows as { user: string; host: string }[]) {
      // Anonymous accounts (old installs create them) would let anyone in as ''@localhost.
      if (user === '') await connection.query('DROP USER ?@?', [user, host]);
      else await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
    }
    return true;
  } finally {
    await endConnection(connection);
  }
}
