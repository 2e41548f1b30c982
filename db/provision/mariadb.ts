/**
 * A managed MariaDB (or MySQL) server for one data directory (docs/contract.md §7).
 *
 * `startMariaDb` finds the binaries, initialises the data dir once, stops an orphan left by a
 * previous crash (found through the pid file), starts `mariadbd` and waits until it answers.
 * Nothing listens on TCP: the server is reached through a socket in a 0700 directory (a named
 * pipe on Windows) as root with a random password kept in a 0600 file (access.ts). A data dir
 * whose root still has no password (just initialised, or initialised by an older version) gets
 * it at the first start.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MariaDbNotFoundError, MariaDbStartError } from '../errors.js';
import {
  accessPlan,
  loginAsRoot,
  managedServerUrl,
  PASSWORD_FILE,
  privateDir,
  rootPassword,
  setRootPassword,
} from './access.js';
import { MARIADB_TUNING, STATE_MACHINE_TUNING } from './tuning.js';

export { dropDatabase, ensureDatabase } from '../connection.js';
export { accessPlan, managedServerUrl } from './access.js';

export const SERVER_NAMES = ['mariadbd', 'mysqld'] as const;
export const INSTALL_DB_NAMES = ['mariadb-install-db', 'mysql_install_db'] as const;

/** Where binaries are looked for after `RAFTBOARD_MYSQL_BIN_DIR` and `PATH`. */
export const STANDARD_BIN_DIRS = [
  '/usr/sbin',
  // Fedora/RHEL install the server as /usr/libexec/mysqld.
  '/usr/libexec',
  '/usr/local/mysql/bin',
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/bin',
  '/opt/homebrew/bin',
  '/opt/homebrew/sbin',
] as const;

/** Exactly what to do when no server binary is found. */
export const INSTALL_HINT =
  'Managed MySQL needs a MariaDB server binary (mariadbd). On Debian/Ubuntu install it with ' +
  '`sudo apt-get install mariadb-server` (macOS: `brew install mariadb`), set ' +
  'RAFTBOARD_MYSQL_BIN_DIR to the directory that holds mariadbd, or use a server you run ' +
  'yourself: `--mysql external --mysql-url mysql://root@127.0.0.1:3306/`.';

/** The server this process started last on each data dir (real path). */
const newest = new Map<string, ChildProcess>();

/** Files this module keeps in the data dir next to the server's own. */
const SERVER_LOG = 'mariadbd.log';
const INSTALL_MARKER = '.raftboard-initialising';
const OWN_FILES = new Set([SERVER_LOG, INSTALL_MARKER, PASSWORD_FILE]);

export interface FindOptions {
  /** Path of mariadbd/mysqld; skips the search. */
  readonly serverBinary?: string | undefined;
  /** Path of mariadb-install-db/mysql_install_db; skips the search. */
  readonly installDbBinary?: string | undefined;
  /**
   * Directories to search, replacing the default list (RAFTBOARD_MYSQL_BIN_DIR, PATH,
   * STANDARD_BIN_DIRS).
   */
  readonly binDirs?: readonly string[] | undefined;
}

export interface MariaDbBinaries {
  readonly server: string;
  /** null for Oracle MySQL, which initialises with `mysqld --initialize-insecure`. */
  readonly installDb: string | null;
  readonly flavor: 'mariadb' | 'mysql';
}

export interface StartOptions extends FindOptions {
  /** The data directory; created if missing. Keep it for a persistent server. */
  readonly dataDir: string;
  /**
   * The port kept for this server in cluster.json; 0 picks a free one. Nothing listens on it
   * (`--skip-networking`); it only keeps the layout's format.
   */
  readonly port: number;
  /** Progress lines ("initialising…", "ready…"). */
  readonly log?: ((line: string) => void) | undefined;
  /** How long to wait for the server to accept connections (default 60 s). */
  readonly startTimeoutMs?: number | undefined;
  /** How long `stop()` waits after SIGTERM before SIGKILL (default 30 s). */
  readonly stopTimeoutMs?: number | undefined;
  /** More server options, after the built-in ones (tests: e.g. `--sql-mode=…`). */
  readonly extraArgs?: readonly string[] | undefined;
}

export interface MariaDbExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface MariaDbInstance {
  /** `mysql://root@localhost/?socket=…&password-file=…` (managedServerUrl). */
  readonly url: string;
  readonly port: number;
  /** The Unix socket (or `\\.\pipe\NAME`) the server listens on, its only listener. */
  readonly socketPath: string;
  /** The 0600 file holding root's password. */
  readonly passwordFile: string;
  readonly pid: number;
  readonly dataDir: string;
  /** The server's stdout/stderr (its error log). */
  readonly logFile: string;
  /** Resolves when the server process exits, for whatever reason. */
  readonly exited: Promise<MariaDbExit>;
  /** Clean shutdown: SIGTERM, wait, then SIGKILL. Idempotent. */
  stop(): Promise<void>;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The directories searched by default, in order. */
export function defaultBinDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.RAFTBOARD_MYSQL_BIN_DIR ?? '').split(path.delimiter);
  const fromPath = (env.PATH ?? '').split(path.delimiter);
  const dirs = [...fromEnv, ...fromPath, ...STANDARD_BIN_DIRS].filter((d) => d !== '');
  return [...new Set(dirs)];
}

function search(names: readonly string[], dirs: readonly string[]): string | undefined {
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Finds the server and install-db binaries, or throws `MariaDbNotFoundError` saying what to do. */
export function findMariaDbBinaries(options: FindOptions = {}): MariaDbBinaries {
  const dirs = options.binDirs ?? defaultBinDirs();
  const server = options.serverBinary ?? search(SERVER_NAMES, dirs);
  if (server === undefined || !isExecutable(server)) {
    const looked =
      options.serverBinary !== undefined
        ? options.serverBinary
        : `${SERVER_NAMES.join('/')} in ${dirs.join(', ') || '(no directories)'}`;
    throw new MariaDbNotFoundError(
      `No MariaDB/MySQL server found (looked for ${looked}). ${INSTALL_HINT}`,
    );
  }
  const flavor = serverFlavor(server);
  // Prefer the install script that sits next to the server (same build).
  const near = [path.dirname(server), path.join(path.dirname(server), '..', 'scripts')];
  const installDb =
    options.installDbBinary ??
    search(INSTALL_DB_NAMES, near) ??
    search(INSTALL_DB_NAMES, [...dirs, '/usr/bin', '/usr/local/mysql/scripts']);
  if (flavor === 'mariadb' && (installDb === undefined || !isExecutable(installDb))) {
    throw new MariaDbNotFoundError(
      `Found ${server} but no mariadb-install-db/mysql_install_db to initialise a data dir. ${INSTALL_HINT}`,
    );
  }
  return { server, installDb: flavor === 'mariadb' ? (installDb ?? null) : null, flavor };
}

function serverFlavor(server: string): 'mariadb' | 'mysql' {
  if (path.basename(server).startsWith('mariadbd')) return 'mariadb';
  try {
    // `mysqld` is MariaDB's compatibility name on most distributions.
    const real = fs.realpathSync(server);
    if (path.basename(real).startsWith('mariadbd')) return 'mariadb';
  } catch {
    // fall through to the default
  }
  return detectByVersion(server);
}

function detectByVersion(server: string): 'mariadb' | 'mysql' {
  // Synchronous is fine: it runs once per start and answers in milliseconds.
  try {
    const out = execFileSync(server, ['--version'], { timeout: 10_000, encoding: 'utf8' });
    return /mariadb/i.test(out) ? 'mariadb' : 'mysql';
  } catch {
    return 'mariadb';
  }
}

/** Picks a TCP port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when the data dir holds an initialised server (its `mysql` system schema). */
export function isInitialised(dataDir: string): boolean {
  return (
    fs.existsSync(path.join(dataDir, 'mysql')) && !fs.existsSync(path.join(dataDir, INSTALL_MARKER))
  );
}

/**
 * Starts a server on `dataDir` (initialising it on first use) and resolves once root can log in
 * over the socket with the password of the data dir's password file. On failure the error
 * quotes the server's log.
 */
export async function startMariaDb(options: StartOptions): Promise<MariaDbInstance> {
  const log = options.log ?? (() => undefined);
  const binaries = findMariaDbBinaries(options);
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const dataDir = fs.realpathSync(options.dataDir);
  // From the path as given, like NodeMySql.serverUrl, so the node configs name the same socket.
  const plan = accessPlan(path.resolve(options.dataDir));
  const port = options.port === 0 ? await freePort() : options.port;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new MariaDbStartError(`invalid port ${options.port}`);
  }
  const pidFile = path.join(dataDir, 'm.pid');
  await stopOrphan(pidFile, dataDir, options.stopTimeoutMs ?? 30_000, log);
  if (!isInitialised(dataDir)) await initialise(binaries, dataDir, log);
  // The data dir holds the socket and the password file: only its owner may enter it.
  privateDir(dataDir);
  if (plan.socketDir !== null) privateDir(plan.socketDir);
  const password = rootPassword(plan.passwordFile);

  const logFile = path.join(dataDir, SERVER_LOG);
  const logStart = fileSize(logFile);
  const args = [
    ...serverArgs(binaries, dataDir, plan.serverArgs, pidFile),
    ...(options.extraArgs ?? []),
  ];
  log(`starting ${path.basename(binaries.server)} on ${plan.socketPath} (data dir ${dataDir})`);
  const fd = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // Own process group: a Ctrl-C in the terminal reaches the supervisor, which stops the
    // server cleanly, instead of killing it mid-write.
    child = spawn(binaries.server, args, { stdio: ['ignore', fd, fd], detached: true });
  } finally {
    fs.closeSync(fd);
  }
  child.unref();
  newest.set(dataDir, child);
  const exited = new Promise<MariaDbExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  let exit: MariaDbExit | undefined;
  void exited.then((e) => {
    exit = e;
    // An orphan this process stopped may exit after its successor started: leave the
    // successor's directories alone.
    if (newest.get(dataDir) !== child) return;
    newest.delete(dataDir);
    removePrivateTmpDir(dataDir);
    if (plan.socketDir !== null && plan.socketDir !== path.resolve(options.dataDir)) {
      fs.rmSync(plan.socketDir, { recursive: true, force: true });
    }
  });

  let passwordSet = false;
  const tail = () => logTail(logFile, logStart);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const kill = async () => {
    if (exit === undefined) await terminate(child, exited, 5_000);
  };
  for (;;) {
    if (exit !== undefined) {
      throw new MariaDbStartError(
        `${path.basename(binaries.server)} exited during start-up (${describeExit(exit)}). ` +
          `Its log (${logFile}) ends with:\n${tail()}`,
      );
    }
    const login = await loginAsRoot({ socketPath: plan.socketPath }, password);
    if (login.ok) {
      if (sameDir(login.datadir, dataDir)) break;
      await kill();
      throw new MariaDbStartError(
        `${plan.socketPath} is served by another MySQL server (data dir ${login.datadir})`,
      );
    }
    if (login.denied) {
      // Root has no password yet (a new data dir, or one from an older version): set it, once.
      if (!passwordSet && (await setRootPassword({ socketPath: plan.socketPath }, password))) {
        passwordSet = true;
        log(`gave root of ${dataDir} the password kept in ${plan.passwordFile}`);
        continue;
      }
      await kill();
      throw new MariaDbStartError(
        `root of ${dataDir} refuses the password in ${plan.passwordFile} and logging in ` +
          `without one; restore that file, or start with a new data dir (${login.error})`,
      );
    }
    if (Date.now() > deadline) {
      await kill();
      throw new MariaDbStartError(
        `${path.basename(binaries.server)} did not accept connections on ${plan.socketPath} ` +
          `within ${options.startTimeoutMs ?? 60_000} ms (last error: ${login.error}). ` +
          `Its log (${logFile}) ends with:\n${tail()}`,
      );
    }
    await sleep(100);
  }
  const pid = child.pid ?? readPid(pidFile) ?? 0;
  log(`MariaDB ready on ${plan.socketPath} (pid ${pid})`);

  let stopping: Promise<void> | undefined;
  return {
    url: managedServerUrl(path.resolve(options.dataDir)),
    port,
    socketPath: plan.socketPath,
    passwordFile: plan.passwordFile,
    pid,
    dataDir,
    logFile,
    exited,
    stop: () => {
      stopping ??= (async () => {
        if (exit !== undefined) return;
        log(`stopping MariaDB on ${plan.socketPath} (pid ${pid})`);
        await terminate(child, exited, options.stopTimeoutMs ?? 30_000);
      })();
      return stopping;
    },
  };
}

function serverArgs(
  binaries: MariaDbBinaries,
  dataDir: string,
  listener: readonly string[],
  pidFile: string,
): string[] {
  const tmpDir = privateTmpDir(dataDir);
  const args = [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--user=${serverUser()}`,
    ...listener,
    `--tmpdir=${tmpDir}`,
    // LOAD_FILE, SELECT … INTO OUTFILE and LOAD DATA only inside an empty private directory:
    // the server runs as the desktop user and could otherwise read the node's token and
    // cluster secret, or write files anywhere the user can.
    `--secure-file-priv=${filesDir(tmpDir)}`,
    `--pid-file=${pidFile}`,
    '--innodb-log-file-size=8M',
    ...STATE_MACHINE_TUNING,
  ];
  // MySQL 8 also opens an X-protocol port (33060) by default; two instances would collide.
  if (binaries.flavor === 'mysql') args.push('--mysqlx=OFF');
  else args.push(...MARIADB_TUNING);
  return args;
}

/** `--user=root` as in docs/architecture.md §7 when root; the current user otherwise. */
function serverUser(): string {
  return process.getuid?.() === 0 ? 'root' : os.userInfo().username;
}

/**
 * A temp dir of this data dir's own. A starting server deletes `#sql*` files it finds in its
 * tmpdir; with the shared /tmp, servers starting side by side (three nodes' initialisations)
 * deleted each other's temporary tables and failed at random ("Unknown table mysql.tmp_…").
 */
function privateTmpDir(dataDir: string): string {
  const dir = privateTmpPath(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  // Another user could have created the predictable name first: then use a fresh one.
  if (!st.isDirectory() || (process.getuid !== undefined && st.uid !== process.getuid())) {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-mariadb-'));
  }
  return dir;
}

function privateTmpPath(dataDir: string): string {
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `raftboard-mariadb-${digest}`);
}

/** Once the server is gone its temp dir is empty (or holds only leftovers of a crash). */
function removePrivateTmpDir(dataDir: string): void {
  const dir = privateTmpPath(dataDir);
  try {
    const st = fs.lstatSync(dir);
    if (st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid())) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // already gone
  }
}

/** An empty 0700 directory inside the server's private temp dir, for `--secure-file-priv`. */
function filesDir(tmpDir: string): string {
  const dir = path.join(tmpDir, 'files');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

async function initialise(
  binaries: MariaDbBinaries,
  dataDir: string,
  log: (line: string) => void,
): Promise<void> {
  const marker = path.join(dataDir, INSTALL_MARKER);
  if (fs.existsSync(marker)) {
    // A previous initialisation was interrupted; it only ever ran in an empty dir we own.
    log(`data dir ${dataDir}: removing an interrupted initialisation`);
    for (const name of fs.readdirSync(dataDir)) {
      if (name !== SERVER_LOG)
        fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    }
  }
  const foreign = fs.readdirSync(dataDir).filter((name) => !OWN_FILES.has(name));
  if (foreign.length > 0) {
    throw new MariaDbStartError(
      `data dir ${dataDir} is not empty (${foreign.slice(0, 5).join(', ')}) and is not a ` +
        'MariaDB data dir; use an empty or new directory',
    );
  }
  log(`initialising MariaDB data dir ${dataDir} (once)`);
  let file: string;
  let args: string[];
  if (binaries.flavor === 'mariadb' && binaries.installDb !== null) {
    file = binaries.installDb;
    args = [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--user=${serverUser()}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      // Passed on to the bootstrap server (see privateTmpDir).
      `--tmpdir=${privateTmpDir(dataDir)}`,
    ];
    // A tarball layout (/usr/local/mysql, /opt/mariadb-x.y) needs its base dir spelled out.
    const base = path.dirname(path.dirname(binaries.server));
    if (/mysql|mariadb/i.test(path.basename(base))) args.push(`--basedir=${base}`);
    fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
  } else {
    // Oracle MySQL: the data dir must be completely empty, so no marker inside it.
    file = binaries.server;
    args = [
      '--no-defaults',
      '--initialize-insecure',
      `--datadir=${dataDir}`,
      `--user=${serverUser()}`,
    ];
  }
  const result = await run(file, args, 300_000);
  removePrivateTmpDir(dataDir);
  if (result.error !== undefined) {
    for (const name of fs.readdirSync(dataDir)) {
      if (name !== SERVER_LOG)
        fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    }
    throw new MariaDbStartError(
      `initialising ${dataDir} with ${path.basename(file)} failed (${result.error}). ` +
        `Its output ends with:\n${lastLines(result.output, 25)}`,
    );
  }
  fs.rmSync(marker, { force: true });
}

function run(
  file: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ output: string; error: string | undefined }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({
          output: `${stdout}${stderr}`,
          error: error === null ? undefined : error.message.split('\n')[0],
        });
      },
    );
  });
}

/**
 * Stops a server a crashed earlier run left on `dataDir` (found through its pid file), without
 * starting one. For callers that are about to delete the data dir (`--fresh`).
 */
export async function stopOrphanMariaDb(
  dataDir: string,
  options: { log?: (line: string) => void; stopTimeoutMs?: number } = {},
): Promise<void> {
  if (!fs.existsSync(dataDir)) return;
  const real = fs.realpathSync(dataDir);
  await stopOrphan(
    path.join(real, 'm.pid'),
    real,
    options.stopTimeoutMs ?? 30_000,
    options.log ?? (() => undefined),
  );
}

/** Stops a server left running by a crashed previous owner of this data dir. */
async function stopOrphan(
  pidFile: string,
  dataDir: string,
  stopTimeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const pid = readPid(pidFile);
  if (pid === undefined) return;
  if (!isAlive(pid) || !looksLikeServer(pid, dataDir)) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  log(`stopping an orphan MariaDB (pid ${pid}) left on ${dataDir} by an earlier run`);
  signal(pid, 'SIGTERM');
  // A server the earlier run had paused (the "Pause MySQL" fault) acts on SIGTERM only once
  // it runs again.
  signal(pid, 'SIGCONT');
  const deadline = Date.now() + stopTimeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    log(`orphan MariaDB (pid ${pid}) ignored SIGTERM for ${stopTimeoutMs} ms; killing it`);
    signal(pid, 'SIGKILL');
    const killDeadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < killDeadline) await sleep(50);
    if (isAlive(pid)) throw new MariaDbStartError(`cannot stop orphan MariaDB pid ${pid}`);
  }
  fs.rmSync(pidFile, { force: true });
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie has exited already; only its parent has not reaped it yet.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** On Linux, check the pid really is a server on this data dir (pids get reused). */
function looksLikeServer(pid: number, dataDir: string): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
  return cmdline.split('\0').some((arg) => arg === `--datadir=${dataDir}`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function terminate(
  child: ChildProcess,
  exited: Promise<MariaDbExit>,
  timeoutMs: number,
): Promise<void> {
  child.kill('SIGTERM');
  // A paused server (SIGSTOP) would hold the SIGTERM until the timeout: let it run to act on it.
  child.kill('SIGCONT');
  if (await within(exited, timeoutMs)) return;
  child.kill('SIGKILL');
  await within(exited, 10_000);
}

async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sameDir(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last lines the server wrote to its log since `from`. */
function logTail(file: string, from: number, lines = 25): string {
  try {
    const size = fileSize(file);
    const start = Math.max(from, size - 64 * 1024);
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.max(0, size - start));
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return lastLines(buffer.toString('utf8'), lines) || '(empty)';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '(no log)';
  }
}

function lastLines(text: string, count: number): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-count)
    .map((line) => `  ${line}`)
    .join('\n');
}

function describeExit(exit: MariaDbExit): string {
  if (exit.signal !== null) return `signal ${exit.signal}`;
  if (exit.code !== null) return `exit code ${exit.code}`;
  return 'could not be started';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
