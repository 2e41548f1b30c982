/**
 * The managed MariaDB: first start initialises the data dir, later starts reuse it, an orphan
 * from a crash is stopped first, failures quote the server's log, and a missing binary says
 * what to install.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withServerConnection } from '../../db/connection.js';
import { MariaDbNotFoundError, MariaDbStartError } from '../../db/errors.js';
import {
  ensureDatabase,
  findMariaDbBinaries,
  freePort,
  isInitialised,
  startMariaDb,
  type MariaDbInstance,
} from '../../db/provision/mariadb.js';

let available = true;
try {
  findMariaDbBinaries();
} catch {
  available = false;
}

const dirs: string[] = [];
const running: MariaDbInstance[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-prov-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const instance of running) await instance.stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function databases(url: string): Promise<string[]> {
  return withServerConnection(url, async (connection) => {
    const [rows] = await connection.query('SHOW DATABASES');
    return (rows as { Database: string }[]).map((r) => r.Database);
  });
}

it('says exactly what to install when no server binary is found', async () => {
  const empty = tempDir();
  expect(() => findMariaDbBinaries({ binDirs: [empty] })).toThrow(MariaDbNotFoundError);
  const error = await startMariaDb({ dataDir: tempDir(), port: 0, binDirs: [empty] }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MariaDbNotFoundError);
  expect((error as Error).message).toContain('apt-get install mariadb-server');
  expect((error as Error).message).toContain('--mysql external');
});

describe.runIf(available)('a managed MariaDB', () => {
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = path.join(tempDir(), 'data');
    port = await freePort();
  });

  it('initialises once, serves root on its socket, stops cleanly and restarts with its data', async () => {
    const lines: string[] = [];
    const first = await startMariaDb({ dataDir, port, log: (l) => lines.push(l) });
    expect(first.url).toBe(
      `mysql://root@localhost/?socket=${encodeURIComponent(path.join(dataDir, 's.sock'))}` +
        `&password-file=${encodeURIComponent(path.join(dataDir, 'root-password'))}`,
    );
    expect(first.socketPath).toBe(path.join(dataDir, 's.sock'));
    expect(first.port).toBe(port);
    expect(alive(first.pid)).toBe(true);
    expect(lines.some((l) => l.startsWith('initialising'))).toBe(true);
    expect(isInitialised(dataDir)).toBe(true);
    await ensureDatabase(first.url, 'kept_db');
    await ensureDatabase(first.url, 'kept_db'); // idempotent
    const charset = await withServerConnection(first.url, async (c) => {
      const [rows] = await c.query(
        "SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'kept_db'",
      );
      return (rows as { c: string }[])[0]?.c;
    });
    expect(charset).toBe('utf8mb4_bin');
    // A node's state machine, not its durable record (db/provision/tuning.ts): redo log flushed
    // once a second, not at every commit; a buffer pool that holds a large task list.
    const tuning = await withServerConnection(first.url, async (c) => {
      const [rows] = await c.query(
        'SELECT @@innodb_flush_log_at_trx_commit AS f, @@innodb_buffer_pool_size AS pool, ' +
          '@@key_buffer_size AS kb, @@innodb_log_buffer_size AS lb, ' +
          '@@aria_pagecache_buffer_size AS ab, @@performance_schema AS ps',
      );
      const row = (rows as Record<string, number | string>[])[0] ?? {};
      const mib = (k: string): number => Number(row[k]) / 2 ** 20;
      return {
        flush: Number(row.f),
        poolMiB: mib('pool'),
        keysKiB: Number(row.kb) / 1024,
        logMiB: mib('lb'),
        ariaMiB: mib('ab'),
        performanceSchema: Number(row.ps),
      };
    });
    // …and small buffers for what it does not use (the footprint, issue 15).
    expect(tuning).toEqual({
      flush: 2,
      poolMiB: 64,
      keysKiB: 64,
      logMiB: 2,
      ariaMiB: 1,
      performanceSchema: 0,
    });

    await first.stop();
    await first.stop(); // idempotent
    expect(alive(first.pid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'm.pid'))).toBe(false);

    lines.length = 0;
    const second = await startMariaDb({ dataDir, port, log: (l) => lines.push(l) });
    running.push(second);
    expect(lines.some((l) => l.startsWith('initialising'))).toBe(false);
    expect(await databases(second.url)).toContain('kept_db');
    await second.stop();
  });

  it('stops an orphan left by a crashed owner before starting again', async () => {
    const orphan = await startMariaDb({ dataDir, port });
    // The owner "crashed": nobody will call orphan.stop(). A new owner starts the same dir.
    const lines: string[] = [];
    const next = await startMariaDb({ dataDir, port, log: (l) => lines.push(l) });
    running.push(next);
    expect(lines.some((l) => l.includes(`orphan MariaDB (pid ${orphan.pid})`))).toBe(true);
    expect(alive(orphan.pid)).toBe(false);
    expect(next.pid).not.toBe(orphan.pid);
    expect(await databases(next.url)).toContain('kept_db');
    await next.stop();
  });

  it('fails with the tail of the server log when its socket cannot be bound', async () => {
    // A directory where the socket goes: the server cannot unlink it and refuses to start.
    const socket = path.join(dataDir, 's.sock');
    fs.mkdirSync(socket);
    try {
      const error = await startMariaDb({ dataDir, port, startTimeoutMs: 20_000 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MariaDbStartError);
      expect((error as Error).message).toMatch(/Bind on unix socket|Address already in use/);
    } finally {
      fs.rmdirSync(socket);
    }
    expect(fs.existsSync(path.join(dataDir, 'm.pid'))).toBe(false);
  });

  it('refuses to initialise into a non-empty directory that is not a data dir', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'do not touch');
    const error = await startMariaDb({ dataDir: dir, port: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MariaDbStartError);
    expect((error as Error).message).toContain('not empty');
    expect(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('do not touch');
  });
});
