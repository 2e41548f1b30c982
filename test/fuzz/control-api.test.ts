/**
 * Bad input for the control API (issue 6 §4), CI size: a few hundred random and mutated
 * requests at its own endpoints and at its `/api/tasks` relay, against a real headless CLI
 * cluster. Seeded: RAFTBOARD_FUZZ_SEED replays, RAFTBOARD_FUZZ_REQUESTS changes the count. See
 * http/control-fuzz.ts and http/task-fuzz.ts for what is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestMariaDb } from '../support/mariadb.js';
import { startCliCluster, type CliCluster } from './http/cli-cluster.js';
import { fuzzControl } from './http/control-fuzz.js';
import { controlTarget } from './http/control-target.js';
import { fuzzTasks } from './http/task-fuzz.js';

const SEED = Number(process.env.RAFTBOARD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REQUESTS = Number(process.env.RAFTBOARD_FUZZ_REQUESTS ?? '300');

const db = useTestMariaDb();
let cluster: CliCluster | undefined;

beforeAll(async () => {
  cluster = await startCliCluster(db.url);
});
afterAll(async () => {
  await cluster?.stop();
});

function cli() {
  if (!cluster) throw new Error('the CLI cluster did not start');
  return cluster.cli;
}

describe('control API fuzz', () => {
  it(`${REQUESTS} requests at its endpoints: only 2xx/4xx/503, a refusal changes nothing (seed ${SEED})`, async () => {
    process.stderr.write(`control API fuzz: seed ${SEED} (RAFTBOARD_FUZZ_SEED=${SEED})\n`);
    const report = await fuzzControl(cli(), { requests: REQUESTS, seed: SEED });
    process.stderr.write(`${report.summary}\n`);
    expect(report.problems, `seed ${SEED}`).toEqual([]);
    expect(report.byStatus['404'] ?? 0).toBeGreaterThan(0);
    expect(report.byStatus['400'] ?? 0).toBeGreaterThan(0);
  });

  it(`${REQUESTS} requests at /api/tasks: same rules as a node's API, no partial write (seed ${SEED})`, async () => {
    for (let i = 0; i < 5; i++) await cli().write(`seed task ${i}`);
    const report = await fuzzTasks(controlTarget(cli()), { requests: REQUESTS, seed: SEED });
    process.stderr.write(`${report.summary}\n`);
    expect(report.problems, `seed ${SEED}`).toEqual([]);
    expect(report.writes, 'acknowledged writes').toBeGreaterThan(REQUESTS / 20);
  });
});
