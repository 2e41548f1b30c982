/**
 * One follower's MySQL goes away and comes back. Every node has its own MariaDB here, so the
 * follower's can be stopped alone. Throughout, the cluster serves writes (through every node,
 * the follower included: it only forwards them); the follower reports mysql.status 'down' and
 * refuses reads from its database (503 mysql_down); once its MySQL is back it applies what it
 * missed and its checksum equals the others'.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteResponse } from '../../cluster/api/node.js';
import {
  findMariaDbBinaries,
  startMariaDb,
  type MariaDbInstance,
} from '../../db/provision/mariadb.js';
import {
  newKey,
  ok,
  printNodeOutputOnFailure,
  sleep,
  startCluster,
  type Cluster,
} from './harness/index.js';

function serverMissing(): string | undefined {
  try {
    findMariaDbBinaries();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
const missing = serverMissing();
if (missing !== undefined) {
  process.stderr.write(
    `mysql-outage tests skipped: they need a MariaDB server binary. ${missing}\n`,
  );
}

const dbDirs: string[] = [];
const dbs: MariaDbInstance[] = [];
let cluster: Cluster | undefined;
printNodeOutputOnFailure(() => cluster);

/**
 * Starts a throwaway MariaDB, one at a time and with a second try: two servers initialising at
 * the same moment can trip over each other's temporary tables in the shared /tmp (seen here as
 * "Could not remove temporary table '/tmp/#sql-temptable-…'" from mariadb-install-db).
 */
async function startOwnMariaDb(): Promise<MariaDbInstance> {
  for (let attempt = 1; ; attempt++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-outage-db-'));
    dbDirs.push(dir);
    try {
      return await startMariaDb({ dataDir: dir, port: 0 });
    } catch (e) {
      if (attempt >= 3) throw e;
      process.stderr.write(
        `mysql-outage: MariaDB start attempt ${attempt} failed, retrying: ${(e as Error).message.split('\n')[0]}\n`,
      );
    }
  }
}

beforeAll(async () => {
  if (missing !== undefined) return;
  for (let i = 0; i < 3; i++) dbs.push(await startOwnMariaDb());
  cluster = await startCluster({ mysqlUrls: dbs.map((d) => d.url), label: 'outage' });
});

afterAll(async () => {
  await cluster?.destroy({ dropDatabases: false });
  await Promise.all(dbs.map((d) => d.stop()));
  for (const d of dbDirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Attempt {
  readonly via: number;
  readonly at: number;
  readonly status: number | 'error';
  readonly detail: string;
}

describe.skipIf(missing !== undefined)('the MySQL of one follower stops and starts again', () => {
  it('writes are served throughout; the follower reports down, then catches up', async () => {
    const cl = cluster;
    if (!cl) throw new Error('cluster not started');
    const leader = await cl.leader();
    const [follower] = await cl.followers();
    const fdb = dbs[follower - 1];
    for (let i = 0; i < 3; i++) ok(await cl.client(leader).createTask({ title: `warm-up ${i}` }));
    await cl.checksums();

    // A client writing all along, through every node in turn.
    const acked: { title: string; via: number; answer: WriteResponse; at: number }[] = [];
    const failed: Attempt[] = [];
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const via = cl.ids[n % cl.ids.length];
        const title = `outage write ${n}`;
        const key = newKey(`o${n}`);
        for (let attempt = 0; attempt < 2; attempt++) {
          const target = attempt === 0 ? via : cl.ids[(n + 1) % cl.ids.length];
          try {
            const res = await cl.client(target).createTask({ title }, { idempotencyKey: key });
            if (res.ok) {
              acked.push({ title, via: target, answer: res.body, at: Date.now() });
              break;
            }
            failed.push({
              via: target,
              at: Date.now(),
              status: res.status,
              detail: JSON.stringify(res.body),
            });
          } catch (e) {
            failed.push({
              via: target,
              at: Date.now(),
              status: 'error',
              detail: (e as Error).message,
            });
          }
        }
        await sleep(40);
      }
    })();

    const ackedSince = (t: number): number => acked.filter((a) => a.at > t).length;
    let downAt = 0;
    let upAt = 0;
    try {
      await cl.waitFor(() => acked.length >= 5, 20_000, '5 writes before the outage');
      await fdb.stop();
      downAt = Date.now();

      const down = await cl.waitFor(
        async () => {
          const st = ok(await cl.client(follower).status());
          return st.mysql.status === 'down' ? st : undefined;
        },
        20_000,
        `n${follower} to report mysql.status 'down'`,
      );
      expect(down.mysql.status).toBe('down');
      await cl.waitFor(() => ackedSince(downAt) >= 15, 30_000, '15 writes while its MySQL is down');

      // Its own database cannot answer; it says so.
      const read = await cl.client(follower).listTasks({ consistency: 'stale' });
      expect(read.status, `stale read on n${follower}: ${JSON.stringify(read.body)}`).toBe(503);
      expect(read.body).toMatchObject({ error: 'mysql_down' });
      const sum = await cl.client(follower).checksum();
      expect(sum.status).toBe(503);
      // It is not applying: behind the leader's commit index, which moves on.
      const fst = ok(await cl.client(follower).status());
      const lst = ok(await cl.client(await cl.leader()).status());
      expect(fst.mysql.status).toBe('down');
      expect(fst.appliedIndex).toBeLessThan(lst.commitIndex);
      expect(lst.mysql.status).toBe('up');

      // Back again, on the same data dir and port.
      dbs[follower - 1] = await startMariaDb({ dataDir: fdb.dataDir, port: fdb.port });
      upAt = Date.now();
      await cl.waitFor(
        async () => ok(await cl.client(follower).status()).mysql.status === 'up',
        30_000,
        `n${follower} to report mysql.status 'up' again`,
      );
      await cl.waitFor(() => ackedSince(upAt) >= 5, 20_000, '5 writes after MySQL is back');
    } finally {
      writing = false;
      await writer;
    }

    expect(
      failed,
      'writes that were not served (the cluster must serve writes throughout)',
    ).toEqual([]);
    const during = acked.filter((a) => a.at > downAt && a.at < upAt);
    expect(during.length).toBeGreaterThanOrEqual(15);
    for (const id of cl.ids) {
      expect(
        during.filter((a) => a.via === id).length,
        `writes sent to n${id} and acknowledged during the outage`,
      ).toBeGreaterThan(0);
    }

    // Caught up: same checksum everywhere, and every acknowledged write on the follower.
    const sums = await cl.checksums(30_000);
    const values = [...sums.values()];
    expect(values).toHaveLength(3);
    for (const [id, s] of sums) expect(s, `checksum of n${id}`).toEqual(values[0]);
    const list = ok(await cl.client(follower).listTasks({ consistency: 'linearizable' }));
    const byId = new Map(list.tasks.map((t) => [t.id, t]));
    for (const a of acked) {
      expect(byId.get(a.answer.task?.id ?? '?'), `"${a.title}" on n${follower}`).toEqual(
        a.answer.task,
      );
    }
  });
});
