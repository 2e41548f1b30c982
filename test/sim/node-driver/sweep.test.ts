/**
 * A short sweep of the node driver with every fault on: production RaftNodes over simulated
 * disks, databases and network, checked after every event and at the end (liveness,
 * durability, linearizability). The full sweep (`npm run sim -- --driver node --seeds 300`)
 * covers far more; this keeps a few seeds in every test run.
 */
import { describe, expect, it } from 'vitest';
import { runNodeSeed } from '../../../cluster/sim/node-driver/run.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('node driver sweep: a few seeds, faults on', () => {
  it('finds no violation and does real work', async () => {
    const failures: string[] = [];
    let acked = 0;
    let faults = 0;
    for (const seed of SEEDS) {
      const r = await runNodeSeed({ seed, nodes: 3, steps: 3000 });
      acked += r.stats.acked;
      faults += Object.values(r.stats.faults).reduce((s, n) => s + n, 0);
      for (const v of r.violations) {
        failures.push(
          `seed ${seed}: [${v.kind}] ${v.message} — npm run sim -- --driver node --seed ${seed} --nodes 3 --steps 3000 --trace`,
        );
      }
    }
    expect(failures).toEqual([]);
    // The runs did something: writes acknowledged under faults.
    expect(acked).toBeGreaterThan(SEEDS.length * 5);
    expect(faults).toBeGreaterThan(SEEDS.length);
  });

  it('runs five nodes too', async () => {
    const r = await runNodeSeed({ seed: 11, nodes: 5, steps: 1200 });
    expect(r.violations).toEqual([]);
    expect(r.stats.acked).toBeGreaterThan(0);
  });
});
