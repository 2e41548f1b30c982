/**
 * The durability protocol of save(), observed through the fs calls it makes: one fdatasync per
 * Ready (group commit), the WAL synced before the hard state is replaced, the hard state replaced
 * by temp file + fsync + rename + directory fsync, and a rolled segment synced before the next.
 */
import * as fs from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ents, openDisk, tempDir } from './wal-harness.js';

const calls: string[] = [];

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const fdPaths = new Map<number, string>();
  const name = (p: fs.PathLike): string => String(p).split('/').slice(-2).join('/');
  const wrapped = {
    ...real,
    openSync: (p: fs.PathLike, flags: fs.OpenMode = 'r', mode?: fs.Mode): number => {
      const fd = real.openSync(p, flags, mode);
      fdPaths.set(fd, name(p));
      return fd;
    },
    fdatasync: (fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void => {
      calls.push(`fdatasync (async) ${fdPaths.get(fd)}`);
      real.fdatasync(fd, (err) => {
        calls.push(`fdatasync done ${fdPaths.get(fd)}`);
        cb(err);
      });
    },
    fdatasyncSync: (fd: number): void => {
      calls.push(`fdatasync ${fdPaths.get(fd)}`);
      real.fdatasyncSync(fd);
    },
    fsyncSync: (fd: number): void => {
      calls.push(`fsync ${fdPaths.get(fd)}`);
      real.fsyncSync(fd);
    },
    renameSync: (a: fs.PathLike, b: fs.PathLike): void => {
      calls.push(`rename ${name(a)} -> ${name(b)}`);
      real.renameSync(a, b);
    },
  };
  return { ...wrapped, default: wrapped };
});

beforeEach(() => {
  calls.length = 0;
});

describe('save(): the order of writes and syncs', () => {
  it('one fdatasync for a whole Ready, then the atomic hard-state replacement', () => {
    const dir = tempDir();
    const base = dir.split('/').pop()!;
    const { s } = openDisk(dir);
    calls.length = 0;
    s.save({
      entries: ents(1, [1, 1, 1, 1, 1, 1, 1, 1]),
      hardState: { term: 1, vote: 1, commit: 3 },
    });
    expect(calls).toEqual([
      'fdatasync wal/0000000000000000-0000000000000001.wal',
      `fsync ${base}/hardstate.tmp`,
      `rename ${base}/hardstate.tmp -> ${base}/hardstate`,
      `fsync ${dir.split('/').slice(-2).join('/')}`,
    ]);
    calls.length = 0;
    s.save({ entries: ents(9, [1, 1]) });
    expect(calls).toEqual(['fdatasync wal/0000000000000000-0000000000000001.wal']);
    calls.length = 0;
    s.save({ entries: [] });
    expect(calls).toEqual([]);
    s.close();
  });

  it('a roll syncs the full segment before creating the next, and the directory once', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 100 });
    calls.length = 0;
    s.save({ entries: ents(1, [1, 1, 1, 1, 1, 1]) });
    const syncs = calls.filter((c) => c.startsWith('fdatasync'));
    const segs = new Set(syncs.map((c) => c.split(' ')[1]));
    expect(segs.size).toBe(syncs.length); // each segment synced once
    expect(syncs.length).toBeGreaterThan(1);
    expect(calls[calls.length - 1]).toMatch(/^fsync .*\/wal$/); // the new names made durable
    expect(calls.filter((c) => /^fsync .*\/wal$/.test(c))).toHaveLength(1);
    s.close();
  });
});

describe('appendAsync(): the fdatasync off the event loop', () => {
  const SEG = 'wal/0000000000000000-0000000000000001.wal';

  it('entries are readable at once, durable when done runs; other writes wait for it', async () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    calls.length = 0;
    const done = new Promise<Error | null>((resolve) => s.appendAsync(ents(1, [1, 1, 1]), resolve));
    expect(s.lastIndex()).toBe(3);
    expect(calls).toEqual([`fdatasync (async) ${SEG}`]);
    // Ordered log writes: nothing may be written before the sync is done.
    expect(() => s.save({ entries: ents(4, [1]) })).toThrow(/still syncing/);
    expect(() => s.appendAsync(ents(4, [1]), () => undefined)).toThrow(/still syncing/);
    expect(await done).toBeNull();
    expect(calls).toEqual([`fdatasync (async) ${SEG}`, `fdatasync done ${SEG}`]);
    // Then writing goes on, and nothing is left dirty for the next save to sync.
    s.save({ entries: ents(4, [1]) });
    s.close();
    const { s: r } = openDisk(dir);
    expect(r.entries(1, 5, Infinity).map((e) => e.data)).toEqual(
      ents(1, [1, 1, 1, 1]).map((e) => e.data),
    );
    r.close();
  });

  it('close() during the sync closes the segment after it', async () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    const done = new Promise<Error | null>((resolve) => s.appendAsync(ents(1, [1, 1]), resolve));
    s.close();
    expect(await done).toBeNull();
    const { s: r } = openDisk(dir);
    expect(r.lastIndex()).toBe(2);
    r.close();
  });

  it('entries the snapshot already covers need no sync', async () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    calls.length = 0;
    const done = new Promise<Error | null>((resolve) => s.appendAsync([], resolve));
    expect(await done).toBeNull();
    expect(calls).toEqual([]);
    s.close();
  });
});
