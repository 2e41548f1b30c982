/**
 * The data-dir lock (cluster/node/dir-lock.ts) between real processes: a holder is a child
 * process running the built module; the test process tries to take the same lock. Both kinds
 * that run here: Linux's abstract socket, and the socket file used where there is none (macOS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDirLock, DirLockError, type LockKind } from '../../cluster/node/dir-lock.js';
import { tempDir } from './wal-harness.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUILT = path.join(REPO_ROOT, 'build', 'cluster', 'node', 'dir-lock.js');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    }
  }
});

/** A child process that takes the lock on `dir` and keeps it; resolves once it holds it. */
async function holder(dir: string, kind: LockKind): Promise<ChildProcess> {
  const script = `
    import(${JSON.stringify(BUILT)}).then(async (m) => {
      await m.acquireDirLock(${JSON.stringify(dir)}, {
        what: 'dir', pidFile: ${JSON.stringify(path.join(dir, 'lock.pid'))}, kind: ${JSON.stringify(kind)},
      });
      process.stdout.write('held\\n');
      setInterval(() => undefined, 1 << 30);
    }, (e) => { console.error(e); process.exit(3); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

async function refusal(dir: string, kind: LockKind): Promise<DirLockError> {
  try {
    const lock = await acquireDirLock(dir, {
      what: `data dir ${dir}`,
      pidFile: path.join(dir, 'lock.pid'),
      kind,
      answerTimeoutMs: 500,
    });
    await lock.release();
  } catch (e) {
    if (e instanceof DirLockError) return e;
    throw e;
  }
  throw new Error('the lock was granted');
}

const exited = (c: ChildProcess): Promise<void> =>
  new Promise((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve())));

for (const kind of ['abstract', 'file'] as const) {
  describe(`data-dir lock (${kind})`, () => {
    it('a second process is refused, naming the holder’s pid; free again once it is SIGKILLed', async () => {
      const dir = tempDir();
      const h = await holder(dir, kind);
      const e = await refusal(dir, kind);
      expect(e.holderPid).toBe(h.pid);
      expect(e.message).toBe(
        `data dir ${dir} is locked by another process (pid ${h.pid}); refusing to start`,
      );
      h.kill('SIGKILL');
      await exited(h);
      // Taken at once: the kernel freed it (for a socket file: the stale file is probed and removed).
      const lock = await acquireDirLock(dir, {
        what: 'dir',
        pidFile: path.join(dir, 'lock.pid'),
        kind,
      });
      expect(fs.readFileSync(path.join(dir, 'lock.pid'), 'utf8')).toBe(`${process.pid}\n`);
      await lock.release();
      expect(fs.existsSync(path.join(dir, 'lock.pid'))).toBe(false);
    });

    it('a paused (SIGSTOP) holder keeps it; its pid comes from the pid file', async () => {
      const dir = tempDir();
      const h = await holder(dir, kind);
      h.kill('SIGSTOP');
      const e = await refusal(dir, kind);
      expect(e.holderPid).toBe(h.pid);
      expect(e.message).toMatch(/not answering: paused\?/);
      h.kill('SIGCONT');
    });

    it('the same process cannot take it twice; released, it can', async () => {
      const dir = tempDir();
      const opts = { what: 'dir', pidFile: path.join(dir, 'lock.pid'), kind };
      const lock = await acquireDirLock(dir, opts);
      await expect(acquireDirLock(dir, opts)).rejects.toThrow(/locked by this process/);
      await lock.release();
      await (await acquireDirLock(dir, opts)).release();
    });

    it('release does not wait for a client that connected and never closes', async () => {
      const dir = tempDir();
      const opts = { what: 'dir', pidFile: path.join(dir, 'lock.pid'), kind };
      const lock = await acquireDirLock(dir, opts);
      // Any local user can connect to the lock's socket; this one reads the pid and stays.
      const idler = net.connect({ path: lock.address, allowHalfOpen: true });
      idler.on('error', () => undefined);
      idler.on('end', () => undefined); // half-open: never ends its own side
      await new Promise<void>((resolve) => idler.once('data', () => resolve()));
      const released = await Promise.race([
        lock.release().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000)),
      ]);
      idler.destroy();
      expect(released, 'release() still waiting after 5 s').toBe(true);
    });
  });
}
