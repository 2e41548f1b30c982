/**
 * The node driver is deterministic: the same seed gives the same run, event for event (the
 * trace records every message, fault, client answer and node log line with its virtual time).
 */
import { describe, expect, it } from 'vitest';
import { runNodeSeed } from '../../../cluster/sim/node-driver/run.js';

describe('node driver determinism', () => {
  it('replays a seed to the identical trace', async () => {
    const a = await runNodeSeed({ seed: 7, nodes: 3, steps: 2000, trace: true });
    const b = await runNodeSeed({ seed: 7, nodes: 3, steps: 2000, trace: true });
    expect(a.trace!.length).toBeGreaterThan(500);
    expect(b.steps).toBe(a.steps);
    expect(b.stats).toEqual(a.stats);
    expect(b.trace).toEqual(a.trace);
  });

  it('runs the same with and without the trace', async () => {
    const traced = await runNodeSeed({ seed: 5, nodes: 3, steps: 1000, trace: true });
    const plain = await runNodeSeed({ seed: 5, nodes: 3, steps: 1000 });
    expect(plain.steps).toBe(traced.steps);
    expect(plain.stats).toEqual(traced.stats);
  });

  it('gives another seed another run', async () => {
    const a = await runNodeSeed({ seed: 8, nodes: 3, steps: 300, trace: true });
    const b = await runNodeSeed({ seed: 9, nodes: 3, steps: 300, trace: true });
    expect(b.trace).not.toEqual(a.trace);
  });
});
