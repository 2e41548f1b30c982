import { describe, expect, it } from 'vitest';
import { SimRng } from '../../cluster/sim/rng.js';
import { partition, synthesize, type Op } from '../../cluster/verify/index.js';
import { TaskModel } from '../../cluster/verify/model.js';
import { searchTask } from '../../cluster/verify/search.js';
import { cut, shrink } from '../../cluster/verify/shrink.js';
import { create, read, task, update } from './builders.js';
import { mutateRead } from './mutate.js';

const NEVER = Number.POSITIVE_INFINITY;

describe('shrink', () => {
  it('returns a 1-minimal failing core: cutting any one more operation makes it pass', () => {
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const history = synthesize({ seed, ops: 200, clients: 6, tasks: 2, unknownRate: 0.1 });
      const m = mutateRead(history, new SimRng(seed, 'shrink'));
      if (m === undefined) continue;
      const part = partition(m.ops).get(m.victim.taskId) ?? [];
      if (searchTask(part, new TaskModel(part), NEVER) !== 'fail') continue;
      const s = shrink(part, null, NEVER);
      expect(s.minimal).toBe(true);
      const fails = (ops: readonly Op[]): boolean => {
        const sorted = ops.slice().sort((a, b) => a.call - b.call);
        return searchTask(sorted, new TaskModel(sorted, s.start), NEVER) === 'fail';
      };
      // The core fails alone, and with the relaxed writes around it.
      expect(fails(s.ops)).toBe(true);
      expect(fails([...s.ops, ...s.relaxed])).toBe(true);
      for (const op of s.ops) {
        const w = cut({ core: s.ops, relaxed: s.relaxed }, new Set([op]));
        expect(fails([...w.core, ...w.relaxed])).toBe(false);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('keeps the stale read, not an artefact of cutting the history', () => {
    // 60 acknowledged updates, and one read in the middle that sees an old version.
    const h: Op[] = [create('c0', [0, 1], 't', { title: 'v1' })];
    for (let v = 1; v <= 60; v++) {
      const title = `v${v + 1}`;
      h.push(update('c1', [10 * v, 10 * v + 5], 't', { title }, v, task('t', v + 1, { title })));
      h.push(read('c2', [10 * v + 6, 10 * v + 7], 't', task('t', v + 1, { title })));
    }
    const stale = read('c3', [400, 401], 't', task('t', 30, { title: 'v30' }));
    h.push(stale);
    const s = shrink(h, null, NEVER);
    expect(s.ops).toContain(stale);
    expect(s.ops.length).toBe(2);
  });
});
