import { describe, expect, it } from 'vitest';
import { SimRng } from '../../cluster/sim/rng.js';
import { checkHistory, synthesize, type Op } from '../../cluster/verify/index.js';
import { relax } from '../../cluster/verify/relax.js';
import { mutateRead } from './mutate.js';
import { bruteForceLinearizable } from './oracle.js';

/** Shapes from calm to hot: few tasks and wide latencies mean many overlapping operations. */
const SHAPES = [
  { ops: 300, clients: 4, tasks: 10, unknownRate: 0.05, latencyMs: 10 },
  { ops: 300, clients: 8, tasks: 3, unknownRate: 0.1, latencyMs: 40 },
  { ops: 200, clients: 8, tasks: 1, unknownRate: 0.15, latencyMs: 60 },
] as const;

describe('histories generated from the sequential model', () => {
  it.each(SHAPES)('are always linearizable: %o', (shape) => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = checkHistory(synthesize({ seed, ...shape }));
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r)}`).toBe(true);
    }
  });

  it('stay linearizable when every task is hammered by all clients at once', () => {
    const r = checkHistory(
      synthesize({ seed: 7, ops: 400, clients: 8, tasks: 1, unknownRate: 0.05, latencyMs: 200 }),
    );
    expect(r.ok).toBe(true);
  });
});

describe('one mutated read', () => {
  it.each(SHAPES)('is flagged whenever it is observable: %o', (shape) => {
    let observable = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const history = synthesize({ seed, ...shape });
      const m = mutateRead(history, new SimRng(seed, 'mutate'));
      if (m === undefined || !m.observable) continue;
      observable++;
      const r = checkHistory(m.ops);
      if (r.ok !== false) throw new Error(`seed ${seed}: ${m.kind} mutation not flagged`);
      expect(r.taskId).toBe(m.victim.taskId);
      // The counterexample is a small history that fails on its own.
      expect(r.minimal).toBe(true);
      expect(r.counterexample.length).toBeLessThanOrEqual(4);
      expect(checkHistory(r.counterexample).ok).toBe(false);
    }
    expect(observable).toBeGreaterThan(30);
  });
});

describe('a long history on one hot task', () => {
  it('flags a read showing an old title at the current version, with a 2-operation example', () => {
    const history = synthesize({ seed: 11, ops: 2000, clients: 8, tasks: 1, unknownRate: 0.1 });
    expect(checkHistory(history).ok).toBe(true);
    const at = history.findIndex((op, i) => i > 1500 && op.f === 'read' && op.out?.status === 200);
    const r = history[at];
    if (r.f !== 'read' || r.out === null || r.out.status !== 200) throw new Error('setup');
    const seen = r.out.task;
    const old = history.find(
      (op) => op.f === 'update' && op.out?.status === 200 && op.out.task.title !== seen.title,
    );
    if (old?.out === null || old === undefined || !('task' in old.out)) throw new Error('setup');
    const swapped = {
      ...r,
      out: { status: 200 as const, task: { ...seen, title: old.out.task.title } },
    };
    const mutated = history.slice();
    mutated[at] = swapped;
    const result = checkHistory(mutated);
    if (result.ok !== false) throw new Error(`not flagged: ${JSON.stringify(result)}`);
    expect(result.taskId).toBe(r.taskId);
    expect(result.counterexample).toContain(swapped);
    expect(result.counterexample.length).toBe(2);
  });
});

describe('the checker agrees with a brute-force oracle', () => {
  it('on 3,000 tiny histories, half of them mutated', () => {
    let failures = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const rng = new SimRng(seed, 'oracle');
      let ops: Op[] = synthesize({
        seed,
        ops: rng.range(2, 7),
        clients: rng.range(2, 4),
        tasks: rng.range(1, 2),
        unknownRate: 0.25,
        latencyMs: 30,
      });
      if (rng.chance(0.5)) ops = mutateAny(ops, rng);
      // Some writes with their answer set aside, as shrinking and windows do.
      if (rng.chance(0.3))
        ops = ops.map((op) => (op.f !== 'read' && rng.chance(0.3) ? relax(op) : op));
      const expected = bruteForceLinearizable(ops);
      const r = checkHistory(ops);
      expect(r.ok, `seed ${seed}`).toBe(expected);
      if (!expected) failures++;
    }
    // Enough of both verdicts for the agreement to mean something.
    expect(failures).toBeGreaterThan(400);
  });
});

/** Mutates any one answer: a read's value, a write's status or returned version. */
function mutateAny(ops: Op[], rng: SimRng): Op[] {
  const answered = ops.flatMap((op, i) => (op.out !== null ? [i] : []));
  if (answered.length === 0) return ops;
  const i = rng.pick(answered);
  const op = ops[i];
  const out = op.out;
  if (out === null) return ops;
  const copy = ops.slice();
  if (op.f === 'read') {
    const m = mutateRead([op], rng);
    if (m !== undefined) copy[i] = m.victim;
  } else if ('task' in out && op.ret !== null) {
    const t = out.task;
    const shifted = { ...t, version: t.version + (rng.chance(0.5) ? 1 : -1) };
    copy[i] = { ...op, out: { ...out, task: shifted } } as Op;
  } else if (op.ret !== null) {
    const statuses = op.f === 'create' ? [409] : [200, 404, 409];
    const status = rng.pick(statuses.filter((s) => s !== out.status));
    if (op.f === 'delete' && status !== undefined) {
      copy[i] = { ...op, out: { status: status as 200 | 404 | 409 } };
    } else if (op.f === 'update' && (status === 404 || status === 409)) {
      copy[i] = { ...op, out: { status } };
    }
  }
  return copy;
}
