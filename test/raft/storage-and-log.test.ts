/**
 * The log (Raft paper §5.3, Figure 2's log rules) and its stable storage (§7's compaction):
 * MemoryStorage bounds and errors, then the core's RaftLog over it.
 */
import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../cluster/raft/log.js';
import {
  MemoryStorage,
  StorageRangeError,
  type ConfState,
  type Entry,
} from '../../cluster/raft/index.js';
import { ents } from './harness.js';

const CONF: ConfState = { voters: [1, 2, 3], learners: [] };

function storageWith(terms: number[]): MemoryStorage {
  const s = new MemoryStorage(CONF);
  s.append(ents(1, terms));
  return s;
}

const indexes = (es: readonly Entry[]): number[] => es.map((e) => e.index);

describe('MemoryStorage', () => {
  it('starts empty: firstIndex 1, lastIndex 0, term(0) = 0, the given conf, a zero hard state', () => {
    const s = new MemoryStorage(CONF);
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(0);
    expect(s.term(0)).toBe(0);
    expect(s.initialState()).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, conf: CONF });
    expect(s.snapshot().metadata).toEqual({ index: 0, term: 0, conf: CONF });
  });

  it('returns [lo, hi) and refuses ranges outside the log', () => {
    const s = storageWith([1, 1, 2, 2, 3]);
    expect(indexes(s.entries(2, 4, Infinity))).toEqual([2, 3]);
    expect(indexes(s.entries(1, 6, Infinity))).toEqual([1, 2, 3, 4, 5]);
    expect(() => s.entries(0, 2, Infinity)).toThrow(StorageRangeError);
    expect(() => s.entries(2, 7, Infinity)).toThrow(StorageRangeError);
    expect(s.term(5)).toBe(3);
    expect(() => s.term(6)).toThrow(StorageRangeError);
    expect(() => s.term(-1)).toThrow(StorageRangeError);
  });

  it('limits entries() by maxBytes but always returns at least one entry', () => {
    const s = new MemoryStorage(CONF);
    s.append(
      [1, 2, 3, 4].map((i) => ({
        index: i,
        term: 1,
        type: 'normal' as const,
        data: 'x'.repeat(10),
      })),
    );
    expect(s.entries(1, 5, 25)).toHaveLength(2); // 10 + 10 ≤ 25 < 30
    expect(s.entries(1, 5, 20)).toHaveLength(2); // the limit is inclusive
    expect(s.entries(1, 5, 19)).toHaveLength(1);
    expect(s.entries(1, 5, 0)).toHaveLength(1); // one entry even if it alone is too big
  });

  it('append replaces a conflicting suffix and refuses to leave a gap', () => {
    const s = storageWith([1, 1, 1, 1]);
    s.append(ents(3, [2, 2], 'n'));
    expect(s.lastIndex()).toBe(4);
    expect(s.entries(1, 5, Infinity).map((e) => e.term)).toEqual([1, 1, 2, 2]);
    // A shorter overwrite truncates what follows too (the caller's entries are authoritative).
    s.append(ents(2, [3], 'm'));
    expect(s.lastIndex()).toBe(2);
    expect(() => s.append(ents(4, [3]))).toThrow(StorageRangeError);
    expect(s.lastIndex()).toBe(2);
  });

  it('compact drops entries up to the index but keeps its term answerable', () => {
    const s = storageWith([1, 1, 2, 2, 3]);
    s.compact(3);
    expect(s.firstIndex()).toBe(4);
    expect(s.lastIndex()).toBe(5);
    expect(s.term(3)).toBe(2);
    expect(() => s.term(2)).toThrow(StorageRangeError);
    expect(() => s.entries(3, 5, Infinity)).toThrow(StorageRangeError);
    expect(indexes(s.entries(4, 6, Infinity))).toEqual([4, 5]);
    s.compact(2); // already compacted: a no-op
    expect(s.firstIndex()).toBe(4);
    expect(() => s.compact(6)).toThrow(StorageRangeError);
    // Entries already covered by the compaction point are skipped on append.
    s.append(ents(2, [1, 2, 2, 3, 4]));
    expect(s.firstIndex()).toBe(4);
    expect(s.lastIndex()).toBe(6);
    expect(s.term(6)).toBe(4);
  });

  it('createSnapshot records the term and conf at the index, and refuses one beyond the log', () => {
    const s = storageWith([1, 1, 2, 2, 3]);
    const conf: ConfState = { voters: [1, 2], learners: [3] };
    const snap = s.createSnapshot(4, conf, 'state@4');
    expect(snap).toEqual({ metadata: { index: 4, term: 2, conf }, data: 'state@4' });
    expect(s.snapshot()).toBe(snap);
    // An older (or equal) snapshot request returns the current one unchanged.
    expect(s.createSnapshot(3, CONF, 'older')).toBe(snap);
    expect(() => s.createSnapshot(6, CONF, 'future')).toThrow(StorageRangeError);
    // createSnapshot alone keeps the entries; compact drops them.
    expect(s.firstIndex()).toBe(1);
    expect(s.initialState().conf).toEqual(conf);
  });

  it('applySnapshot replaces the whole log and ignores an older snapshot', () => {
    const s = storageWith([1, 1, 2]);
    const conf: ConfState = { voters: [1, 2, 3, 4], learners: [] };
    s.applySnapshot({ metadata: { index: 10, term: 4, conf }, data: 'big' });
    expect(s.firstIndex()).toBe(11);
    expect(s.lastIndex()).toBe(10);
    expect(s.term(10)).toBe(4);
    expect(() => s.term(3)).toThrow(StorageRangeError);
    expect(s.initialState().conf).toEqual(conf);
    s.applySnapshot({ metadata: { index: 7, term: 3, conf: CONF }, data: 'old' });
    expect(s.snapshot().data).toBe('big');
    expect(s.lastIndex()).toBe(10);
    s.append(ents(11, [4, 5]));
    expect(s.lastIndex()).toBe(12);
  });

  it('keeps the hard state it is given', () => {
    const s = new MemoryStorage(CONF);
    s.setHardState({ term: 3, vote: 2, commit: 0 });
    expect(s.initialState().hardState).toEqual({ term: 3, vote: 2, commit: 0 });
    expect(s.getHardState()).toEqual({ term: 3, vote: 2, commit: 0 });
  });
});

describe('RaftLog', () => {
  // The log of etcd-io/raft's TestFindConflictByTerm: terms 1 1 1 4 4 5 5 6 6 6 at 1..10.
  const FIG7_TERMS = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];

  it('starts with committed = applied = the snapshot index', () => {
    const s = storageWith([1, 1, 2, 2]);
    s.createSnapshot(2, CONF, '');
    s.compact(2);
    const log = new RaftLog(s);
    expect(log.committed).toBe(2);
    expect(log.applied).toBe(2);
    expect(log.firstIndex()).toBe(3);
    expect(log.lastIndex()).toBe(4);
    expect(log.term(2)).toBe(1);
    expect(log.term(1)).toBeUndefined();
    expect(log.term(5)).toBeUndefined();
  });

  it('findConflictByTerm: the last index ≤ the probed one whose term is ≤ the given term', () => {
    const log = new RaftLog(storageWith(FIG7_TERMS));
    const cases: [index: number, term: number, want: number][] = [
      [10, 6, 10],
      [10, 5, 7],
      [10, 4, 5],
      [10, 3, 3],
      [10, 2, 3],
      [8, 5, 7],
      [7, 4, 5],
      [3, 6, 3], // the probed index already qualifies
      [4, 1, 3],
      [10, 0, 0], // nothing qualifies: the dummy at index 0
      [15, 6, 10], // beyond the log: start from the last index
    ];
    for (const [index, term, want] of cases) {
      expect(log.findConflictByTerm(index, term), `findConflictByTerm(${index}, ${term})`).toBe(
        want,
      );
    }
  });

  it('findConflictByTerm stops at the snapshot point of a compacted log', () => {
    const s = storageWith(FIG7_TERMS);
    s.createSnapshot(4, CONF, '');
    s.compact(4);
    const log = new RaftLog(s);
    expect(log.findConflictByTerm(10, 5)).toBe(7);
    expect(log.findConflictByTerm(10, 4)).toBe(5);
    // Everything we still hold is newer than term 3: the answer is the snapshot point, which
    // the leader treats as "may match" (and falls back to a snapshot if it does not).
    expect(log.findConflictByTerm(10, 3)).toBe(4);
    expect(log.findConflictByTerm(10, 0)).toBe(4);
  });

  it('isUpToDate compares the last term first, then the last index (§5.4.1)', () => {
    const log = new RaftLog(storageWith([1, 2, 2])); // last (3, term 2)
    expect(log.isUpToDate(1, 3)).toBe(true); // higher term, shorter log
    expect(log.isUpToDate(3, 2)).toBe(true); // same
    expect(log.isUpToDate(4, 2)).toBe(true); // same term, longer
    expect(log.isUpToDate(2, 2)).toBe(false); // same term, shorter
    expect(log.isUpToDate(9, 1)).toBe(false); // lower term, however long
  });

  it('maybeAppend refuses when (prevIndex, prevTerm) does not match', () => {
    const log = new RaftLog(storageWith([1, 2, 2]));
    expect(log.maybeAppend(3, 3, 3, ents(4, [3]))).toBe(-1); // wrong prev term
    expect(log.maybeAppend(4, 2, 3, ents(5, [3]))).toBe(-1); // prev beyond our log
    expect(log.lastIndex()).toBe(3);
    expect(log.committed).toBe(0);
  });

  it('maybeAppend truncates the conflicting suffix and appends the new entries', () => {
    const s = storageWith([1, 2, 2, 2]);
    const log = new RaftLog(s);
    expect(log.maybeAppend(1, 1, 0, ents(2, [3, 3], 'n'))).toBe(3);
    expect(log.lastIndex()).toBe(3);
    expect([1, 2, 3].map((i) => log.term(i))).toEqual([1, 3, 3]);
    expect(log.term(4)).toBeUndefined(); // the stale entry 4 is gone from the core's view
    // The unstable tail starts at the conflict; persisting it truncates the storage as well.
    expect(indexes(log.unstableEntries())).toEqual([2, 3]);
    s.append(log.unstableEntries());
    log.stableTo(3, 3);
    expect(log.unstableEntries()).toEqual([]);
    expect(s.lastIndex()).toBe(3);
    expect(s.term(2)).toBe(3);
  });

  it('maybeAppend keeps a longer matching log: entries already present never truncate it', () => {
    const log = new RaftLog(storageWith([1, 2, 2, 2]));
    // A delayed, shorter append whose entries we already hold.
    expect(log.maybeAppend(1, 1, 0, ents(2, [2]))).toBe(2);
    expect(log.lastIndex()).toBe(4);
    expect(log.unstableEntries()).toEqual([]);
    // An empty append (a probe) matching in the middle of the log.
    expect(log.maybeAppend(2, 2, 0, [])).toBe(2);
    expect(log.lastIndex()).toBe(4);
  });

  it('maybeAppend commits min(leader commit, last new index) and never regresses', () => {
    const log = new RaftLog(storageWith([1, 1, 1, 1, 1]));
    // The leader's commit is further than what this append proves we hold: only up to lastNew.
    expect(log.maybeAppend(1, 1, 5, ents(2, [1]))).toBe(2);
    expect(log.committed).toBe(2);
    expect(log.maybeAppend(4, 1, 4, [])).toBe(4);
    expect(log.committed).toBe(4);
    // A stale append carrying an older commit does not move it back.
    expect(log.maybeAppend(1, 1, 1, ents(2, [1]))).toBe(2);
    expect(log.committed).toBe(4);
    log.commitTo(3);
    expect(log.committed).toBe(4);
    expect(() => log.commitTo(9)).toThrow(/beyond the last index/);
  });

  it('maybeAppend refuses to overwrite a committed entry', () => {
    const log = new RaftLog(storageWith([1, 1, 1]));
    log.commitTo(3);
    expect(() => log.maybeAppend(1, 1, 3, ents(2, [2, 2]))).toThrow(/conflicts with committed/);
    expect(log.term(2)).toBe(1);
  });

  it('maybeCommit only commits entries of the given term (the Figure-8 rule)', () => {
    const log = new RaftLog(storageWith([1, 1, 2, 3]));
    expect(log.maybeCommit(3, 3)).toBe(false); // index 3 is of term 2
    expect(log.committed).toBe(0);
    expect(log.maybeCommit(4, 3)).toBe(true);
    expect(log.committed).toBe(4);
    expect(log.maybeCommit(2, 1)).toBe(false); // never backwards
    expect(log.committed).toBe(4);
  });

  it('appliedTo stays within [applied, committed]', () => {
    const log = new RaftLog(storageWith([1, 1, 1]));
    log.commitTo(2);
    expect(() => log.appliedTo(3)).toThrow(/out of range/);
    log.appliedTo(2);
    expect(log.applied).toBe(2);
    expect(() => log.appliedTo(1)).toThrow(/out of range/);
  });

  it('entriesFrom respects maxCount and maxBytes and says undefined for a compacted index', () => {
    const s = storageWith([1, 1, 1, 1]);
    const log = new RaftLog(s);
    log.append(ents(5, [2, 2])); // 5..6 unstable, 1..4 stable
    expect(indexes(log.entriesFrom(3, 10, Infinity)!)).toEqual([3, 4, 5, 6]);
    expect(indexes(log.entriesFrom(3, 3, Infinity)!)).toEqual([3, 4, 5]);
    expect(indexes(log.entriesFrom(3, 10, 4)!)).toEqual([3, 4]); // 'e3' + 'e4' = 4 bytes
    expect(indexes(log.entriesFrom(3, 10, 0)!)).toEqual([3]);
    expect(log.entriesFrom(7, 10, Infinity)).toEqual([]);
    s.createSnapshot(2, CONF, '');
    s.compact(2);
    expect(log.entriesFrom(2, 10, Infinity)).toBeUndefined();
    expect(indexes(log.entriesFrom(3, 10, Infinity)!)).toEqual([3, 4, 5, 6]);
  });

  it('hands out committed entries once, after what was already handed out', () => {
    const log = new RaftLog(storageWith([1, 1, 1, 1]));
    log.commitTo(3);
    expect(log.hasNextCommittedEnts(0)).toBe(true);
    expect(indexes(log.nextCommittedEnts(0, Infinity))).toEqual([1, 2, 3]);
    expect(indexes(log.nextCommittedEnts(2, Infinity))).toEqual([3]);
    expect(log.hasNextCommittedEnts(3)).toBe(false);
    expect(log.nextCommittedEnts(3, Infinity)).toEqual([]);
  });

  it('restore installs a snapshot: everything up to it is committed and the tail is dropped', () => {
    const log = new RaftLog(storageWith([1, 1, 1]));
    log.append(ents(4, [1]));
    const conf: ConfState = { voters: [1, 2, 3], learners: [] };
    log.restore({ metadata: { index: 20, term: 5, conf }, data: 'snap' });
    expect(log.committed).toBe(20);
    expect(log.firstIndex()).toBe(21);
    expect(log.lastIndex()).toBe(20);
    expect(log.term(20)).toBe(5);
    expect(log.term(3)).toBeUndefined();
    expect(log.unstableEntries()).toEqual([]);
    expect(log.unstableSnapshot()?.data).toBe('snap');
    log.stableSnapTo(20);
    expect(log.unstableSnapshot()).toBeUndefined();
  });
});
