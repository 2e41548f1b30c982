/**
 * One throwaway MariaDB per test file. Call `useTestMariaDb()` at the top level of a test file:
 * it starts a server on a temp dir before the file's tests (reached through its socket, root with
 * a random password: docs/contract.md §7) and stops it and removes the dir afterwards. Each test
 * takes a fresh database name from `freshDatabase()`.
 *
 * Without server binaries it falls back to `mysql://root@127.0.0.1:3306/` if that answers
 * (databases created there are dropped afterwards), else fails with what to install.
 * `RAFTBOARD_TEST_MYSQL_URL` forces an external server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { dropDatabase, withServerConnection } from '../../db/connection.js';
import { MariaDbNotFoundError } from '../../db/errors.js';
import {
  findMariaDbBinaries,
  freePort,
  startMariaDb,
  type MariaDbInstance,
} from '../../db/provision/mariadb.js';

export const FALLBACK_URL = 'mysql://root@127.0.0.1:3306/';

export interface TestMariaDb {
  /**
   * The server's URL (valid once the file's tests run): for our own server its socket and root
   * password file (`mysql://root@localhost/?socket=…&password-file=…`); add a database with
   * `withDatabase` from db/connection.ts, not by appending to the string.
   */
  readonly url: string;
  /** True for our own throwaway server; false when using an external one. */
  readonly managed: boolean;
  /** A database name never used before in this run (the database is not created). */
  freshDatabase(prefix?: string): string;
  /** Stops the throwaway server (managed only): simulates MySQL going away. */
  stop(): Promise<void>;
  /** SIGKILLs the throwaway server (managed only): simulates a crash of MySQL's host. */
  crash(): Promise<void>;
  /** Starts it again on the same data dir and port (managed only). */
  start(): Promise<void>;
}

let counter = 0;

export function useTestMariaDb(): TestMariaDb {
  let dir: string | undefined;
  let port = 0;
  let instance: MariaDbInstance | undefined;
  let url: string | undefined;
  let managed = false;
  const created: string[] = [];
  const run = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

  const start = async () => {
    if (dir === undefined) throw new Error('no throwaway MariaDB in external mode');
    instance = await startMariaDb({ dataDir: dir, port });
  };

  beforeAll(async () => {
    const external = process.env.RAFTBOARD_TEST_MYSQL_URL;
    if (external !== undefined && external !== '') {
      url = external;
      return;
    }
    try {
      findMariaDbBinaries();
    } catch (error) {
      if (!(error instanceof MariaDbNotFoundError)) throw error;
      if (await answers(FALLBACK_URL)) {
        url = FALLBACK_URL;
        return;
      }
      throw new Error(`${error.message} (and nothing answers on ${FALLBACK_URL})`, {
        cause: error,
      });
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-mariadb-'));
    port = await freePort();
    await start();
    managed = true;
    url = instance?.url;
  });

  afterAll(async () => {
    if (managed) {
      await instance?.stop();
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    } else if (url !== undefined) {
      for (const name of created) await dropDatabase(url, name).catch(() => undefined);
    }
  });

  return {
    get url() {
      if (url === undefined)
        throw new Error('the test MariaDB is not started yet (use it in tests)');
      return url;
    },
    get managed() {
      return managed;
    },
    freshDatabase(prefix = 't') {
      counter += 1;
      const name = `${prefix}_${run}_${counter}`;
      created.push(name);
      return name;
    },
    async stop() {
      if (!managed) throw new Error('cannot stop an external MySQL server');
      await instance?.stop();
    },
    async crash() {
      if (!managed || instance === undefined) throw new Error('cannot crash an external server');
      process.kill(instance.pid, 'SIGKILL');
      await instance.exited;
    },
    start,
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    await withServerConnection(url, async (connection) => {
      await connection.query('SELECT 1');
    });
    return true;
  } catch {
    return false;
  }
}
