/**
 * One throwaway MariaDB server per node, for tests that stop, pause or break one node's MySQL
 * alone (with one shared server that would hit every node at once).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findMariaDbBinaries,
  startMariaDb,
  type MariaDbInstance,
} from '../../../db/provision/mariadb.js';

/** Why the tests cannot run here (no server binary), or undefined when they can. */
export function mariaDbMissing(): string | undefined {
  try {
    findMariaDbBinaries();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Servers started here, and their data dirs, for `stopOwnMariaDbs`. */
export interface OwnMariaDbs {
  readonly servers: MariaDbInstance[];
  readonly dirs: string[];
}

/**
 * Starts `count` servers, one at a time and with retries: two servers initialising at the same
 * moment can trip over each other's temporary tables in the shared /tmp ("Could not remove
 * temporary table '/tmp/#sql-temptable-…'" from mariadb-install-db).
 */
export async function startOwnMariaDbs(
  count: number,
  label: string,
  into: OwnMariaDbs = { servers: [], dirs: [] },
): Promise<OwnMariaDbs> {
  for (let i = 0; i < count; i++) {
    for (let attempt = 1; ; attempt++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `raftboard-${label}-db-`));
      into.dirs.push(dir);
      try {
        into.servers.push(await startMariaDb({ dataDir: dir, port: 0 }));
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        process.stderr.write(
          `${label}: MariaDB start attempt ${attempt} failed, retrying: ${(e as Error).message.split('\n')[0]}\n`,
        );
      }
    }
  }
  return into;
}

/** Stops every server (SIGCONT first: a paused server would not hear SIGTERM) and removes dirs. */
export async function stopOwnMariaDbs(dbs: OwnMariaDbs): Promise<void> {
  for (const s of dbs.servers) {
    try {
      process.kill(s.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  await Promise.all(dbs.servers.map((s) => s.stop()));
  for (const d of dbs.dirs) fs.rmSync(d, { recursive: true, force: true });
}
