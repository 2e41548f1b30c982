/**
 * DiskStorage on real files: the CRC, a new directory, round trips through close and reopen,
 * conflicting suffixes, segment rolling, compaction, installed snapshots, the hard-state file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStorage, StorageRangeError, type Snapshot } from '../../cluster/raft/index.js';
import { crc32c, DiskStorageError } from '../../cluster/node/wal/index.js';
import { CONF, ents, openDisk, segments, snapFiles, tempDir } from './wal-harness.js';

describe('crc32c', () => {
  it('matches the Castagnoli check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
  });

  it('is unsigned and sensitive to a single bit', () => {
    const a = Buffer.from('raftboard');
    const b = Buffer.from(a);
    b[3] ^= 1;
    expect(crc32c(a)).toBeGreaterThanOrEqual(0);
    expect(crc32c(a)).not.toBe(crc32c(b));
  });
});

describe('DiskStorage: a new directory', () => {
  it('starts like new MemoryStorage(bootstrap) and lays out its files', () => {
    const dir = path.join(tempDir(), 'node1');
    const { s } = openDisk(dir);
    const m = new MemoryStorage(CONF);
    expect(s.initialState()).toEqual(m.initialState());
    expect(s.snapshot()).toEqual(m.snapshot());
    expect([s.firstIndex(), s.lastIndex(), s.term(0)]).toEqual([1, 0, 0]);
    expect(() => s.term(1)).toThrow(StorageRangeError);
    expect(fs.existsSync(path.join(dir, 'hardstate'))).toBe(true);
    expect(snapFiles(dir)).toEqual(['0000000000000000.snap']);
    expect(segments(dir)).toEqual(['0000000000000000-0000000000000001.wal']);
    s.close();
  });

  it('keeps the configuration it was initialised with when reopened with another bootstrap', () => {
    const dir = tempDir();
    openDisk(dir).s.close();
    const { s } = openDisk(dir, { bootstrap: { voters: [9], learners: [] } });
    expect(s.initialState().conf).toEqual(CONF);
    s.close();
  });
});

describe('DiskStorage: round trips', () => {
  it('returns the same entries, terms and hard state after a reopen', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    const batch = [
      ...ents(1, [1, 1, 2]),
      { index: 4, term: 2, type: 'conf' as const, data: '{"type":"addLearner","nodeId":4}' },
      { index: 5, term: 3, type: 'normal' as const, data: 'ünïcødé ✓ 日本 🚀' },
      { index: 6, term: 3, type: 'normal' as const, data: '' },
    ];
    s.save({ entries: batch.slice(0, 2), hardState: { term: 1, vote: 2, commit: 1 } });
    s.save({ entries: batch.slice(2), hardState: { term: 3, vote: 3, commit: 5 } });
    s.close();

    const { s: r, logs } = openDisk(dir);
    expect(logs).toEqual([]);
    expect(r.entries(1, 7, Infinity)).toEqual(batch);
    expect([r.firstIndex(), r.lastIndex()]).toEqual([1, 6]);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => r.term(i))).toEqual([0, 1, 1, 2, 2, 3, 3]);
    expect(r.initialState()).toEqual({ hardState: { term: 3, vote: 3, commit: 5 }, conf: CONF });
    expect(r.entries(1, 7, 10).length).toBeLessThan(6); // maxBytes as MemoryStorage applies it
    r.close();
  });

  it('keeps strings UTF-8 cannot carry (lone surrogates) exactly, in entries and snapshots', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    const odd = ['\ud800', 'a\udc00b', '🚀'.slice(0, 1) + 'x', '{"k":"\udbff"}'];
    s.save({
      entries: odd.map((data, k) => ({ index: k + 1, term: 1, type: 'normal' as const, data })),
    });
    s.createSnapshot(2, CONF, 'state \ud83d');
    s.close();
    const { s: r } = openDisk(dir);
    expect(r.entries(3, 5, Infinity).map((e) => e.data)).toEqual(odd.slice(2));
    expect(r.snapshot().data).toBe('state \ud83d');
    r.close();
  });

  it('keeps a conflicting suffix replacement across reopens', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]) });
    s.save({ entries: ents(6, [2, 2, 2], 'new'), hardState: { term: 2, vote: 0, commit: 5 } });
    expect(s.lastIndex()).toBe(8);
    s.close();

    const { s: r } = openDisk(dir);
    expect(r.lastIndex()).toBe(8);
    expect(r.entries(1, 9, Infinity)).toEqual([
      ...ents(1, [1, 1, 1, 1, 1]),
      ...ents(6, [2, 2, 2], 'new'),
    ]);
    // Another replacement after the reopen, then a plain append.
    r.save({ entries: ents(8, [3], 'third') });
    r.save({ entries: ents(9, [3, 3], 'third') });
    r.close();

    const { s: r2 } = openDisk(dir);
    expect(r2.entries(6, 11, Infinity).map((e) => [e.index, e.term, e.data])).toEqual([
      [6, 2, 'newe6t2'],
      [7, 2, 'newe7t2'],
      [8, 3, 'thirde8t3'],
      [9, 3, 'thirde9t3'],
      [10, 3, 'thirde10t3'],
    ]);
    r2.close();
  });

  it('spreads many records over several segments and reads them all back', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 512 });
    const all = [];
    for (let b = 0; b < 40; b++) {
      const batch = ents(
        1 + b * 5,
        [1, 1, 2, 2, 2].map((t) => t + Math.floor(b / 10)),
        `b${b}-`,
      );
      all.push(...batch);
      s.save({
        entries: batch,
        hardState: { term: 1 + Math.floor(b / 10), vote: 1, commit: b * 5 },
      });
    }
    s.close();
    const names = segments(dir);
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) {
      const size = fs.statSync(path.join(dir, 'wal', n)).size;
      expect(size).toBeLessThanOrEqual(512);
    }
    // Names: consecutive sequence numbers, first index of each = the entry it starts with.
    names.forEach((n, k) => expect(parseInt(n.slice(0, 16), 16)).toBe(k));
    expect(names.map((n) => parseInt(n.slice(17, 33), 16))).toEqual(
      [...names.map((n) => parseInt(n.slice(17, 33), 16))].sort((a, b) => a - b),
    );

    const { s: r } = openDisk(dir, { segmentBytes: 512 });
    expect(r.lastIndex()).toBe(200);
    expect(r.entries(1, 201, Infinity)).toEqual(all);
    expect(r.getHardState()).toEqual({ term: 4, vote: 1, commit: 195 });
    r.close();
  });

  it('writes a record bigger than a segment alone in its own segment', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 100 });
    const big = { index: 2, term: 1, type: 'normal' as const, data: 'x'.repeat(1000) };
    s.save({ entries: [...ents(1, [1]), big, ...ents(3, [1])] });
    s.close();
    expect(segments(dir).length).toBe(3);
    const { s: r } = openDisk(dir, { segmentBytes: 100 });
    expect(r.entries(2, 3, Infinity)).toEqual([big]);
    r.close();
  });

  it('ignores entries the snapshot covers and refuses a gap, staying usable', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1, 1, 1, 1]) });
    s.createSnapshot(3, CONF, 'sm@3');
    s.save({ entries: ents(2, [1, 1]) }); // all ≤ 3: nothing to do
    expect(s.lastIndex()).toBe(4);
    expect(() => s.save({ entries: ents(7, [1]) })).toThrow(StorageRangeError);
    s.save({ entries: ents(3, [1, 1, 2]) }); // 3 is skipped, 4 and 5 land
    expect(s.entries(4, 6, Infinity).map((e) => e.term)).toEqual([1, 2]);
    s.close();
    const { s: r } = openDisk(dir);
    expect([r.firstIndex(), r.lastIndex(), r.term(5)]).toEqual([4, 5, 2]);
    r.close();
  });
});

describe('DiskStorage: snapshots and compaction', () => {
  it('createSnapshotAsync: the same snapshot, compaction and file as createSnapshot', async () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    for (let b = 0; b < 10; b++) s.save({ entries: ents(1 + b * 10, Array(10).fill(1 + b)) });
    const data = 'x'.repeat(9 << 20); // three CRC slices
    const snap = await s.createSnapshotAsync(50, CONF, data, 5);
    expect(snap.metadata).toEqual({ index: 50, term: 5, conf: CONF });
    expect([s.firstIndex(), s.lastIndex(), s.snapshot().data.length]).toEqual([
      46,
      100,
      data.length,
    ]);
    s.close();
    const { s: r } = openDisk(dir);
    expect(r.snapshot().metadata.index).toBe(50);
    expect(r.snapshot().data).toBe(data);
    r.close();
  });

  it('createSnapshotAsync gives up when a newer snapshot was installed meanwhile', async () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, Array(20).fill(1)) });
    const pending = s.createSnapshotAsync(10, CONF, 'mine@10');
    s.applySnapshot({ metadata: { index: 30, term: 2, conf: CONF }, data: 'leader@30' });
    const got = await pending;
    expect(got.metadata.index).toBe(30);
    expect(got.data).toBe('leader@30');
    expect(snapFiles(dir)).not.toContain('000000000000000a.snap');
    s.close();
    const { s: r } = openDisk(dir);
    expect(r.snapshot().data).toBe('leader@30');
    r.close();
  });

  it('keeps catch-up entries behind a new snapshot, and starts from the snapshot after a reopen', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    for (let b = 0; b < 10; b++) s.save({ entries: ents(1 + b * 10, Array(10).fill(1 + b)) });
    const snap = s.createSnapshot(50, CONF, 'state@50', 20);
    expect(snap.metadata.index).toBe(50);
    // Entries 31..50 stay for a follower that is behind the snapshot; 30 and below are gone.
    expect([s.firstIndex(), s.lastIndex(), s.term(31), s.term(50)]).toEqual([31, 100, 4, 5]);
    expect(s.entries(31, 34, Infinity).map((e) => e.index)).toEqual([31, 32, 33]);
    expect(() => s.entries(30, 32, Infinity)).toThrow(StorageRangeError);
    // A later snapshot moves the kept tail along; more than is there keeps everything there.
    s.createSnapshot(90, CONF, 'state@90', 200);
    expect(s.firstIndex()).toBe(31);
    s.createSnapshot(95, CONF, 'state@95', 5);
    expect([s.firstIndex(), s.snapshot().metadata.index]).toEqual([91, 95]);
    s.close();
    const { s: r } = openDisk(dir);
    expect([r.firstIndex(), r.lastIndex(), r.snapshot().data]).toEqual([96, 100, 'state@95']);
    r.close();
  });

  it('compacts memory, keeps term(snapshot index), and deletes segments the kept snapshots cover', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 256 });
    for (let b = 0; b < 10; b++) s.save({ entries: ents(1 + b * 10, Array(10).fill(1 + b)) });
    const before = segments(dir);
    expect(before.length).toBeGreaterThan(6);

    const snap = s.createSnapshot(50, CONF, 'state@50');
    expect(snap.metadata).toEqual({ index: 50, term: 5, conf: CONF });
    expect([s.firstIndex(), s.lastIndex(), s.term(50)]).toEqual([51, 100, 5]);
    expect(() => s.term(49)).toThrow(StorageRangeError);
    expect(() => s.entries(50, 52, Infinity)).toThrow(StorageRangeError);
    // Two snapshots kept (0 and 50): segments are cut below the older one, i.e. nothing yet.
    expect(snapFiles(dir)).toEqual(['0000000000000000.snap', '0000000000000032.snap']);
    expect(segments(dir)).toEqual(before);

    s.createSnapshot(80, CONF, 'state@80');
    expect(snapFiles(dir)).toEqual(['0000000000000032.snap', '0000000000000050.snap']);
    const after = segments(dir);
    expect(after.length).toBeLessThan(before.length);
    // Every remaining segment holds something above 50 (the older kept snapshot) or is the last.
    expect(parseInt(after[0].slice(17, 33), 16)).toBeLessThanOrEqual(51);
    expect([s.firstIndex(), s.term(80)]).toEqual([81, 8]);
    s.close();

    const { s: r } = openDisk(dir, { segmentBytes: 256 });
    expect(r.snapshot()).toEqual({
      metadata: { index: 80, term: 8, conf: CONF },
      data: 'state@80',
    });
    expect([r.firstIndex(), r.lastIndex(), r.term(80)]).toEqual([81, 100, 8]);
    expect(r.entries(81, 101, Infinity)).toEqual([
      ...ents(81, Array(10).fill(9)),
      ...ents(91, Array(10).fill(10)),
    ]);
    r.close();
  });

  it('with retainSnapshots 1 deletes segments below the latest snapshot at once', () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 256, retainSnapshots: 1 });
    for (let b = 0; b < 6; b++) s.save({ entries: ents(1 + b * 10, Array(10).fill(1)) });
    const before = segments(dir).length;
    s.createSnapshot(55, CONF, 'x');
    expect(snapFiles(dir)).toEqual(['0000000000000037.snap']);
    expect(segments(dir).length).toBeLessThan(before);
    s.close();
    const { s: r } = openDisk(dir, { segmentBytes: 256, retainSnapshots: 1 });
    expect([r.firstIndex(), r.lastIndex(), r.term(55)]).toEqual([56, 60, 1]);
    r.close();
  });

  it('createSnapshot refuses an index past the log and ignores one not newer', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1, 1, 1]) });
    expect(() => s.createSnapshot(4, CONF, '')).toThrow(StorageRangeError);
    const a = s.createSnapshot(2, CONF, 'a');
    expect(s.createSnapshot(2, CONF, 'b')).toBe(a);
    expect(s.createSnapshot(1, CONF, 'c')).toBe(a);
    s.close();
  });

  it("applySnapshot replaces the whole log, and the leader's entries follow it", () => {
    const dir = tempDir();
    const { s } = openDisk(dir, { segmentBytes: 200 });
    for (let b = 0; b < 5; b++) s.save({ entries: ents(1 + b * 4, [1, 1, 1, 1]) });
    s.createSnapshot(5, CONF, 'local@5');
    const conf2 = { voters: [1, 2, 3], learners: [4] };
    const snap: Snapshot = { metadata: { index: 30, term: 4, conf: conf2 }, data: 'leader@30' };
    s.save({
      snapshot: snap,
      entries: ents(31, [4, 4]),
      hardState: { term: 4, vote: 0, commit: 30 },
    });
    expect(s.snapshot()).toEqual(snap);
    expect([s.firstIndex(), s.lastIndex(), s.term(30), s.term(32)]).toEqual([31, 32, 4, 4]);
    expect(s.initialState().conf).toEqual(conf2);
    expect(snapFiles(dir)).toEqual(['000000000000001e.snap']);
    expect(segments(dir).length).toBe(1);
    expect(segments(dir)[0]).toMatch(/-000000000000001f\.wal$/);
    // An older or equal snapshot is ignored.
    s.applySnapshot({ metadata: { index: 30, term: 9, conf: CONF }, data: 'old' });
    expect(s.snapshot()).toEqual(snap);
    s.close();

    const { s: r } = openDisk(dir, { segmentBytes: 200 });
    expect(r.snapshot()).toEqual(snap);
    expect(r.initialState()).toEqual({ hardState: { term: 4, vote: 0, commit: 30 }, conf: conf2 });
    expect(r.entries(31, 33, Infinity)).toEqual(ents(31, [4, 4]));
    r.close();
  });

  it('applySnapshot inside the log drops the entries after it too (as MemoryStorage does)', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1, 1, 1, 1, 1, 1]) });
    s.applySnapshot({ metadata: { index: 3, term: 1, conf: CONF }, data: 'at3' });
    expect([s.firstIndex(), s.lastIndex()]).toEqual([4, 3]);
    s.close();
    const { s: r } = openDisk(dir);
    expect([r.firstIndex(), r.lastIndex(), r.term(3)]).toEqual([4, 3, 1]);
    r.close();
  });
});

describe('DiskStorage: the hard-state file', () => {
  it('is replaced atomically: a leftover temp file is ignored and removed', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [2, 2]), hardState: { term: 2, vote: 1, commit: 2 } });
    s.close();
    // A crash in the middle of the next replacement: the temp file is half-written.
    fs.writeFileSync(path.join(dir, 'hardstate.tmp'), Buffer.from([0x20, 0, 0, 0, 1, 2]));
    const { s: r } = openDisk(dir);
    expect(r.getHardState()).toEqual({ term: 2, vote: 1, commit: 2 });
    expect(fs.existsSync(path.join(dir, 'hardstate.tmp'))).toBe(false);
    r.save({ entries: [], hardState: { term: 3, vote: 2, commit: 2 } });
    r.close();
    const r2 = openDisk(dir).s;
    expect(r2.getHardState()).toEqual({ term: 3, vote: 2, commit: 2 });
    r2.close();
  });

  it('a save without a hard state keeps the previous one', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1]), hardState: { term: 1, vote: 1, commit: 0 } });
    s.save({ entries: ents(2, [1]) });
    s.close();
    const r = openDisk(dir).s;
    expect(r.getHardState()).toEqual({ term: 1, vote: 1, commit: 0 });
    r.close();
  });

  it('a corrupt hard-state file stops the node', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.save({ entries: ents(1, [1]), hardState: { term: 1, vote: 1, commit: 1 } });
    s.close();
    const file = path.join(dir, 'hardstate');
    const buf = fs.readFileSync(file);
    buf[buf.length - 2] ^= 0x01;
    fs.writeFileSync(file, buf);
    expect(() => openDisk(dir)).toThrow(DiskStorageError);
    expect(() => openDisk(dir)).toThrow(/hardstate .*corrupt: checksum mismatch/);
  });

  it('refuses writes after close', () => {
    const dir = tempDir();
    const { s } = openDisk(dir);
    s.close();
    expect(() => s.save({ entries: ents(1, [1]) })).toThrow(/closed/);
  });
});

describe('crc32cInSlices', () => {
  it('equals crc32c of the whole buffer, across slice boundaries', async () => {
    const { crc32cInSlices } = await import('../../cluster/node/wal/crc32c.js');
    const buf = Buffer.alloc(10_007);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 31 + 7) & 0xff;
    for (const slice of [1, 64, 4_096, 10_007, 1 << 20]) {
      expect(await crc32cInSlices(buf, slice)).toBe(crc32c(buf));
    }
    expect(await crc32cInSlices(Buffer.alloc(0))).toBe(crc32c(Buffer.alloc(0)));
  });
});
