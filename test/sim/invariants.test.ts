import { describe, expect, it } from 'vitest';
import type { Entry } from '../../cluster/raft/index.js';
import { InvariantChecker, type LogView } from '../../cluster/sim/invariants.js';
import { chainHash } from '../../cluster/sim/statemachine.js';

const ent = (index: number, term: number, data = `x${index}`): Entry => ({
  index,
  term,
  type: 'normal',
  data,
});

/** A log view from a list of terms (terms[i] is the term at index i+1). */
const logOf = (terms: number[], snapshotIndex = 0): LogView => ({
  snapshotIndex,
  lastIndex: terms.length,
  term: (i) => (i > snapshotIndex && i <= terms.length ? terms[i - 1] : undefined),
});

function checker() {
  const clock = { step: 0, time: 0 };
  const c = new InvariantChecker(() => clock);
  /** Feeds node `id` applying `entries` (commit raised to cover them), chaining hashes. */
  const hashes = new Map<number, number>();
  const apply = (id: number, entries: Entry[]): void => {
    c.onCommit(id, entries[entries.length - 1].index);
    for (const e of entries) {
      const h = chainHash(hashes.get(id) ?? 0, e);
      hashes.set(id, h);
      c.onApply(id, e, h);
    }
  };
  return { c, clock, apply, hashes };
}

describe('InvariantChecker', () => {
  it('accepts a consistent history', () => {
    const { c, apply, hashes } = checker();
    c.onLeader(1, 1, logOf([]));
    c.onPersist(1, [ent(1, 1), ent(2, 1)], 0);
    c.onPersist(2, [ent(1, 1), ent(2, 1)], 0);
    apply(1, [ent(1, 1), ent(2, 1)]);
    apply(2, [ent(1, 1)]);
    c.onAck('x2', 2);
    c.onLeader(2, 2, logOf([1, 1]));
    apply(2, [ent(2, 1)]);
    c.onReadServed(2, 'r1', 2, 2);
    c.checkFinal([
      { id: 1, applied: 2, hash: hashes.get(1)! },
      { id: 2, applied: 2, hash: hashes.get(2)! },
    ]);
    expect(c.violations).toEqual([]);
  });

  it('flags two leaders in one term', () => {
    const { c, clock } = checker();
    c.onLeader(1, 3, logOf([]));
    c.onLeader(1, 3, logOf([])); // the same leader again is fine
    clock.step = 17;
    clock.time = 230;
    c.onLeader(2, 3, logOf([]));
    expect(c.first).toMatchObject({ kind: 'election-safety', step: 17, time: 230 });
    expect(c.first!.message).toContain('two leaders in term 3');
  });

  it('flags divergent applied entries (State Machine Safety)', () => {
    const { c, apply } = checker();
    apply(1, [ent(1, 1, 'a')]);
    apply(2, [ent(1, 2, 'b')]);
    expect(c.first?.kind).toBe('state-machine-safety');
  });

  it('flags the same entry applied on top of a different history', () => {
    const { c } = checker();
    c.onCommit(1, 5);
    c.onCommit(2, 5);
    c.onApply(1, ent(1, 1), 111);
    c.onApply(2, ent(1, 1), 222);
    expect(c.first?.kind).toBe('state-machine-safety');
  });

  it('flags a snapshot whose state differs from what was applied there', () => {
    const { c, apply } = checker();
    apply(1, [ent(1, 1), ent(2, 1)]);
    c.onRestore(2, 2, 12345);
    expect(c.first?.kind).toBe('state-machine-safety');
  });

  it('flags a commit index going backwards, within a life and across a restart', () => {
    const a = checker();
    a.c.onCommit(1, 5);
    a.c.onCommit(1, 4);
    expect(a.c.first?.kind).toBe('commit-monotonic');

    const b = checker();
    b.c.onCommit(1, 5);
    b.c.onCrash(1);
    b.c.onRestart(1, 3, 5, 0);
    expect(b.c.first?.kind).toBe('commit-monotonic');
  });

  it('flags applying beyond the commit index, and gaps in application', () => {
    const a = checker();
    a.c.onCommit(1, 1);
    a.c.onApply(1, ent(1, 1), 1);
    a.c.onApply(1, ent(2, 1), 2);
    expect(a.c.first?.kind).toBe('applied-le-committed');

    const b = checker();
    b.c.onCommit(1, 5);
    b.c.onApply(1, ent(2, 1), 1);
    expect(b.c.first?.kind).toBe('apply-order');
  });

  it('flags two different entries with the same index and term (Log Matching)', () => {
    const { c } = checker();
    c.onPersist(1, [ent(1, 1, 'a'), ent(2, 1, 'b')], 0);
    c.onPersist(2, [ent(2, 1, 'other')], 1);
    expect(c.first?.kind).toBe('log-matching');
  });

  it('flags logs that agree on an entry but not on the one before it', () => {
    const { c } = checker();
    c.onPersist(1, [ent(4, 3)], 2);
    c.onPersist(2, [ent(4, 3)], 1);
    expect(c.first?.kind).toBe('log-matching');
  });

  it('flags a leader elected without a committed entry (Leader Completeness)', () => {
    const { c, apply } = checker();
    apply(1, [ent(1, 1), ent(2, 1)]);
    c.onLeader(3, 2, logOf([1, 1])); // has both: fine
    expect(c.ok).toBe(true);
    c.onLeader(4, 3, logOf([1, 2])); // term 2 at index 2: it would overwrite a committed entry
    expect(c.first?.kind).toBe('leader-completeness');
  });

  it('exempts entries a later term committed from Leader Completeness (late votes)', () => {
    // Seed 32644: n2's votes for term 2 were delayed in flight while a term-3 leader committed
    // 2@t3; n2 then won term 2 without that entry. Legal: completeness covers earlier terms.
    const { c } = checker();
    c.onCommit(1, 2);
    c.onApply(1, ent(1, 1), 1, 3);
    c.onApply(1, ent(2, 3), 2, 3);
    c.onLeader(2, 2, logOf([1]));
    expect(c.ok).toBe(true);
    // ...but a leader of a later term must hold it.
    c.onLeader(4, 4, logOf([1, 2]));
    expect(c.first?.kind).toBe('leader-completeness');
  });

  it('accepts a leader whose snapshot covers the committed entries', () => {
    const { c, apply } = checker();
    apply(1, [ent(1, 1), ent(2, 1), ent(3, 1)]);
    c.onLeader(2, 2, logOf([0, 0, 1], 2));
    expect(c.ok).toBe(true);
  });

  it('flags an acknowledged command missing at the end', () => {
    const { c, apply, hashes } = checker();
    apply(1, [ent(1, 1), ent(2, 1, 'cmd')]);
    apply(2, [ent(1, 1)]);
    c.onAck('cmd', 2);
    c.checkFinal([
      { id: 1, applied: 2, hash: hashes.get(1)! },
      { id: 2, applied: 1, hash: hashes.get(2)! },
    ]);
    expect(c.first?.kind).toBe('durability');
    expect(c.first!.message).toContain('cmd');
  });

  it('flags a final state off the committed history', () => {
    const { c, apply } = checker();
    apply(1, [ent(1, 1, 'cmd')]);
    c.onAck('cmd', 1);
    c.checkFinal([{ id: 2, applied: 1, hash: 999 }]);
    expect(c.first?.kind).toBe('durability');
  });

  it('flags an acknowledgement for something that was not applied there', () => {
    const { c, apply } = checker();
    apply(1, [ent(1, 1, 'a')]);
    c.onAck('b', 1);
    expect(c.first?.kind).toBe('client');
  });

  it('flags a stale linearizable read', () => {
    const { c, apply } = checker();
    apply(1, [ent(1, 1), ent(2, 1, 'w')]);
    c.onAck('w', 2);
    c.onReadServed(3, 'r9', 1, 2);
    expect(c.first?.kind).toBe('linearizable-read');
  });
});
