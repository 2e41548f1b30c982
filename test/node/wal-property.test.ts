/**
 * DiskStorage against its reference, MemoryStorage: seeded random sequences of appends (with
 * conflicting suffixes and entries the snapshot covers), hard-state changes, local snapshots with
 * compaction, installed snapshots and reopens must give identical answers from both after every
 * step. Tiny segments make rolling and segment deletion frequent.
 */
import { describe, expect, it } from 'vitest';
import {
  MemoryStorage,
  StorageRangeError,
  type ConfState,
  type Entry,
  type HardState,
  type Snapshot,
  type Storage,
} from '../../cluster/raft/index.js';
import type { DiskStorage, DiskStorageOptions } from '../../cluster/node/wal/index.js';
import { CONF, openDisk, snapFiles, tempDir } from './wal-harness.js';

/** mulberry32: small, seeded, good enough to pick operations. */
function rng(seed: number): { int(n: number): number; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { int: (n) => Math.floor(next() * n), chance: (p) => next() < p };
}

const ALPHABET = 'abcxyz {}":,0123456789éß日本🚀';

function outcome<T>(fn: () => T): T | 'range-error' {
  try {
    return fn();
  } catch (e) {
    if (e instanceof StorageRangeError) return 'range-error';
    throw e;
  }
}

/** Everything the core can ask, from both, must be equal. */
function expectSame(
  disk: Storage & { getHardState(): HardState },
  mem: MemoryStorage,
  r: ReturnType<typeof rng>,
  where: string,
): void {
  const first = mem.firstIndex();
  const last = mem.lastIndex();
  expect([disk.firstIndex(), disk.lastIndex()], where).toEqual([first, last]);
  expect(disk.snapshot(), where).toEqual(mem.snapshot());
  expect(disk.initialState(), where).toEqual(mem.initialState());
  expect(disk.getHardState(), where).toEqual(mem.getHardState());
  for (let i = Math.max(0, first - 2); i <= last + 1; i++)
    expect(
      outcome(() => disk.term(i)),
      `${where} term(${i})`,
    ).toEqual(outcome(() => mem.term(i)));
  if (last >= first)
    expect(disk.entries(first, last + 1, Infinity), where).toEqual(
      mem.entries(first, last + 1, Infinity),
    );
  const lo = first - 1 + r.int(last - first + 3);
  const hi = lo + 1 + r.int(6);
  const maxBytes = r.int(60);
  expect(
    outcome(() => disk.entries(lo, hi, maxBytes)),
    `${where} entries(${lo}, ${hi}, ${maxBytes})`,
  ).toEqual(outcome(() => mem.entries(lo, hi, maxBytes)));
}

function runSeed(
  seed: number,
  steps: number,
): { reopens: number; snapshots: number; installs: number } {
  const r = rng(seed);
  const dir = tempDir();
  const opts: Partial<DiskStorageOptions> = {
    segmentBytes: 200 + r.int(800),
    retainSnapshots: 1 + r.int(2),
  };
  let disk: DiskStorage = openDisk(dir, opts).s;
  const mem = new MemoryStorage(CONF);
  let term = 1;
  let commit = 0;
  let vote = 0;
  const stats = { reopens: 0, snapshots: 0, installs: 0 };
  const randomData = (): string => {
    const n = r.int(30);
    let s = '';
    for (let k = 0; k < n; k++) s += ALPHABET[r.int(ALPHABET.length)];
    return s;
  };
  const randomEntries = (from: number): Entry[] => {
    const out: Entry[] = [];
    const n = 1 + r.int(6);
    for (let k = 0; k < n; k++)
      out.push({
        index: from + k,
        term,
        type: r.chance(0.1) ? 'conf' : 'normal',
        data: randomData(),
      });
    return out;
  };
  const hard = (): HardState => {
    commit = Math.min(commit, mem.lastIndex());
    return { term, vote, commit };
  };
  const randomConf = (): ConfState =>
    r.chance(0.5)
      ? CONF
      : { voters: [1, 2, 3].slice(0, 1 + r.int(3)), learners: r.chance(0.5) ? [4] : [] };

  for (let step = 0; step < steps; step++) {
    const where = `seed ${seed} step ${step}`;
    const op = r.int(100);
    if (op < 45) {
      // Append at the end, or replace a suffix; sometimes starting inside the snapshot.
      if (r.chance(0.15)) term++;
      const first = mem.firstIndex();
      const from = Math.max(1, first - 2 + r.int(mem.lastIndex() - first + 4));
      const batch = randomEntries(from);
      mem.append(batch);
      // The hard state goes along when it changed (commit must never exceed the log), or at times.
      const before = commit;
      if (r.chance(0.2)) commit = Math.max(commit, r.int(mem.lastIndex() + 1));
      const hs = hard();
      if (commit !== before || r.chance(0.2)) {
        mem.setHardState(hs);
        disk.save({ entries: batch, hardState: hs });
      } else {
        disk.save({ entries: batch });
      }
    } else if (op < 55) {
      // A gap is refused by both, and changes nothing.
      const batch = randomEntries(mem.lastIndex() + 2 + r.int(3));
      expect(() => mem.append(batch)).toThrow(StorageRangeError);
      expect(() => disk.save({ entries: batch })).toThrow(StorageRangeError);
    } else if (op < 65) {
      vote = r.int(4);
      commit = r.int(mem.lastIndex() + 1);
      const hs = hard();
      mem.setHardState(hs);
      disk.save({ entries: [], hardState: hs });
    } else if (op < 78) {
      const snapIndex = mem.snapshot().metadata.index;
      if (mem.lastIndex() > snapIndex) {
        const index = snapIndex + 1 + r.int(mem.lastIndex() - snapIndex);
        const conf = randomConf();
        const data = `sm@${index}:${randomData()}`;
        mem.createSnapshot(index, conf, data);
        mem.compact(index);
        disk.createSnapshot(index, conf, data);
        stats.snapshots++;
      }
    } else if (op < 84) {
      // Install a leader's snapshot, maybe with entries after it in the same Ready.
      const index = Math.max(mem.snapshot().metadata.index + 1, mem.lastIndex() - 3 + r.int(10));
      term += r.int(2);
      const snap: Snapshot = {
        metadata: { index, term, conf: randomConf() },
        data: `leader@${index}`,
      };
      const after = r.chance(0.5) ? randomEntries(index + 1) : [];
      mem.applySnapshot(snap);
      mem.append(after);
      commit = Math.max(commit, index);
      const hs = hard();
      mem.setHardState(hs);
      disk.save({ snapshot: snap, entries: after, hardState: hs });
      stats.installs++;
    } else {
      disk.close();
      disk = openDisk(dir, opts).s;
      stats.reopens++;
    }
    expectSame(disk, mem, r, where);
    expect(snapFiles(dir).length).toBeLessThanOrEqual(opts.retainSnapshots!);
  }
  disk.close();
  const final = openDisk(dir, opts);
  expectSame(final.s, mem, r, `seed ${seed} final reopen`);
  expect(final.logs).toEqual([]);
  final.s.close();
  return stats;
}

describe('DiskStorage behaves like MemoryStorage', () => {
  it('over seeded random histories with reopens', () => {
    const total = { reopens: 0, snapshots: 0, installs: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const s = runSeed(seed, 100);
      total.reopens += s.reopens;
      total.snapshots += s.snapshots;
      total.installs += s.installs;
    }
    // The histories exercised what they are meant to.
    expect(total.reopens).toBeGreaterThan(60);
    expect(total.snapshots).toBeGreaterThan(45);
    expect(total.installs).toBeGreaterThan(20);
  });
});
