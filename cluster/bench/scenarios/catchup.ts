/**
 * A follower is stopped while the others commit `catchupEntries` writes, then started again: the
 * time until its applied index reaches the leader's commit index (no writes in between, so that
 * index holds still).
 */
import { runLoad } from '../load/generator.js';
import type { CatchupResult } from '../report/results.js';
import type { Context } from './context.js';
import { findLeader, waitAllCaughtUp, waitApplied } from './wait.js';

export async function catchup(ctx: Context): Promise<CatchupResult> {
  const t = ctx.target;
  const leader = await waitAllCaughtUp(t);
  const follower = t.members.find((id) => id !== leader) as number;
  await t.stop(follower);
  const load = await runLoad({
    clients: 64,
    successes: ctx.settings.catchupEntries,
    request: () => t.write(leader, ctx.seq()),
  });
  if (load.count < ctx.settings.catchupEntries) {
    throw new Error(`only ${load.count} of ${ctx.settings.catchupEntries} writes succeeded`);
  }
  const lp = await t.progress(await findLeader(t));
  if (lp === undefined) throw new Error('the leader stopped answering');
  const t0 = performance.now();
  await t.start(follower);
  const running = performance.now();
  await waitApplied(t, follower, lp.commit, 120_000, 5);
  const done = performance.now();
  const result: CatchupResult = {
    entries: load.count,
    ms: done - t0,
    afterRunningMs: done - running,
  };
  ctx.say(
    `catch-up of ${result.entries} entries: ${result.ms.toFixed(0)} ms ` +
      `(${result.afterRunningMs.toFixed(0)} ms after the process ran)`,
  );
  return result;
}
