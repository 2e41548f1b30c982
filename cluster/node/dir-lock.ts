/**
 * An exclusive lock on a data directory, held for the life of the process: a node on its data
 * dir (before WAL recovery touches anything), the supervisor on the cluster's. A second process
 * on the same directory is refused with the holder's pid (review M5 / issue 12: a second node
 * ran recovery repairs, truncating and renaming files, under a live one).
 *
 * Node.js has no flock. The lock is a listening local socket whose name is derived from the
 * directory's real path:
 *  - Linux: an abstract unix socket (`\0raftboard-lock-<hash>`): binding is atomic, and the
 *    kernel frees the name when the process dies, however it dies (SIGKILL included). A paused
 *    (SIGSTOPped) process keeps it: the app pauses nodes that way, so a lock refreshed by a
 *    timer (mtime-based lock files) would be stolen from a paused node. No file is left behind.
 *  - Windows: a named pipe (`\\.\pipe\raftboard-lock-<hash>`), with the same properties.
 *  - Elsewhere (macOS): a unix socket file. Its name is not freed when the process dies, so a
 *    name that is taken is probed with a connection: refused means a dead holder, and the stale
 *    file is removed and bound again. Narrow race: two processes that find the same stale file
 *    at the same moment may both remove it, and the second removal can unlink the first one's
 *    fresh socket, letting both run. It needs a crashed holder and two simultaneous starts.
 * The holder answers each connection with its pid. A paused holder cannot answer, so the pid is
 * also written to a file (`pidFile`) once the lock is held, and read when no answer comes.
 * Abstract names are shared by every user of the machine (one network namespace): another user
 * could bind the name first and keep Raftboard from starting (it is refused, naming that pid);
 * it can neither take a running node's lock nor reach its files that way.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export class DirLockError extends Error {
  /** The holder's pid, when it answered or left its pid file. */
  readonly holderPid: number | undefined;

  constructor(message: string, holderPid: number | undefined) {
    super(message);
    this.name = 'DirLockError';
    this.holderPid = holderPid;
  }
}

export interface DirLock {
  /** The socket or pipe name that is the lock. */
  readonly address: string;
  /** Frees the lock (also freed when the process exits). */
  release(): Promise<void>;
}

export type LockKind = 'abstract' | 'pipe' | 'file';

export interface DirLockOptions {
  /** What the refusal names, e.g. "data dir /x". */
  readonly what: string;
  /** Where the holder's pid is written once the lock is held; removed on release. */
  readonly pidFile: string;
  /** The mechanism; default: the platform's (tests force 'file' on Linux). */
  readonly kind?: LockKind;
  /** How long to wait for the holder's answer before reading its pid file. Default 1 s. */
  readonly answerTimeoutMs?: number;
}

function platformKind(): LockKind {
  if (process.platform === 'linux') return 'abstract';
  if (process.platform === 'win32') return 'pipe';
  return 'file';
}

/** The lock's name for a directory (which must exist): one per real path. */
export function lockAddress(dir: string, kind: LockKind = platformKind()): string {
  const real = fs.realpathSync.native(dir);
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 32);
  if (kind === 'abstract') return `\0raftboard-lock-${hash}`;
  if (kind === 'pipe') return `\\\\.\\pipe\\raftboard-lock-${hash}`;
  // Unix socket paths are limited to ~104 bytes: in the directory if it fits, else in tmp.
  const inDir = path.join(real, '.lock.sock');
  return Buffer.byteLength(inDir) < 100 ? inDir : path.join(os.tmpdir(), `raftboard-${hash}.sock`);
}

/** A bound lock socket and the connections it has accepted (closed at release). */
interface Bound {
  readonly server: net.Server;
  readonly peers: Set<net.Socket>;
}

/** Binds `address`; 'taken' when another socket has it. */
function bind(address: string): Promise<Bound | 'taken'> {
  const peers = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    // Anyone on the machine may connect: answer, and never let a client that stays connected
    // hold up release() (a server's close waits for every open connection).
    peers.add(sock);
    sock.on('close', () => peers.delete(sock));
    sock.on('error', () => undefined);
    sock.setTimeout(1_000, () => sock.destroy());
    sock.end(`${process.pid}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolve('taken');
      else reject(e);
    });
    server.listen({ path: address, exclusive: true }, () => {
      // The lock must not keep the process alive by itself.
      server.unref();
      resolve({ server, peers });
    });
  });
}

/** Stops listening (the lock is free) without waiting for any client. */
function unbind(bound: Bound): Promise<void> {
  for (const sock of bound.peers) sock.destroy();
  return new Promise<void>((resolve) => bound.server.close(() => resolve()));
}

/** Asks the holder for its pid: a number, 'none' (nobody listens), or undefined (no answer). */
function askPid(address: string, timeoutMs: number): Promise<number | 'none' | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const sock = net.connect({ path: address });
    const done = (v: number | 'none' | undefined): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('end', () => {
      const pid = Number.parseInt(text.trim(), 10);
      done(Number.isSafeInteger(pid) && pid > 0 ? pid : undefined);
    });
    sock.on('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? 'none' : undefined),
    );
  });
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock on `dir` (created if missing) or throws {@link DirLockError} naming the holder.
 * Only then is the pid file written: its content is trustworthy while the lock is held.
 */
export async function acquireDirLock(dir: string, opts: DirLockOptions): Promise<DirLock> {
  fs.mkdirSync(dir, { recursive: true });
  const kind = opts.kind ?? platformKind();
  const address = lockAddress(dir, kind);
  let server = await bind(address);
  if (server === 'taken') {
    const answer = await askPid(address, opts.answerTimeoutMs ?? 1_000);
    if (answer === 'none' && kind === 'file') {
      // A socket file its dead owner left: nobody listens on it.
      fs.rmSync(address, { force: true });
      server = await bind(address);
    }
    if (server === 'taken') {
      const pid = typeof answer === 'number' ? answer : readPid(opts.pidFile);
      const who =
        pid === undefined
          ? 'another process (its pid is unknown)'
          : pid === process.pid
            ? `this process (pid ${pid})`
            : typeof answer === 'number'
              ? `another process (pid ${pid})`
              : `another process (pid ${pid}, not answering: paused?)`;
      throw new DirLockError(`${opts.what} is locked by ${who}; refusing to start`, pid);
    }
  }
  const held = server;
  try {
    fs.writeFileSync(opts.pidFile, `${process.pid}\n`);
  } catch (e) {
    await unbind(held);
    throw e;
  }
  let released = false;
  return {
    address,
    release: async () => {
      if (released) return;
      released = true;
      if (readPid(opts.pidFile) === process.pid) fs.rmSync(opts.pidFile, { force: true });
      await unbind(held);
    },
  };
}
