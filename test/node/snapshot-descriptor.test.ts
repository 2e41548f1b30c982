import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  descriptorPath,
  encodeDescriptor,
  parseSnapshotData,
  removeStaleSnapshotFiles,
  snapshotFileName,
} from '../../cluster/node/snapshot-descriptor.js';
import { snapshotJson } from '../../db/snapshot-json.js';

const sha = 'ab'.repeat(32);
const desc = { index: 1200, term: 3, file: snapshotFileName(1200, 3), bytes: 4096, sha256: sha };

describe('snapshot descriptor', () => {
  it('round-trips and stays small', () => {
    const data = encodeDescriptor(desc);
    expect(data.length).toBeLessThan(300);
    const parsed = parseSnapshotData(data);
    expect(parsed).toEqual({
      kind: 'descriptor',
      descriptor: { format: 'raftboard-snapshot-file/1', ...desc },
    });
  });

  it('leaves format 1–3 strings (an old WAL) to the inline restore', async () => {
    for (const format of ['raftboard-tasks/1', 'raftboard-tasks/2', 'raftboard-tasks/3']) {
      const data = await snapshotJson({ format, index: 7, term: 2, tasks: [], sessions: [] });
      expect(parseSnapshotData(data)).toEqual({ kind: 'inline', data });
    }
    expect(parseSnapshotData('')).toEqual({ kind: 'empty' });
  });

  it('refuses a descriptor naming a path outside the snapshot dir', () => {
    const evil = JSON.stringify({
      format: 'raftboard-snapshot-file/1',
      ...desc,
      file: '../../etc/passwd',
    });
    expect(() => parseSnapshotData(evil)).toThrow(/bad snapshot descriptor/);
    expect(() => encodeDescriptor({ ...desc, file: '../x' })).toThrow();
  });

  it('refuses a file name that does not match its index and term, or extra fields', () => {
    const wrong = JSON.stringify({
      format: 'raftboard-snapshot-file/1',
      ...desc,
      file: snapshotFileName(1201, 3),
    });
    expect(() => parseSnapshotData(wrong)).toThrow(/does not match/);
    const extra = JSON.stringify({ format: 'raftboard-snapshot-file/1', ...desc, x: 1 });
    expect(() => parseSnapshotData(extra)).toThrow(/bad snapshot descriptor/);
  });

  it('never parses a long string that only starts like a descriptor', () => {
    const long = `{"format":"raftboard-snapshot-file/1",${' '.repeat(10_000)}}`;
    expect(() => parseSnapshotData(long)).toThrow(/exceeds/);
  });

  describe('stale files', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'snapshot-desc-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('removes older snapshot files and stale temps, keeps the named ones and others', async () => {
      const old = snapshotFileName(100, 1);
      const sending = snapshotFileName(200, 1);
      const newest = snapshotFileName(300, 2);
      const incoming = `${snapshotFileName(400, 2)}.tmp`;
      for (const n of [old, `${old}.tmp`, sending, newest, incoming, 'wal-0001.log']) {
        await writeFile(path.join(dir, n), 'x');
      }
      const removed = await removeStaleSnapshotFiles(dir, new Set([sending, newest, incoming]));
      expect(removed).toEqual([old, `${old}.tmp`].sort());
      expect((await readdir(dir)).sort()).toEqual(
        [sending, newest, incoming, 'wal-0001.log'].sort(),
      );
      expect(descriptorPath(dir, { format: 'raftboard-snapshot-file/1', ...desc })).toBe(
        path.join(dir, desc.file),
      );
    });
  });
});
