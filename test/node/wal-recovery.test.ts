/**
 * DiskStorage.open after crashes and disk damage: a torn tail is cut (and logged) and the node
 * goes on; damage anywhere else stops it with an error naming the file and the byte offset.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskStorageError, WalCorruptionError } from '../../cluster/node/wal/index.js';
import {
  CONF,
  ents,
  flipByte,
  openDisk,
  recordOffsets,
  segments,
  snapFiles,
  tempDir,
} from './wal-harness.js';

/** A directory holding entries 1..n (term 1), one record per entry, in one segment. */
function logOf(n: number, segmentBytes?: number): string {
  const dir = tempDir();
  const { s } = openDisk(dir, segmentBytes ? { segmentBytes } : {});
  for (let i = 1; i <= n; i++) s.save({ entries: ents(i, [1]) });
  s.close();
  return dir;
}

const lastSegment = (dir: string): string => {
  const names = segments(dir);
  return path.join(dir, 'wal', names[names.length - 1]);
};

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('recovery: a torn tail is truncated', () => {
  it('a partial last record: cut, logged, and later appends work', () => {
    const dir = logOf(10);
    const file = lastSegment(dir);
    const offsets = recordOffsets(file);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 3);

    const { s, logs } = openDisk(dir);
    expect(s.lastIndex()).toBe(9);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/torn tail of wal\/\S+\.wal at offset \d+ .*partial record/);
    expect(logs[0]).toContain(`at offset ${offsets[9]}`);
    expect(fs.statSync(file).size).toBe(offsets[9]);
    s.save({ entries: ents(10, [2, 2], 'after'), hardState: { term: 2, vote: 1, commit: 11 } });
    s.close();

    const { s: r, logs: logs2 } = openDisk(dir);
    expect(logs2).toEqual([]);
    expect(r.lastIndex()).toBe(11);
    expect(r.entries(9, 12, Infinity).map((e) => e.data)).toEqual([
      'e9t1',
      'aftere10t2',
      'aftere11t2',
    ]);
    r.close();
  });

  it('a partial record header', () => {
    const dir = logOf(3);
    const file = lastSegment(dir);
    fs.appendFileSync(file, Buffer.from([7, 0, 0]));
    const { s, logs } = openDisk(dir);
    expect(s.lastIndex()).toBe(3);
    expect(logs[0]).toMatch(/partial record header/);
    s.close();
  });

  it('zeros after the last good record (an extended but unwritten file)', () => {
    const dir = logOf(5);
    const file = lastSegment(dir);
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.alloc(4096));
    const { s, logs } = openDisk(dir);
    expect(s.lastIndex()).toBe(5);
    expect(logs[0]).toMatch(/4096 zero bytes after the last record/);
    expect(fs.statSync(file).size).toBe(size);
    s.save({ entries: ents(6, [1]) });
    s.close();
    const r = openDisk(dir).s;
    expect(r.lastIndex()).toBe(6);
    r.close();
  });

  it('a last record whose unwritten sectors read as zeros, alone or followed only by zeros', () => {
    // What an interrupted append leaves when the file grew but some 512-byte sectors of the
    // record never reached the disk: the checksum fails and the record ends in zeros that start
    // at a sector boundary.
    for (const pad of [0, 100]) {
      const dir = tempDir();
      const { s: w } = openDisk(dir);
      w.save({ entries: ents(1, [1, 1, 1]) });
      w.save({ entries: [{ index: 4, term: 1, type: 'normal', data: 'x'.repeat(2000) }] });
      w.close();
      const file = lastSegment(dir);
      const last = recordOffsets(file)[3];
      const buf = fs.readFileSync(file);
      const sector = Math.ceil((last + 100) / 512) * 512;
      buf.fill(0, sector);
      fs.writeFileSync(file, Buffer.concat([buf, Buffer.alloc(pad)]));
      const { s, logs } = openDisk(dir);
      expect(s.lastIndex()).toBe(3);
      expect(logs[0]).toContain(`at offset ${last}`);
      expect(logs[0]).toMatch(/checksum mismatch/);
      expect(fs.statSync(file).size).toBe(last);
      s.close();
    }
  });

  it('a torn tail in the newest segment after several rolled ones', () => {
    const dir = logOf(60, 300);
    expect(segments(dir).length).toBeGreaterThan(3);
    const file = lastSegment(dir);
    fs.truncateSync(file, fs.statSync(file).size - 1);
    const { s, logs } = openDisk(dir, { segmentBytes: 300 });
    expect(s.lastIndex()).toBe(59);
    expect(logs).toHaveLength(1);
    s.close();
  });
});

/**
 * Every byte of a record's header (length and checksum) flipped, with several masks: the node
 * must refuse to start naming the file and the record's offset, and must never open with fewer
 * entries. A flipped high byte of the length used to be taken for a torn tail (the record "runs
 * past the end of the file") and silently cut every record after it (review H5); a flipped
 * checksum of the last record was cut the same way although the record was fsynced.
 */
describe('recovery: a damaged record header is never taken for a torn tail', () => {
  const MASKS = [0x01, 0x10, 0x80, 0x5a, 0xff];
  const N = 6;

  for (const where of ['middle', 'last'] as const) {
    it(`every header byte of the ${where} record, flipped: refused, file and offset named`, () => {
      const dir = logOf(N);
      const file = lastSegment(dir);
      const rel = `wal/${path.basename(file)}`;
      const pristine = fs.readFileSync(file);
      const hardState = fs.readFileSync(path.join(dir, 'hardstate'));
      const at = recordOffsets(file)[where === 'middle' ? 2 : N - 1];
      for (let byte = 0; byte < 8; byte++) {
        for (const mask of MASKS) {
          const damaged = Buffer.from(pristine);
          damaged[at + byte] ^= mask;
          fs.writeFileSync(file, damaged);
          const what = `${where} record at ${at}, header byte ${byte} ^ 0x${mask.toString(16)}`;
          let opened: number | undefined;
          let err: unknown;
          try {
            const { s } = openDisk(dir);
            opened = s.lastIndex();
            s.close();
          } catch (e) {
            err = e;
          }
          expect(opened, `${what}: opened with last index ${opened}`).toBeUndefined();
          expect(err, what).toBeInstanceOf(WalCorruptionError);
          const e = err as WalCorruptionError;
          expect([e.file, e.offset], what).toEqual([rel, at]);
          expect(e.message, what).toContain(`${rel} at offset ${at}`);
          expect(fs.readFileSync(file).equals(damaged), `${what}: segment untouched`).toBe(true);
          expect(fs.readFileSync(path.join(dir, 'hardstate')).equals(hardState)).toBe(true);
        }
      }
      // Repaired by hand (the original bytes put back), it opens with every entry.
      fs.writeFileSync(file, pristine);
      const { s } = openDisk(dir);
      expect(s.lastIndex()).toBe(N);
      s.close();
    });
  }

  it('a flipped payload byte of the last record (a whole record, not an interrupted write)', () => {
    const dir = logOf(5);
    const file = lastSegment(dir);
    const last = recordOffsets(file)[4];
    flipByte(file, last + 12);
    const e = caught(() => openDisk(dir)) as WalCorruptionError;
    expect(e).toBeInstanceOf(WalCorruptionError);
    expect(e.offset).toBe(last);
    expect(e.message).toMatch(/checksum mismatch/);
  });

  it('a torn-looking record followed by a valid one is corruption, not a torn tail', () => {
    // The record's second half reads as zeros from a sector boundary (as an interrupted write
    // would leave it), but a whole valid record follows: it was written, and fsynced, after it.
    const dir = tempDir();
    const { s: w } = openDisk(dir);
    w.save({ entries: ents(1, [1]) });
    w.save({ entries: [{ index: 2, term: 1, type: 'normal', data: 'y'.repeat(1500) }] });
    w.save({ entries: ents(3, [1]) });
    w.close();
    const file = lastSegment(dir);
    const [, second, third] = recordOffsets(file);
    const buf = fs.readFileSync(file);
    buf.fill(0, Math.ceil((second + 50) / 512) * 512, third);
    fs.writeFileSync(file, buf);
    const e = caught(() => openDisk(dir)) as WalCorruptionError;
    expect(e).toBeInstanceOf(WalCorruptionError);
    expect(e.offset).toBe(second);
    expect(e.message).toMatch(/checksum mismatch/);
  });

  it("the review's case: the high byte of a middle length flipped (1.5 GB announced)", () => {
    const dir = logOf(6);
    const file = lastSegment(dir);
    const offs = recordOffsets(file);
    flipByte(file, offs[2] + 3);
    const e = caught(() => openDisk(dir)) as WalCorruptionError;
    expect(e).toBeInstanceOf(WalCorruptionError);
    expect(e.offset).toBe(offs[2]);
    expect(e.message).toMatch(/partial record: \d+ bytes announced/);
    expect(e.message).toContain(`but a valid record follows at offset ${offs[3]}`);
  });
});

describe('recovery: corruption anywhere else stops the node', () => {
  it('a flipped byte in a middle record: the dedicated error names the file and offset', () => {
    const dir = logOf(9);
    const file = lastSegment(dir);
    const mid = recordOffsets(file)[4];
    flipByte(file, mid + 20);
    const sizeBefore = fs.statSync(file).size;

    const err = caught(() => openDisk(dir));
    expect(err).toBeInstanceOf(WalCorruptionError);
    expect(err).toBeInstanceOf(DiskStorageError);
    const e = err as WalCorruptionError;
    const rel = `wal/${path.basename(file)}`;
    expect(e.file).toBe(rel);
    expect(e.offset).toBe(mid);
    expect(e.message).toBe(
      `WAL corrupted in ${rel} at offset ${mid}: checksum mismatch; refusing to start (see README: recovery)`,
    );
    // Nothing was repaired behind the operator's back.
    expect(fs.statSync(file).size).toBe(sizeBefore);
    expect(() => openDisk(dir)).toThrow(WalCorruptionError);
  });

  it('a flipped length field in the middle', () => {
    const dir = logOf(6);
    const file = lastSegment(dir);
    const at = recordOffsets(file)[2];
    flipByte(file, at); // the record now claims a different length
    const e = caught(() => openDisk(dir)) as WalCorruptionError;
    expect(e).toBeInstanceOf(WalCorruptionError);
    expect(e.offset).toBe(at);
  });

  it('damage in a segment that is not the last, even in its last record or as a partial record', () => {
    for (const damage of ['flip-last', 'truncate'] as const) {
      const dir = logOf(40, 300);
      const names = segments(dir);
      expect(names.length).toBeGreaterThan(2);
      const file = path.join(dir, 'wal', names[1]);
      const offs = recordOffsets(file);
      if (damage === 'flip-last') flipByte(file, offs[offs.length - 1] + 9);
      else fs.truncateSync(file, fs.statSync(file).size - 2);
      const e = caught(() => openDisk(dir, { segmentBytes: 300 })) as WalCorruptionError;
      expect(e).toBeInstanceOf(WalCorruptionError);
      expect(e.message).toContain(`wal/${names[1]} at offset ${offs[offs.length - 1]}`);
    }
  });

  it('a bad record followed by non-zero bytes that are not a record', () => {
    const dir = logOf(3);
    const file = lastSegment(dir);
    const last = recordOffsets(file)[2];
    flipByte(file, last + 10);
    fs.appendFileSync(file, Buffer.from('garbage!'));
    expect(() => openDisk(dir)).toThrow(/at offset \d+: checksum mismatch/);
  });

  it('a missing segment in the middle', () => {
    const dir = logOf(40, 300);
    const names = segments(dir);
    fs.unlinkSync(path.join(dir, 'wal', names[1]));
    expect(() => openDisk(dir, { segmentBytes: 300 })).toThrow(/segment 1 is missing/);
  });

  it('a hard state whose commit is beyond the last persisted index', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1, 1, 1, 1, 1]), hardState: { term: 1, vote: 1, commit: 5 } });
    s.close();
    const file = lastSegment(dir);
    fs.truncateSync(file, fs.statSync(file).size - 4); // entry 5 is torn away
    const e = caught(() => openDisk(dir)) as DiskStorageError;
    expect(e).toBeInstanceOf(DiskStorageError);
    expect(e.file).toBe('hardstate');
    expect(e.message).toMatch(/commit 5 but the log ends at 4/);
  });
});

describe('recovery: snapshots', () => {
  it('a corrupt newest snapshot falls back to the previous one without losing entries', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 256 });
    for (let b = 0; b < 6; b++) s.save({ entries: ents(1 + b * 10, Array(10).fill(1 + b)) });
    s.createSnapshot(20, CONF, 'sm@20');
    s.createSnapshot(40, CONF, 'sm@40');
    s.save({ entries: [], hardState: { term: 6, vote: 1, commit: 60 } });
    s.close();
    expect(snapFiles(dir)).toEqual(['0000000000000014.snap', '0000000000000028.snap']);
    flipByte(path.join(dir, 'snap', '0000000000000028.snap'), 30);

    const { s: r, logs } = openDisk(dir, { segmentBytes: 256 });
    expect(logs.join('\n')).toMatch(
      /skipped corrupt snapshot snap\/0000000000000028\.snap: checksum mismatch/,
    );
    expect(r.snapshot().metadata.index).toBe(20);
    expect(r.snapshot().data).toBe('sm@20');
    expect([r.firstIndex(), r.lastIndex()]).toEqual([21, 60]);
    expect(r.term(40)).toBe(4);
    expect(fs.existsSync(path.join(dir, 'snap', '0000000000000028.snap.corrupt'))).toBe(true);
    // It snapshots again at the same index without trouble.
    r.createSnapshot(40, CONF, 'sm@40 again');
    r.close();
    const r2 = openDisk(dir, { segmentBytes: 256 }).s;
    expect(r2.snapshot().data).toBe('sm@40 again');
    r2.close();
  });

  it('a corrupt only snapshot is a clear error', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { retainSnapshots: 1 });
    s.save({ entries: ents(1, [1, 1, 1]) });
    s.createSnapshot(2, CONF, 'sm@2');
    s.close();
    expect(snapFiles(dir)).toEqual(['0000000000000002.snap']);
    flipByte(path.join(dir, 'snap', '0000000000000002.snap'), 12);
    const e = caught(() => openDisk(dir)) as DiskStorageError;
    expect(e).toBeInstanceOf(DiskStorageError);
    expect(e.message).toMatch(/no intact snapshot .*0000000000000002\.snap: checksum mismatch/);
  });

  it('a corrupt installed snapshot cannot fall back to an older log', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1, 1, 1]) });
    s.applySnapshot({ metadata: { index: 10, term: 2, conf: CONF }, data: 'leader@10' });
    s.save({ entries: ents(11, [2]), hardState: { term: 2, vote: 0, commit: 10 } });
    s.close();
    // Only the installed snapshot is left; damage it.
    expect(snapFiles(dir)).toEqual(['000000000000000a.snap']);
    flipByte(path.join(dir, 'snap', '000000000000000a.snap'), 20);
    expect(() => openDisk(dir)).toThrow(DiskStorageError);
  });

  it('leftovers of interrupted writes are ignored: snapshot temp files, superseded segments', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 200 });
    for (let b = 0; b < 4; b++) s.save({ entries: ents(1 + b * 5, Array(5).fill(1)) });
    const oldSegs = segments(dir).map(
      (n) => [n, fs.readFileSync(path.join(dir, 'wal', n))] as const,
    );
    s.applySnapshot({ metadata: { index: 50, term: 3, conf: CONF }, data: 'leader@50' });
    s.save({ entries: ents(51, [3, 3]), hardState: { term: 3, vote: 0, commit: 52 } });
    s.close();
    // A crash before the old segments were deleted, and one in the middle of a snapshot write.
    for (const [n, buf] of oldSegs) fs.writeFileSync(path.join(dir, 'wal', n), buf);
    fs.writeFileSync(path.join(dir, 'snap', '0000000000000040.snap.tmp'), 'half');

    const { s: r } = openDisk(dir, { segmentBytes: 200 });
    expect([r.firstIndex(), r.lastIndex(), r.term(50), r.term(52)]).toEqual([51, 52, 3, 3]);
    expect(segments(dir).length).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'snap'))).toEqual(['0000000000000032.snap']);
    r.close();
  });

  it('an interrupted initialisation (no wal/ yet) starts over', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'wal.tmp'));
    fs.writeFileSync(path.join(dir, 'wal.tmp', 'junk'), 'x');
    const { s } = openDisk(dir);
    expect(s.lastIndex()).toBe(0);
    expect(fs.existsSync(path.join(dir, 'wal.tmp'))).toBe(false);
    s.close();
  });

  it('refuses to initialise over a directory that has state but lost wal/', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1]), hardState: { term: 1, vote: 1, commit: 1 } });
    s.close();
    fs.rmSync(path.join(dir, 'wal'), { recursive: true });
    expect(() => openDisk(dir)).toThrow(/no wal\/ directory; refusing to initialise/);
  });
});
