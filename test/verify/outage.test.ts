/**
 * The report's "longest write outage caused by a single fault" (issue 12), on hand-made
 * histories: which answers end an outage, which fault a gap is blamed on, and the printed line.
 */
import { describe, expect, it } from 'vitest';
import {
  blame,
  longestWriteOutage,
  outageLine,
  writeGaps,
  type FaultRecord,
} from '../../cluster/verify/nemesis/index.js';
import type { Op } from '../../cluster/verify/index.js';
import { create, del, read, task, update } from './builders.js';

function fault(kind: FaultRecord['kind'], start: number, end: number | null, ok = true) {
  const f: FaultRecord = { kind, detail: `${kind} at ${start}`, nodes: [1], start, end, ok };
  return f;
}

/** A client that writes every `every` ms in [from, to), each answered 5 ms later. */
function steadyWrites(from: number, to: number, every = 100): Op[] {
  const ops: Op[] = [];
  for (let t = from; t < to; t += every) {
    ops.push(create('c1', [t, t + 5], `t${t}`, { title: `w${t}` }));
  }
  return ops;
}

describe('longest write outage', () => {
  it('is the longest gap between acknowledged writes, blamed on the fault in force', () => {
    // Writes until 2 s; a freeze from 2.5 s to 9 s; nothing acknowledged from 2.005 s to 11 s.
    const history = [...steadyWrites(0, 2_000), ...steadyWrites(11_000, 12_000)];
    const faults = [fault('pause', 500, 1_500), fault('mysql-freeze', 2_500, 9_000)];
    const o = longestWriteOutage(history, faults, 12_000);
    expect(o).toEqual({
      ms: 11_005 - 1_905,
      from: 1_905,
      to: 11_005,
      fault: { kind: 'mysql-freeze', detail: 'mysql-freeze at 2500', start: 2_500 },
    });
    expect(outageLine(o)).toBe(
      'longest write outage caused by a single fault: 9.1 s (mysql-freeze: mysql-freeze at ' +
        '2500, from 1.9 s to 11.0 s) — target ≤ 10 s: met',
    );
  });

  it('only successful writes end an outage: not reads, refusals or unknown outcomes', () => {
    const done = task('a', 2);
    const history: Op[] = [
      create('c1', [0, 10], 'a', { title: 'a' }),
      read('c2', [1_000, 1_010], 'a', done),
      update('c1', [2_000, 2_010], 'b', { title: 'x' }, undefined, 404),
      update('c1', [3_000, 3_010], 'a', { title: 'x' }, 7, 409),
      del('c3', [4_000, 4_010], 'a', undefined, 409),
      create('c4', [5_000, null], 'u', { title: 'lost' }),
      create('c4', [6_000, 6_010], 'a', { title: 'dup' }, 409),
      update('c1', [14_000, 14_010], 'a', { title: 'y' }, undefined, done),
      del('c1', [14_500, 14_510], 'a', undefined, 200),
    ];
    const o = longestWriteOutage(history, [fault('partition', 100, 8_000)], 15_000);
    expect(o).toMatchObject({ ms: 14_000, from: 10, to: 14_010, fault: { kind: 'partition' } });
    expect(outageLine(o)).toMatch(/14\.0 s .* — target ≤ 10 s: MISSED$/);
  });

  it('a gap after a fault healed is blamed on it (recovery); one before any fault is nobody’s', () => {
    const history = [
      ...steadyWrites(3_000, 4_000),
      ...steadyWrites(6_000, 7_000),
      ...steadyWrites(7_200, 8_000),
    ];
    const kill = fault('kill', 4_200, 4_400);
    const gaps = writeGaps(history, [kill], 8_000);
    // Start-up: 0 → 3.005 s, before any fault.
    expect(gaps[0]).toMatchObject({ from: 0, to: 3_005, fault: null });
    // Writes stopped at 3.905 s, the kill ran 4.2–4.4 s, writes came back at 6.005 s.
    expect(gaps[1]).toMatchObject({ from: 3_905, to: 6_005, fault: { kind: 'kill' } });
    // 6.905 → 7.205 s: no fault in force, the kill healed last: still its recovery.
    expect(blame([kill], 6_905, 7_205, 8_000)).toBe(kill);
    expect(longestWriteOutage(history, [kill], 8_000)?.ms).toBe(6_005 - 3_905);
  });

  it('blames the fault it overlaps most; refused injections and quiet runs blame nothing', () => {
    const a = fault('partition', 1_000, 2_000);
    const b = fault('link', 2_500, 6_000);
    expect(blame([a, b], 1_500, 4_000, 10_000)).toBe(b);
    expect(blame([a, b], 500, 2_600, 10_000)).toBe(a);
    // A fault still in force when the clients stopped counts until then.
    expect(blame([fault('pause', 9_000, null)], 9_500, 10_000, 10_000)?.kind).toBe('pause');
    const refused = fault('mysql-freeze', 1_000, 1_000, false);
    expect(blame([refused], 1_000, 5_000, 10_000)).toBeNull();
    const history = steadyWrites(0, 1_000);
    expect(longestWriteOutage(history, [], 1_000)).toBeNull();
    expect(outageLine(null)).toBe(
      'longest write outage caused by a single fault: none (target ≤ 10 s)',
    );
  });
});
