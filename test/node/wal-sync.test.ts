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
