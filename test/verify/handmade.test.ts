import { describe, expect, it } from 'vitest';
import { checkHistory, type CheckResult, type Op } from '../../cluster/verify/index.js';
import { create, del, read, task, update } from './builders.js';

function failure(r: CheckResult): Extract<CheckResult, { ok: false }> {
  if (r.ok !== false) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
}

describe('linearizable hand-made histories pass', () => {
  it('a sequential life: create, read, update, read, delete, read', () => {
    const h: Op[] = [
      create('c1', [0, 10], 't', { title: 'a' }),
      read('c1', [11, 12], 't', task('t', 1, { title: 'a' })),
      update('c1', [13, 20], 't', { title: 'b' }, 1, task('t', 2, { title: 'b' })),
      read('c2', [21, 22], 't', task('t', 2, { title: 'b' })),
      del('c2', [23, 30], 't', 2, 200),
      read('c1', [31, 32], 't', 404),
    ];
    expect(checkHistory(h)).toEqual({ ok: true, tasks: 1, ops: 6 });
  });

  it('concurrent updates that only fit in the reverse of their call order', () => {
    // Called u1, u2, u3 but their answers (v4, v3, v2) say they applied u3, u2, u1.
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update(
        'c1',
        [10, 50],
        't',
        { title: 'x' },
        undefined,
        task('t', 4, { title: 'x', status: 'done' }),
      ),
      update(
        'c2',
        [11, 50],
        't',
        { status: 'done' },
        undefined,
        task('t', 3, { title: 'y', status: 'done' }),
      ),
      update('c3', [12, 50], 't', { title: 'y' }, undefined, task('t', 2, { title: 'y' })),
      read('c4', [13, 49], 't', task('t', 2, { title: 'y' })),
    ];
    expect(checkHistory(h).ok).toBe(true);
  });

  it('two conditional updates racing: the winner gets v2, the loser 409', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [10, 30], 't', { title: 'b' }, 1, 409),
      update('c2', [12, 20], 't', { title: 'c' }, 1, task('t', 2, { title: 'c' })),
      read('c3', [5, 40], 't', task('t', 1, { title: 'a' })),
    ];
    expect(checkHistory(h).ok).toBe(true);
  });

  it('a read overlapping a delete may see either side', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      del('c1', [10, 20], 't', undefined, 200),
      read('c2', [11, 19], 't', 404),
      read('c3', [12, 18], 't', task('t', 1, { title: 'a' })),
    ];
    // The 404 read must come after the delete and the found one before it; both overlap it.
    expect(checkHistory(h).ok).toBe(true);
  });

  it('an unknown-outcome update that did apply, later', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [5, null], 't', { title: 'b' }, 1, null),
      read('c2', [100, 101], 't', task('t', 1, { title: 'a' })),
      read('c2', [200, 201], 't', task('t', 2, { title: 'b' })),
    ];
    expect(checkHistory(h).ok).toBe(true);
  });

  it('an unknown-outcome update that never applied', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [5, null], 't', { title: 'b' }, undefined, null),
      read('c2', [100, 101], 't', task('t', 1, { title: 'a' })),
      update('c2', [110, 120], 't', { title: 'c' }, 1, task('t', 2, { title: 'c' })),
    ];
    expect(checkHistory(h).ok).toBe(true);
  });

  it('an unknown-outcome create whose task is seen later', () => {
    const h: Op[] = [
      create('c1', [0, null], 't', { title: 'a' }),
      read('c2', [2, 3], 't', 404),
      read('c2', [50, 51], 't', task('t', 1, { title: 'a' })),
    ];
    expect(checkHistory(h).ok).toBe(true);
  });

  it('operations touching at the same millisecond count as concurrent', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [10, 20], 't', { title: 'b' }, undefined, task('t', 2, { title: 'b' })),
      read('c2', [20, 21], 't', task('t', 1, { title: 'a' })),
    ];
    expect(checkHistory(h).ok).toBe(true);
  });

  it('tasks that existed before the history started', () => {
    const before = task('t', 3, { title: 'old' });
    const h: Op[] = [
      read('c1', [0, 1], 't', before),
      update('c1', [2, 3], 't', { title: 'new' }, 3, task('t', 4, { title: 'new' })),
    ];
    expect(checkHistory(h).ok).toBe(false);
    expect(checkHistory(h, { initial: new Map([['t', before]]) }).ok).toBe(true);
  });

  it('title trimming and create defaults match what the server stores', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: '  padded  ' }),
      read('c1', [2, 3], 't', task('t', 1, { title: 'padded' })),
      update(
        'c1',
        [4, 5],
        't',
        { title: ' b ', dueDate: '2030-02-01' },
        1,
        task('t', 2, { title: 'b', dueDate: '2030-02-01' }),
      ),
      update('c1', [6, 7], 't', { dueDate: null }, 2, task('t', 3, { title: 'b' })),
    ];
    expect(checkHistory(h).ok).toBe(true);
  });

  it('an empty history', () => {
    expect(checkHistory([])).toEqual({ ok: true, tasks: 0, ops: 0 });
  });
});

describe('anomalies are caught, with a minimal counterexample', () => {
  it('a stale read after an acknowledged update', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [10, 20], 't', { title: 'b' }, 1, task('t', 2, { title: 'b' })),
      read('c2', [30, 31], 't', task('t', 1, { title: 'a' })),
      read('c3', [40, 41], 't', task('t', 2, { title: 'b' })),
    ];
    const r = failure(checkHistory(h));
    expect(r.taskId).toBe('t');
    expect(r.counterexample).toEqual([h[1], h[2]]);
    expect(r.minimal).toBe(true);
    expect(r.explanation).toContain('stale read');
  });

  it('a lost update: two updates with the same expected version both acknowledged', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [10, 20], 't', { title: 'b' }, 1, task('t', 2, { title: 'b' })),
      update('c2', [11, 21], 't', { title: 'c' }, 1, task('t', 2, { title: 'c' })),
    ];
    const r = failure(checkHistory(h));
    expect(r.counterexample).toEqual([h[1], h[2]]);
    expect(r.explanation).toContain('expected version 1');
  });

  it('a read of a value never written', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [10, 20], 't', { title: 'b' }, undefined, task('t', 2, { title: 'b' })),
      read('c2', [30, 31], 't', task('t', 2, { title: 'zzz' })),
    ];
    const r = failure(checkHistory(h));
    expect(r.counterexample).toEqual([h[1], h[2]]);
    expect(r.explanation).toContain('"zzz"');
  });

  it('a read of a task nobody created', () => {
    const h: Op[] = [read('c2', [30, 31], 't', task('t', 1, { title: 'ghost' }))];
    const r = failure(checkHistory(h));
    expect(r.counterexample).toEqual(h);
    expect(r.explanation).toContain('does not exist');
  });

  it('a read of a deleted task', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      del('c1', [10, 20], 't', undefined, 200),
      read('c2', [30, 31], 't', task('t', 1, { title: 'a' })),
    ];
    const r = failure(checkHistory(h));
    expect(r.counterexample).toEqual([h[1], h[2]]);
    expect(r.explanation).toContain('does not exist');
  });

  it('a lost acknowledged write: an unknown-outcome write cannot explain it away', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      update('c1', [10, 20], 't', { title: 'b' }, undefined, task('t', 2, { title: 'b' })),
      update('c3', [5, null], 't', { title: 'a' }, undefined, null),
      read('c2', [30, 31], 't', task('t', 1, { title: 'a' })),
    ];
    const r = failure(checkHistory(h));
    expect(r.counterexample).toEqual([h[1], h[3]]);
  });

  it('a 404 for a task whose create was acknowledged', () => {
    const h: Op[] = [
      create('c0', [0, 1], 't', { title: 'a' }),
      read('c2', [30, 31], 't', 404),
      read('c2', [40, 41], 't', task('t', 1, { title: 'a' })),
    ];
    const r = failure(checkHistory(h));
    expect(r.counterexample.length).toBe(2);
  });

  it('the stale read is found among many operations on many tasks', () => {
    const h: Op[] = [];
    for (let k = 0; k < 20; k++) {
      const id = `t${k}`;
      h.push(create('c0', [k, k + 1], id, { title: id }));
      for (let v = 1; v < 10; v++) {
        const at = 100 * v + k;
        h.push(
          update(
            'c1',
            [at, at + 5],
            id,
            { title: `${id}.${v}` },
            v,
            task(id, v + 1, { title: `${id}.${v}` }),
          ),
        );
        h.push(read('c2', [at + 6, at + 7], id, task(id, v + 1, { title: `${id}.${v}` })));
      }
    }
    const victim = h.findIndex((op) => op.f === 'read' && op.taskId === 't7' && op.call > 500);
    const prev = task('t7', 5, { title: 't7.4' });
    h[victim] = read('c2', [h[victim].call, h[victim].ret], 't7', prev);
    const r = failure(checkHistory(h));
    expect(r.taskId).toBe('t7');
    expect(r.failedTasks).toEqual(['t7']);
    expect(r.counterexample).toContain(h[victim]);
    expect(r.counterexample.length).toBe(2);
  });
});

describe('limits', () => {
  it('gives up with "unknown" when the search runs out of time', () => {
    // 40 concurrent unknown-outcome updates, then a read at a version they cannot reach: the search
    // must try every subset of them before it can say no.
    const h: Op[] = [create('c0', [0, 1], 't', { title: 'a' })];
    for (let i = 0; i < 40; i++) {
      h.push(update(`c${i}`, [10 + i, null], 't', { title: `u${i}` }, undefined, null));
    }
    h.push(read('r', [100, 101], 't', task('t', 99, { title: 'u7' })));
    const r = checkHistory(h, { timeoutMs: 50 });
    expect(r.ok).toBe('unknown');
  });

  it('rejects a malformed record', () => {
    const bad = read('c', [10, 5], 't', 404);
    expect(() => checkHistory([bad])).toThrow(RangeError);
  });
});
