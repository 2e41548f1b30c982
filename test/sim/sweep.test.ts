/**
 * The CI sweep: 300 random seeds of a 5-node cluster with every fault on (crashes, partitions,
 * lossy/duplicating/reordering links, membership changes, transfers, snapshots). Each run checks
 * the safety invariants after every event plus liveness and durability at the end.
 */
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../cluster/sim/fuzz.js';

const SEEDS = 300;
const NODES = 5;
// A fresh range per day would hide regressions behind luck; a fixed offset keeps CI reproducible
// while covering different seeds than the ones developers run by default (1..N).
const FIRST_SEED = 1_000_001;

describe(`simulation sweep: ${SEEDS} seeds, ${NODES} nodes, faults on`, () => {
  it('finds no invariant violation', () => {
    const failures: string[] = [];
    let steps = 0;
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      const r = runSeed({ seed, nodes: NODES, faults: true });
      steps += r.steps;
      for (const v of r.violations) {
        failures.push(
          `seed ${seed}: [${v.kind}] ${v.message} — npm run sim -- --seed ${seed} --nodes ${NODES} --trace`,
        );
      }
    }
    expect(failures).toEqual([]);
    // The runs really did something: tens of thousands of events, not empty schedules.
    expect(steps).toBeGreaterThan(SEEDS * 1000);
  });
});
