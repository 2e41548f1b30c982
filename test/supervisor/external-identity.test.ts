/**
 * Review H4 end to end, in external mode: the databases an older cluster used are not taken over
 * by a new one. Without --fresh a new data dir on them refuses to start, naming both cluster ids
 * and the database; `--fresh` empties them (saying so) and the new cluster serves writes with
 * none of the old tasks.
 *
 * Runs the built CLI: `npm run --silent build:node` first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase, withServerConnection } from '../../db/connection.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { killAllOf, processesOf, startCli, waitFor, type RunningCli } from './cli-harness.js';

const db = useTestMariaDb();
const dirs: string[] = [];
const clis: RunningCli[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-cid-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const c of clis) await c.stop('SIGTERM').catch(() => undefined);
  for (const d of dirs) {
    killAllOf(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function cli(dataDir: string, url: string, ...more: string[]): RunningCli {
  const c = startCli([
    '--data-dir',
    dataDir,
    '--mysql',
    'external',
    '--mysql-url',
    url,
    '--nodes',
    '3',
    '--port',
    '0',
    ...more,
  ]);
  clis.push(c);
  return c;
}

/** cluster.json's id (undefined in a data dir of the older version). */
function clusterIdOf(dataDir: string): string | undefined {
  const file = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as {
    clusterId?: string;
  };
  return file.clusterId;
}

async function titles(c: RunningCli): Promise<string[]> {
  const r = await c.api<{ tasks: { title: string }[] }>('GET', '/api/tasks?limit=100');
  if (r.status !== 200) throw new Error(`GET /api/tasks: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.tasks.map((t) => t.title).sort();
}

/** An external-mode cluster on `url` with three tasks, stopped again; its data dir and id. */
async function olderCluster(url: string): Promise<{ dataDir: string; id: string | undefined }> {
  const dataDir = tempDir();
  const old = cli(dataDir, url);
  await old.ready();
  for (const t of ['old one', 'old two', 'old three']) await old.write(t);
  expect(await titles(old)).toEqual(['old one', 'old three', 'old two']);
  expect((await old.stop()).code).toBe(0);
  return { dataDir, id: clusterIdOf(dataDir) };
}

describe('external databases an older cluster used', () => {
  it('are emptied by --fresh (one line says so): writes answer 201, the old tasks are gone', async () => {
    const prefix = db.freshDatabase('cid');
    const url = withDatabase(db.url, `${prefix}_{node}`);
    const old = await olderCluster(url);

    const fresh = cli(old.dataDir, url, '--fresh');
    await fresh.ready();
    await waitFor(
      async () => {
        const r = await fresh.api('POST', '/api/tasks', { title: 'new one' });
        if (r.status === 201) return true;
        throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
      },
      30_000,
      'POST /api/tasks to answer 201',
    );
    expect(await titles(fresh)).toEqual(['new one']);
    const said = fresh.lines.filter((l) => l.includes('--fresh: emptying the external databases'));
    expect(said, fresh.output()).toHaveLength(1);
    expect(said[0]).toContain(`${prefix}_1, ${prefix}_2, ${prefix}_3`);
    expect(clusterIdOf(old.dataDir)).not.toBe(old.id);
    expect((await fresh.stop()).code).toBe(0);
    expect(processesOf(old.dataDir)).toEqual([]);
  }, 180_000);

  it('refuse a new data dir without --fresh, naming both cluster ids and the database', async () => {
    const prefix = db.freshDatabase('cid');
    const url = withDatabase(db.url, `${prefix}_{node}`);
    const old = await olderCluster(url);

    const second = tempDir();
    const refused = cli(second, url);
    const outcome = await Promise.race([
      refused.exited.then(() => 'exited'),
      refused.ready().then(
        () => 'ready',
        () => 'exited',
      ),
    ]);
    expect(outcome, refused.output()).toBe('exited');
    expect(old.id).toBeDefined();
    expect((await refused.exited).code).not.toBe(0);
    const newId = clusterIdOf(second);
    expect(newId).toBeDefined();
    expect(newId).not.toBe(old.id);
    const output = refused.output();
    const line = output
      .split('\n')
      .find((l) => l.includes(old.id as string) && l.includes(newId as string));
    expect(line, output).toBeDefined();
    expect(line).toMatch(new RegExp(`${prefix}_[123]`));
    expect(processesOf(second)).toEqual([]);
  }, 180_000);

  it('of the older version (no cluster id anywhere) are adopted once, keeping their tasks', async () => {
    const prefix = db.freshDatabase('cid');
    const url = withDatabase(db.url, `${prefix}_{node}`);
    const old = await olderCluster(url);

    // Make it what the older version left: no id in cluster.json, the raft dirs or the databases.
    const clusterFile = path.join(old.dataDir, 'cluster.json');
    const file = JSON.parse(fs.readFileSync(clusterFile, 'utf8')) as Record<string, unknown>;
    delete file.clusterId;
    fs.writeFileSync(clusterFile, JSON.stringify(file));
    for (const id of [1, 2, 3]) {
      fs.rmSync(path.join(old.dataDir, 'nodes', `n${id}`, 'raft', 'identity.json'));
      await withServerConnection(db.url, async (c) => {
        await c.query(
          `ALTER TABLE \`${prefix}_${id}\`.raft_meta DROP COLUMN cluster_id, DROP COLUMN node_id`,
        );
        await c.query(
          `DELETE FROM \`${prefix}_${id}\`.schema_migrations WHERE name = '0002-cluster-identity'`,
        );
      });
    }

    const again = cli(old.dataDir, url);
    await again.ready();
    const said = again.lines.filter((l) => l.includes('cluster.json had no cluster id'));
    expect(said, again.output()).toHaveLength(1);
    const adopted = clusterIdOf(old.dataDir) as string;
    expect(said[0]).toContain(adopted);
    expect(await titles(again)).toEqual(['old one', 'old three', 'old two']);
    await again.write('after the upgrade');
    for (const id of [1, 2, 3]) {
      const stamp = await withServerConnection(db.url, async (c) => {
        const [rows] = await c.query(
          `SELECT cluster_id AS clusterId, node_id AS nodeId FROM \`${prefix}_${id}\`.raft_meta`,
        );
        return rows as { clusterId: string; nodeId: number }[];
      });
      expect(stamp).toEqual([{ clusterId: adopted, nodeId: id }]);
    }
    expect((await again.stop()).code).toBe(0);

    // Adopted once: the next start says nothing about it.
    const third = cli(old.dataDir, url);
    await third.ready();
    expect(third.lines.filter((l) => l.includes('had no cluster id'))).toEqual([]);
    expect(clusterIdOf(old.dataDir)).toBe(adopted);
    expect((await third.stop()).code).toBe(0);
    expect(processesOf(old.dataDir)).toEqual([]);
  }, 240_000);
});
