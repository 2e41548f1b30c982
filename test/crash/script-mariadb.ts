/**
 * A MariaDB for a standalone script (the long crash and fuzz runs): RAFTBOARD_TEST_MYSQL_URL
 * when set, else a throwaway server on a temp dir and a free port, removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startMariaDb } from '../../db/provision/mariadb.js';

export async function withScriptMariaDb<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const external = process.env.RAFTBOARD_TEST_MYSQL_URL;
  if (external !== undefined && external !== '') return fn(external);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'raftboard-script-mariadb-'));
  try {
    const mysql = await startMariaDb({ dataDir: path.join(dir, 'mysql'), port: await freePort() });
    try {
      return await fn(mysql.url);
    } finally {
      await mysql.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
