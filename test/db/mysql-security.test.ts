/**
 * The managed MariaDB is the node's alone (issue 12, review H1): no TCP listener, a socket in a
 * 0700 directory, a random root password kept 0600, file import/export confined to an empty
 * private directory. Proven from another OS user (`nobody`, via runuser) against a server
 * started by the project's own provisioning, and for a data dir initialised by the older version
 * (passwordless root), which the new start must lock.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withServerConnection } from '../../db/connection.js';
import { findMariaDbBinaries, freePort, startMariaDb } from '../../db/provision/mariadb.js';

let binaries: ReturnType<typeof findMariaDbBinaries> | undefined;
try {
  binaries = findMariaDbBinaries();
} catch {
  binaries = undefined;
}
const client = ['/usr/bin/mariadb', '/usr/bin/mysql'].find((f) => fs.existsSync(f));
const asRoot = process.getuid?.() === 0;
const runuser = fs.existsSync('/usr/sbin/runuser') || fs.existsSync('/sbin/runuser');

const dirs: string[] = [];
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-sec-'));
  dirs.push(dir);
  return dir;
}

interface Ran {
  readonly code: number;
  readonly output: string;
}

function run(file: string, args: readonly string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: '/', timeout: 30_000, encoding: 'utf8' }, (error, out, err) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${out}${err}` });
    });
  });
}

/** The mariadb client as OS user nobody, as root, without a password. */
function asNobody(args: readonly string[]): Promise<Ran> {
  return run('runuser', ['-u', 'nobody', '--', client!, '-uroot', '--connect-timeout=5', ...args]);
}

async function variables(url: string): Promise<Record<string, unknown>> {
  return withServerConnection(url, async (c) => {
    const [rows] = await c.query(
      'SELECT @@skip_networking AS skipNetworking, @@secure_file_priv AS secureFilePriv, ' +
        '@@port AS port, @@socket AS socket',
    );
    return (rows as Record<string, unknown>[])[0] ?? {};
  });
}

/** What a login as root without a password gets, over the socket, as this (owning) user. */
async function passwordless(socket: string): Promise<Ran> {
  return run(client!, ['-uroot', '--connect-timeout=5', `--socket=${socket}`, '-e', 'SELECT 1']);
}

describe.runIf(binaries !== undefined && client !== undefined && asRoot && runuser)(
  'the managed MariaDB is not open to other local users',
  () => {
    it('refuses root to OS user nobody on TCP and the socket; only the password file works', async () => {
      const dataDir = path.join(tempDir(), 'mysql');
      const port = await freePort();
      const server = await startMariaDb({ dataDir, port });
      stops.push(() => server.stop());
      const socket = server.socketPath;

      const tcp = await asNobody(['-h127.0.0.1', `-P${port}`, '-e', 'SELECT CURRENT_USER()']);
      expect(tcp.output).not.toContain('root@');
      expect(tcp.output).toMatch(/Can't connect/);
      expect(tcp.code).not.toBe(0);
      const viaSocket = await asNobody([`--socket=${socket}`, '-e', 'SELECT CURRENT_USER()']);
      expect(viaSocket.output).not.toContain('root@');
      expect(viaSocket.output).toMatch(/Can't connect|Permission denied|Access denied/);
      expect(viaSocket.code).not.toBe(0);

      // The owner gets in with the password from the node's 0600 file, and not without it.
      const denied = await passwordless(socket);
      expect(denied.code).not.toBe(0);
      expect(denied.output).toMatch(/Access denied/);
      const vars = await variables(server.url);
      expect(Number(vars.skipNetworking)).toBe(1);
      const filesDir = String(vars.secureFilePriv);
      expect(filesDir).not.toBe('');
      expect(fs.readdirSync(filesDir)).toEqual([]);
      expect(fs.statSync(filesDir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
      // Even root cannot read the node's secrets or write files outside that directory.
      const secret = path.join(path.dirname(dataDir), 'token');
      fs.writeFileSync(secret, 'the-token', { mode: 0o600 });
      const files = await withServerConnection(server.url, async (c) => {
        const [rows] = await c.query('SELECT LOAD_FILE(?) AS content', [secret]);
        const outfile = await c
          .query('SELECT 1 INTO OUTFILE ?', [path.join(path.dirname(dataDir), 'out')])
          .then(
            () => 'written',
            (e: unknown) => (e as Error).message,
          );
        return { content: (rows as { content: unknown }[])[0]?.content, outfile };
      });
      expect(files.content).toBeNull();
      expect(files.outfile).toMatch(/secure-file-priv/);
      const passwordFile = server.passwordFile;
      expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(passwordFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(server.url).not.toContain(fs.readFileSync(passwordFile, 'utf8').trim());
    });

    it('locks a data dir the older version initialised with a passwordless root', async () => {
      const dataDir = path.join(tempDir(), 'mysql');
      fs.mkdirSync(dataDir);
      // Exactly what the older version ran (db/provision/mariadb.ts before issue 12).
      const init = await run(binaries!.installDb!, [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ]);
      expect(init.code, init.output).toBe(0);
      const port = await freePort();
      const server = await startMariaDb({ dataDir, port });
      stops.push(() => server.stop());
      const socket = server.socketPath;

      expect((await passwordless(socket)).code).not.toBe(0);
      const tcp = await asNobody(['-h127.0.0.1', `-P${port}`, '-e', 'SELECT 1']);
      expect(tcp.code).not.toBe(0);
      expect(Number((await variables(server.url)).skipNetworking)).toBe(1);

      // A second start finds the password already set and keeps it.
      const passwordFile = server.passwordFile;
      const password = fs.readFileSync(passwordFile, 'utf8');
      await server.stop();
      const again = await startMariaDb({ dataDir, port });
      stops.push(() => again.stop());
      expect(fs.readFileSync(passwordFile, 'utf8')).toBe(password);
      expect(Number((await variables(again.url)).skipNetworking)).toBe(1);
    });
  },
);
