/**
 * MySQL per node in each mode (issue 4 §3): external URLs are mapped and checked up front with
 * errors that name the problem; Docker without an engine and managed without a server binary
 * stop with what to do, before anything starts; an external-mode cluster runs on a server the
 * user owns and leaves it running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatMySqlUrl,
  parseMySqlUrl,
  withDatabase,
  withServerConnection,
} from '../../db/connection.js';
import { MariaDbNotFoundError } from '../../db/errors.js';
import {
  DockerUnavailableError,
  ExternalMySqlError,
  checkDockerEngine,
  checkExternalTarget,
  resolveExternalTargets,
  targetForNewNode,
} from '../../db/provision/index.js';
import { Supervisor } from '../../cluster/supervisor/supervisor.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { killAllOf, processesOf } from './cli-harness.js';

const db = useTestMariaDb();
const dirs: string[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-modes-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) {
    killAllOf(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

describe('external MySQL URLs', () => {
  it('maps one URL per node, or one URL with {node} in its database name', () => {
    expect(resolveExternalTargets(['mysql://root@h:3307/rb_{node}'], [1, 2])).toEqual([
      { nodeId: 1, serverUrl: 'mysql://root@h:3307/', database: 'rb_1' },
      { nodeId: 2, serverUrl: 'mysql://root@h:3307/', database: 'rb_2' },
    ]);
    expect(
      resolveExternalTargets(['mysql://u:p%40ss@a:1/x', 'mysql://u@b/y'], [1, 2]).map((t) => [
        t.serverUrl,
        t.database,
      ]),
    ).toEqual([
      ['mysql://u:p%40ss@a:1/', 'x'],
      ['mysql://u@b:3306/', 'y'],
    ]);
    // No database named: each node gets its own default.
    expect(resolveExternalTargets(['mysql://root@h/'], [1, 2]).map((t) => t.database)).toEqual([
      'raftboard_n1',
      'raftboard_n2',
    ]);
    expect(targetForNewNode(['mysql://root@h/rb_{node}'], 4).database).toBe('rb_4');
  });

  it.each([
    [[], [1], /needs --mysql-url/],
    [['mysql://root@h/shared'], [1, 2], /nodes 1 and 2 would share the database shared/],
    [['mysql://a@h/x', 'mysql://a@h/y'], [1, 2, 3], /2 --mysql-url values for 3 nodes/],
    [['http://h/x'], [1], /not a MySQL URL/],
    [['mysql://{node}@h/x_{node}'], [1], /only appear in the database name/],
    [['mysql://root@h/bad-name'], [1], /letters, digits or _/],
  ])('refuses %j for nodes %j', (urls, ids, message) => {
    expect(() => resolveExternalTargets(urls, ids)).toThrow(ExternalMySqlError);
    expect(() => resolveExternalTargets(urls, ids)).toThrow(message);
  });

  it('cannot name a new node when URLs were given one per node', () => {
    expect(() => targetForNewNode(['mysql://a@h/x', 'mysql://a@h/y'], 3)).toThrow(/\{node\}/);
  });
});

describe('external MySQL checks', () => {
  const user = `rb_limited_${process.pid}`;
  /** The test server (its socket, or host:port) as `user` with `password`. */
  const asUser = (password: string): string =>
    formatMySqlUrl({ ...parseMySqlUrl(db.url), user, password, passwordFile: undefined });

  beforeAll(async () => {
    await withServerConnection(db.url, async (c) => {
      await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'secret-pw'`);
      await c.query(`GRANT SELECT ON *.* TO '${user}'@'%'`);
    });
  });

  afterAll(async () => {
    await withServerConnection(db.url, async (c) => {
      await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
    }).catch(() => undefined);
  });

  it('accepts a user with every privilege (and creates the database)', async () => {
    const database = db.freshDatabase('ext');
    await checkExternalTarget({ nodeId: 1, serverUrl: db.url, database });
    const rows = await withServerConnection(db.url, async (c) => {
      const [r] = await c.query(`SHOW DATABASES LIKE '${database}'`);
      return r as unknown[];
    });
    expect(rows).toHaveLength(1);
  });

  it('names a missing privilege and the GRANT that fixes it', async () => {
    const error = await checkExternalTarget({
      nodeId: 2,
      serverUrl: asUser('secret-pw'),
      database: db.freshDatabase('ext'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalMySqlError);
    expect((error as Error).message).toMatch(/node 2: .* lacks the CREATE privilege/);
    expect((error as Error).message).toMatch(/GRANT ALL PRIVILEGES ON/);
  });

  it('names a wrong password', async () => {
    const error = await checkExternalTarget({
      nodeId: 1,
      serverUrl: asUser('wrong'),
      database: 'x',
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/refused user .* \(wrong user or password/);
  });

  it('names a server that does not answer', async () => {
    const error = await checkExternalTarget({
      nodeId: 1,
      serverUrl: 'mysql://root@127.0.0.1:1/',
      database: 'x',
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/127\.0\.0\.1:1 does not answer \(ECONNREFUSED\)/);
  });
});

describe('modes that cannot run here stop before anything starts', () => {
  it('docker without an engine says so and what to use instead', async () => {
    let version: string | undefined;
    const error = await checkDockerEngine().then(
      (v) => {
        version = v;
      },
      (e: unknown) => e,
    );
    if (version !== undefined) return; // an engine answers on this machine: nothing to check
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toMatch(/--mysql docker needs/);
    expect((error as Error).message).toMatch(/--mysql managed .*apt-get install mariadb-server/);

    const dataDir = tempDir();
    const s = new Supervisor({ dataDir, mysqlMode: 'docker' });
    await expect(s.start()).rejects.toThrow(DockerUnavailableError);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('managed without a server binary says what to install or pass', async () => {
    const dataDir = tempDir();
    const empty = tempDir();
    const s = new Supervisor({ dataDir, mysqlFind: { binDirs: [empty] } });
    const error = await s.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MariaDbNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('sudo apt-get install mariadb-server');
    expect(message).toContain('--mysql external --mysql-url');
    // Nothing started half-way: no node folders, no processes, no lock left.
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(processesOf(dataDir)).toEqual([]);
  });
});

describe('an external-mode cluster', () => {
  it('runs on databases of a server it does not own, and leaves that server running', async () => {
    const dataDir = tempDir();
    const prefix = db.freshDatabase('ext');
    const s = new Supervisor({
      dataDir,
      nodes: 3,
      mysqlMode: 'external',
      mysqlUrls: [withDatabase(db.url, `${prefix}_{node}`)],
      slow: 0.4,
    });
    try {
      await s.start();
      const c = s.status();
      expect(c.mysqlMode).toBe('external');
      expect(c.nodes.map((n) => n.mysql.server)).toEqual(['external', 'external', 'external']);
      const stop = await s.mysqlAction(1, 'stop').catch((e: unknown) => e);
      expect((stop as Error).message).toMatch(/external server: Raftboard cannot stop it/);
      const pause = await s.mysqlAction(1, 'pause').catch((e: unknown) => e);
      expect((pause as Error).message).toMatch(/external server: Raftboard cannot pause it/);
    } finally {
      await s.shutdown();
    }
    expect(processesOf(dataDir)).toEqual([]);
    const names = await withServerConnection(db.url, async (c) => {
      const [r] = await c.query(`SHOW DATABASES LIKE '${prefix}\\_%'`);
      return (r as Record<string, string>[]).map((row) => Object.values(row)[0]).sort();
    });
    expect(names).toEqual([`${prefix}_1`, `${prefix}_2`, `${prefix}_3`]);
    for (const n of names) {
      await withServerConnection(db.url, (c) => c.query(`DROP DATABASE \`${n}\``));
    }
  });
});
