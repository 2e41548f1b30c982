/**
 * Crash durability (issue 6 §3): N rounds of concurrent idempotent writes through random nodes,
 * one node crashed at a failpoint (the points in turn, failpoint-round.ts) and/or SIGKILL of
 * every node at a random moment, restart, and exact checks (see rounds.ts, check.ts).
 * RAFTBOARD_CRASH_ROUNDS sets N (default 10, for CI); RAFTBOARD_CRASH_SEED replays a plan. For a
 * long run use the script: node build/test/crash/run.js --rounds 50.
 */
import { describe, expect, it } from 'vitest';
import { useCluster } from '../cluster/harness/index.js';
import { chooseSeed, runCrashRounds } from './rounds.js';
import { CRASH_CATCH_UP_ENTRIES, CRASH_SNAPSHOT_ENTRIES } from './failpoint-round.js';

const ROUNDS = Number(process.env.RAFTBOARD_CRASH_ROUNDS ?? '10');
const SEED = chooseSeed(process.env.RAFTBOARD_CRASH_SEED);

const c = useCluster('crashdur', {
  snapshotEntries: CRASH_SNAPSHOT_ENTRIES,
  catchUpEntries: CRASH_CATCH_UP_ENTRIES,
});

describe('crash durability', () => {
  it(
    `${ROUNDS} rounds of failpoint crashes and SIGKILL during writes lose and duplicate nothing (seed ${SEED})`,
    async () => {
      // Printed first, so a failure (or a hang) can be replayed with RAFTBOARD_CRASH_SEED.
      process.stderr.write(`crash durability: seed ${SEED} (RAFTBOARD_CRASH_SEED=${SEED})\n`);
      const report = await runCrashRounds(c(), {
        rounds: ROUNDS,
        seed: SEED,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stderr.write(`${report.summary}\n`);
      const problems = report.rounds.flatMap((r) =>
        r.problems.map((p) => `round ${r.round}: ${p}`),
      );
      expect(problems, `seed ${SEED}`).toEqual([]);
      expect(report.rounds).toHaveLength(ROUNDS);
      // The rounds must actually have crashed the cluster in the middle of writing.
      expect(report.rounds.reduce((n, r) => n + r.inFlightAtKill, 0)).toBeGreaterThan(0);
      expect(report.rounds.every((r) => r.ackedBeforeKill > 0)).toBe(true);
      // The crashes landed at the WAL and vote points (the first rounds of CRASH_PLAN).
      if (ROUNDS >= 5) {
        const hit = report.rounds.flatMap((r) => (r.failpoint?.hit ? [r.failpoint.name] : []));
        for (const name of ['wal-after-sync', 'vote-after-persist', 'wal-before-write'])
          expect(hit, 'failpoints that crashed a node').toContain(name);
        expect(hit, 'failpoints that crashed a node').toContain('wal-after-write');
      }
    },
    Math.max(120_000, ROUNDS * 20_000),
  );
});
