import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SECRET_BYTES,
  SecretFileError,
  loadOrCreateSecret,
} from '../../cluster/node/transport/secret.js';

const posix = process.platform !== 'win32';
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raftboard-secret-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateSecret', () => {
  it('creates 32 random bytes with mode 0600, then reads the same bytes back', async () => {
    const path = join(dir, 'data', 'cluster.secret');
    const a = await loadOrCreateSecret(path);
    expect(a.length).toBe(SECRET_BYTES);
    const st = await stat(path);
    expect(st.size).toBe(SECRET_BYTES);
    if (posix) expect(st.mode & 0o777).toBe(0o600);
    const b = await loadOrCreateSecret(path);
    expect(b.equals(a)).toBe(true);
    const other = await loadOrCreateSecret(join(dir, 'other.secret'));
    expect(other.equals(a)).toBe(false);
  });

  it.skipIf(!posix)('refuses a file readable by others (0644), with the fix', async () => {
    const path = join(dir, 'cluster.secret');
    await loadOrCreateSecret(path);
    await chmod(path, 0o644);
    const err = await loadOrCreateSecret(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretFileError);
    expect(String(err)).toMatch(/permissions 0644, broader than 0600/);
    expect(String(err)).toContain(`chmod 600 ${path}`);
    await chmod(path, 0o640);
    await expect(loadOrCreateSecret(path)).rejects.toThrow(/0640/);
    await chmod(path, 0o400);
    expect((await loadOrCreateSecret(path)).length).toBe(SECRET_BYTES);
  });

  it('refuses a file of the wrong size and leaves it alone', async () => {
    const path = join(dir, 'cluster.secret');
    await writeFile(path, 'short', { mode: 0o600 });
    await expect(loadOrCreateSecret(path)).rejects.toThrow(/is 5 bytes long, expected exactly 32/);
    expect((await stat(path)).size).toBe(5);
  });

  it('refuses a directory', async () => {
    await expect(loadOrCreateSecret(dir)).rejects.toThrow(/not a regular file/);
  });
});
