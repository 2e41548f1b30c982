/**
 * The log strip's runs (cluster/node/log-terms.ts) against a real MemoryStorage: expanded again,
 * they are exactly the stored terms of the newest entries after the snapshot.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../cluster/raft/index.js';
import type { Entry } from '../../cluster/raft/index.js';
import { LOG_TERMS_WINDOW, logTermRuns } from '../../cluster/node/log-terms.js';

function storageWith(terms: readonly number[], compactTo: number): MemoryStorage {
  const s = new MemoryStorage({ voters: [1], learners: [] });
  const entries: Entry[] = terms.map((term, i) => ({
    index: i + 1,
    term,
    type: 'normal',
    data: '',
  }));
  if (entries.length > 0) s.append(entries);
  if (compactTo > 0) s.compact(compactTo);
  return s;
}

function runsOf(s: MemoryStorage, window?: number) {
  return logTermRuns(s.firstIndex() - 1, s.lastIndex(), (i) => s.term(i), window);
}

describe('logTermRuns', () => {
  it('merges entries of one term and starts a run at each new term', () => {
    expect(runsOf(storageWith([1, 1, 2, 2, 2, 5], 0))).toEqual([
      { term: 1, from: 1, to: 2 },
      { term: 2, from: 3, to: 5 },
      { term: 5, from: 6, to: 6 },
    ]);
  });

  it('leaves out what the snapshot covers, and an empty log has no runs', () => {
    expect(runsOf(storageWith([1, 1, 2, 2, 3], 3))).toEqual([
      { term: 2, from: 4, to: 4 },
      { term: 3, from: 5, to: 5 },
    ]);
    expect(runsOf(storageWith([1, 1], 2))).toEqual([]);
    expect(runsOf(storageWith([], 0))).toEqual([]);
  });

  it('covers only the newest entries of a long log', () => {
    const s = storageWith([...Array(300).fill(1), ...Array(50).fill(2)], 0);
    expect(runsOf(s)).toEqual([
      { term: 1, from: 350 - LOG_TERMS_WINDOW + 1, to: 300 },
      { term: 2, from: 301, to: 350 },
    ]);
  });

  it('expands back to the stored terms of the window (property)', () => {
    // Terms never decrease along a log: each entry keeps its predecessor's term or starts a newer one.
    const terms = fc
      .array(fc.boolean(), { maxLength: 120 })
      .map((bumps) => bumps.map((_, i) => 1 + bumps.slice(0, i + 1).filter(Boolean).length));
    fc.assert(
      fc.property(terms, fc.nat(), fc.integer({ min: 1, max: 60 }), (ts, cut, window) => {
        const compactTo = ts.length === 0 ? 0 : cut % (ts.length + 1);
        const s = storageWith(ts, compactTo);
        const runs = runsOf(s, window);
        const expanded: [number, number][] = runs.flatMap((r) =>
          Array.from(
            { length: r.to - r.from + 1 },
            (_, k) => [r.from + k, r.term] as [number, number],
          ),
        );
        const first = Math.max(compactTo + 1, ts.length - window + 1);
        const want: [number, number][] = [];
        for (let i = first; i <= ts.length; i++) want.push([i, ts[i - 1] as number]);
        expect(expanded).toEqual(want);
        for (let i = 1; i < runs.length; i++) {
          expect(runs[i]?.term).not.toBe(runs[i - 1]?.term);
        }
      }),
    );
  });
});
