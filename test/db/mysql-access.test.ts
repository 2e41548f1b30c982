/**
 * How clients and servers are told where MySQL is and who may log in (issue 12, H1), without a
 * server: the URL's socket and password file, the listener chosen per platform (no named pipe
 * can be tried here, so the Windows choice is checked as options), the Docker arguments (no
 * Docker engine runs here) and the root password file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverOptions, formatMySqlUrl, parseMySqlUrl, withDatabase } from '../../db/connection.js';
import {
  MAX_SOCKET_PATH_BYTES,
  accessPlan,
  managedServerUrl,
  rootPassword,
} from '../../db/provision/access.js';
import { dockerEnv, dockerRunArgs, dockerServerUrl } from '../../db/provision/docker.js';
import { resolveExternalTargets } from '../../db/provision/external.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-access-'));
  dirs.push(dir);
  return dir;
}

describe('MySQL URLs with a socket and a password file', () => {
  it('reads the password from the file and connects through the socket', () => {
    const dir = tempDir();
    const file = path.join(dir, 'pw');
    fs.writeFileSync(file, 's3cret\n', { mode: 0o600 });
    const url = formatMySqlUrl({
      host: 'localhost',
      port: 0,
      user: 'root',
      socketPath: path.join(dir, 'a b', 's.sock'),
      passwordFile: file,
    });
    expect(url).not.toContain('s3cret');
    const target = parseMySqlUrl(url);
    expect(target).toMatchObject({ user: 'root', password: 's3cret', passwordFile: file });
    expect(driverOptions(target)).toEqual({
      socketPath: path.join(dir, 'a b', 's.sock'),
      user: 'root',
      password: 's3cret',
    });
    // A database goes into the path and the parameters stay.
    const withDb = parseMySqlUrl(withDatabase(url, 'rb_1'));
    expect(withDb.database).toBe('rb_1');
    expect(withDb.socketPath).toBe(target.socketPath);
    expect(withDatabase('mysql://u@h:1/', 'x')).toBe('mysql://u@h:1/x');
    expect(withDatabase('mysql://u@h:1', 'x_{node}')).toBe('mysql://u@h:1/x_{node}');
    expect(withDatabase('mysql://u@h:1/old?socket=/s', '')).toBe('mysql://u@h:1/?socket=/s');
  });

  it('keeps host and port when there is no socket, and refuses mistakes', () => {
    expect(driverOptions(parseMySqlUrl('mysql://u:p@h:7/'))).toEqual({
      host: 'h',
      port: 7,
      user: 'u',
      password: 'p',
    });
    expect(() => parseMySqlUrl('mysql://u@h/?sockett=/x')).toThrow(/unknown parameter "sockett"/);
    expect(() => parseMySqlUrl('mysql://u@h/?socket=rel/s.sock')).toThrow(/absolute path/);
    expect(() => parseMySqlUrl('mysql://u:p@h/?password-file=/x')).toThrow(/not both/);
    expect(() => parseMySqlUrl('mysql://u@h/?password-file=/nonexistent/pw')).toThrow(
      /cannot read the MySQL password file/,
    );
  });

  it('keeps the socket and password file of an external URL per node', () => {
    const dir = tempDir();
    const file = path.join(dir, 'pw');
    fs.writeFileSync(file, 'x');
    const url = `mysql://app@localhost/rb_{node}?socket=/run/mysqld/mysqld.sock&password-file=${file}`;
    const [one] = resolveExternalTargets([url], [1]);
    expect(one?.database).toBe('rb_1');
    expect(parseMySqlUrl(one?.serverUrl ?? '')).toMatchObject({
      user: 'app',
      socketPath: '/run/mysqld/mysqld.sock',
      passwordFile: file,
      database: undefined,
    });
  });
});

describe('the managed server listener per platform', () => {
  it('Linux and macOS: no TCP, a socket in the data dir, the password file beside it', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const plan = accessPlan('/home/u/.config/Raftboard/cluster/nodes/n1/mysql', platform);
      expect(plan.serverArgs).toEqual([
        '--skip-networking',
        '--socket=/home/u/.config/Raftboard/cluster/nodes/n1/mysql/s.sock',
      ]);
      expect(plan.serverArgs.join(' ')).not.toMatch(/--port|--bind-address/);
      expect(plan.socketDir).toBe('/home/u/.config/Raftboard/cluster/nodes/n1/mysql');
      expect(plan.passwordFile).toBe(
        '/home/u/.config/Raftboard/cluster/nodes/n1/mysql/root-password',
      );
    }
  });

  it('a data dir too long for a socket address: a private directory in the temp dir', () => {
    const long = `/home/u/${'x'.repeat(MAX_SOCKET_PATH_BYTES)}/mysql`;
    const plan = accessPlan(long, 'linux');
    expect(Buffer.byteLength(plan.socketPath)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(plan.socketDir).toBe(path.dirname(plan.socketPath));
    expect(plan.socketDir?.startsWith(os.tmpdir())).toBe(true);
    expect(plan.passwordFile).toBe(`${long}/root-password`);
  });

  it('Windows: a named pipe and still no TCP; the password file in the data dir', () => {
    const plan = accessPlan(
      'C:\\Users\\u\\AppData\\Roaming\\Raftboard\\cluster\\nodes\\n1\\mysql',
      'win32',
    );
    expect(plan.serverArgs[0]).toBe('--skip-networking');
    expect(plan.serverArgs).toContain('--named-pipe');
    const pipe = plan.serverArgs.find((a) => a.startsWith('--socket='))?.slice('--socket='.length);
    expect(pipe).toMatch(/^raftboard-[0-9a-f]{16}$/);
    expect(plan.socketPath).toBe(`\\\\.\\pipe\\${pipe}`);
    expect(plan.socketDir).toBeNull();
    expect(plan.passwordFile).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Raftboard\\cluster\\nodes\\n1\\mysql\\root-password',
    );
    const url = new URL(managedServerUrl('C:\\data\\n1\\mysql', 'win32'));
    expect(url.searchParams.get('socket')).toMatch(/^\\\\\.\\pipe\\raftboard-[0-9a-f]{16}$/);
    expect(url.searchParams.get('password-file')).toBe('C:\\data\\n1\\mysql\\root-password');
  });
});

describe('Docker mode', () => {
  it('passes root a password through the environment, never an empty one, never on argv', () => {
    const args = dockerRunArgs('raftboard-abc-n1', 33061, 'mysql:8.0');
    expect(args.join(' ')).not.toMatch(/ALLOW_EMPTY/);
    expect(args).toContain('127.0.0.1:33061:3306');
    for (const v of ['MYSQL_ROOT_PASSWORD', 'MARIADB_ROOT_PASSWORD']) {
      const at = args.indexOf(v);
      expect(at).toBeGreaterThan(0);
      expect(args[at - 1]).toBe('--env');
    }
    const env = dockerEnv('pw-123', { PATH: '/bin' });
    expect(env).toEqual({
      PATH: '/bin',
      MYSQL_ROOT_PASSWORD: 'pw-123',
      MARIADB_ROOT_PASSWORD: 'pw-123',
    });
    expect(args.join(' ')).not.toContain('pw-123');
    expect(dockerServerUrl(33061, '/d/nodes/n1/mysql-root-password')).toBe(
      'mysql://root@127.0.0.1:33061/?password-file=%2Fd%2Fnodes%2Fn1%2Fmysql-root-password',
    );
  });
});

describe('the root password file', () => {
  it('is created once with 24 random bytes, mode 0600, and then kept', () => {
    const file = path.join(tempDir(), 'node', 'root-password');
    const first = rootPassword(file);
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(rootPassword(file)).toBe(first);
    expect(rootPassword(path.join(path.dirname(file), 'other'))).not.toBe(first);
  });
});
