import { describe, expect, it } from 'vitest';
import { SimRng } from '../../cluster/sim/rng.js';
import { partition, synthesize } from '../../cluster/verify/index.js';
import { ANY, TaskModel } from '../../cluster/verify/model.js';
import { searchTask } from '../../cluster/verify/search.js';
import { windows } from '../../cluster/verify/window.js';
import { mutateRead } from './mutate.js';

const NEVER = Number.POSITIVE_INFINITY;

describe('windows', () => {
  it('of a linearizable history are all linearizable (the relaxation is sound)', () => {
    let count = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const history = synthesize({
        seed,
        ops: 600,
        clients: 8,
        tasks: 2,
        unknownRate: 0.1,
        latencyMs: 40,
        deleteRate: seed % 2 === 0 ? 0 : 0.02,
      });
      for (const part of partition(history).values()) {
        for (const w of windows(part, 10 + (seed % 4) * 15)) {
          expect(searchTask(w, new TaskModel(w, ANY), NEVER), `seed ${seed}`).toBe('ok');
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(500);
  });

  it('cover every operation, and a window holding a never-written read fails', () => {
    const history = synthesize({ seed: 3, ops: 600, clients: 8, tasks: 1, unknownRate: 0.05 });
    const rng = new SimRng(3, 'window');
    let m = mutateRead(history, rng);
    while (m === undefined || m.kind !== 'never-written') m = mutateRead(history, rng);
    const victim = m.victim;
    const part = partition(m.ops).get(victim.taskId) ?? [];
    const ws = windows(part, 50);
    for (const op of part) {
      if (op.out !== null) expect(ws.some((w) => w.includes(op))).toBe(true);
    }
    const holding = ws.filter((w) => w.includes(victim));
    expect(holding.length).toBeGreaterThan(0);
    for (const w of holding) expect(searchTask(w, new TaskModel(w, ANY), NEVER)).toBe('fail');
  });
});
