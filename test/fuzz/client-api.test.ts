/**
 * Bad input for a node's client API (issue 6 §4), CI size: a few hundred random and mutated
 * requests (seeded; RAFTBOARD_FUZZ_SEED replays, RAFTBOARD_FUZZ_REQUESTS changes the count)
 * against a real 3-node cluster. See http/task-fuzz.ts for what is checked. The long run:
 * node build/test/fuzz/api.js.
 */
import { describe, expect, it } from 'vitest';
import { useCluster } from '../cluster/harness/index.js';
import { nodeTarget } from './http/node-target.js';
import { fuzzTasks } from './http/task-fuzz.js';

const SEED = Number(process.env.RAFTBOARD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REQUESTS = Number(process.env.RAFTBOARD_FUZZ_REQUESTS ?? '400');

const c = useCluster('fuzzapi');

describe('client API fuzz', () => {
  it(`${REQUESTS} random and mutated requests: only 2xx/4xx/503, no partial write (seed ${SEED})`, async () => {
    process.stderr.write(`client API fuzz: seed ${SEED} (RAFTBOARD_FUZZ_SEED=${SEED})\n`);
    const cl = c();
    // A few tasks first, so that changes and deletes have targets from the start.
    for (let i = 0; i < 5; i++) {
      const res = await cl
        .client(cl.ids[i % cl.ids.length])
        .createTask({ title: `seed task ${i}` });
      expect(res.ok, JSON.stringify(res.body)).toBe(true);
    }
    const report = await fuzzTasks(nodeTarget(cl), { requests: REQUESTS, seed: SEED });
    process.stderr.write(`${report.summary}\n`);
    expect(report.problems, `seed ${SEED}`).toEqual([]);
    // The fuzz must reach the deep paths, not stop at the first check.
    expect(report.writes, 'acknowledged writes').toBeGreaterThan(REQUESTS / 20);
    expect(report.byStatus['400'] ?? 0, '400 answers').toBeGreaterThan(REQUESTS / 10);
  });
});
