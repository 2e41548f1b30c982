/**
 * The long crash-durability run (issue 6 §3): a real 3-node cluster on a throwaway MariaDB,
 * N rounds of a failpoint crash and/or SIGKILL-everything during idempotent writes (see
 * rounds.ts, failpoint-round.ts). Prints one line per
 * round and a summary line; exit code 1 when any check fails (with the seed to replay the plan).
 *
 * Run: npm run build:node && node build/test/crash/run.js [--rounds 50] [--seed S] [--writers 6]
 */
import { parseArgs } from 'node:util';
import { startCluster } from '../cluster/harness/start.js';
import { tail } from '../cluster/harness/diagnostics.js';
import { chooseSeed, runCrashRounds } from './rounds.js';
import { CRASH_CATCH_UP_ENTRIES, CRASH_SNAPSHOT_ENTRIES } from './failpoint-round.js';
import { withScriptMariaDb } from './script-mariadb.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '50' },
      seed: { type: 'string' },
      writers: { type: 'string', default: '6' },
    },
  });
  const rounds = Number(values.rounds);
  const writers = Number(values.writers);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(writers) || writers < 1) {
    console.error('--rounds and --writers must be positive integers');
    return 2;
  }
  const seed = chooseSeed(values.seed);
  console.log(`crash durability: ${rounds} rounds, ${writers} writers, seed ${seed}`);
  const started = Date.now();
  return withScriptMariaDb(async (url) => {
    const cluster = await startCluster({
      mysqlUrls: url,
      label: 'crashrun',
      snapshotEntries: CRASH_SNAPSHOT_ENTRIES,
      catchUpEntries: CRASH_CATCH_UP_ENTRIES,
    });
    try {
      const report = await runCrashRounds(cluster, {
        rounds,
        seed,
        writers,
        log: (line) => console.log(line),
      });
      if (!report.ok) {
        for (const id of cluster.ids) {
          console.log(
            `--- node ${id} output (last 30 lines) ---\n${tail(cluster.nodeStderr(id, 'all'), 30)}`,
          );
        }
      }
      console.log(`${report.summary} (${Math.round((Date.now() - started) / 1000)} s)`);
      return report.ok ? 0 : 1;
    } finally {
      await cluster.destroy();
    }
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
