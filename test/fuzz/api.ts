/**
 * The long API fuzz (issue 6 §4): random and mutated requests at a node's client API (a real
 * 3-node cluster) and at the control API of a headless CLI cluster (its endpoints and its
 * /api/tasks relay), on a throwaway MariaDB (or RAFTBOARD_TEST_MYSQL_URL). See http/task-fuzz.ts
 * and http/control-fuzz.ts for the checks. Prints a summary line per API and a verdict; exit
 * code 1 on any problem.
 *
 * Run: npm run build:node && node build/test/fuzz/api.js [--requests 5000] [--seed S]
 *        [--only client|control]
 */
import { parseArgs } from 'node:util';
import { startCluster } from '../cluster/harness/start.js';
import { withScriptMariaDb } from '../crash/script-mariadb.js';
import { startCliCluster } from './http/cli-cluster.js';
import { fuzzControl } from './http/control-fuzz.js';
import { controlTarget } from './http/control-target.js';
import { nodeTarget } from './http/node-target.js';
import { fuzzTasks } from './http/task-fuzz.js';

/** Problems were printed as they were found; the summaries come last. */
interface Outcome {
  readonly ok: boolean;
  readonly summary: string;
}

async function clientApi(url: string, requests: number, seed: number): Promise<Outcome> {
  const cluster = await startCluster({ mysqlUrls: url, label: 'fuzzrun' });
  try {
    for (let i = 0; i < 5; i++)
      await cluster.client(cluster.ids[i % 3]).createTask({ title: `seed ${i}` });
    return await fuzzTasks(nodeTarget(cluster), { requests, seed, log: (l) => console.log(l) });
  } finally {
    await cluster.destroy();
  }
}

async function controlApi(url: string, requests: number, seed: number): Promise<Outcome[]> {
  const { cli, stop } = await startCliCluster(url);
  try {
    const own = await fuzzControl(cli, { requests, seed, log: (l) => console.log(l) });
    for (let i = 0; i < 5; i++) await cli.write(`seed ${i}`);
    const relay = await fuzzTasks(controlTarget(cli), {
      requests,
      seed,
      log: (l) => console.log(l),
    });
    return [own, relay];
  } finally {
    await stop();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '5000' },
      seed: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const requests = Number(values.requests);
  const seed =
    values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  console.log(`API fuzz: ${requests} requests per API, seed ${seed}`);
  const started = Date.now();
  const outcomes = await withScriptMariaDb(async (url) => {
    const out: Outcome[] = [];
    if (values.only !== 'control') out.push(await clientApi(url, requests, seed));
    if (values.only !== 'client') out.push(...(await controlApi(url, requests, seed)));
    return out;
  });
  for (const o of outcomes) console.log(o.summary);
  const ok = outcomes.every((o) => o.ok);
  console.log(
    `API fuzz: ${ok ? 'OK' : 'FAILED'} (seed ${seed}, ${Math.round((Date.now() - started) / 1000)} s)`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
