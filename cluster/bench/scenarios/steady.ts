/** Elections during steady write load with no faults: every term increment is one. */
import { runLoad } from '../load/generator.js';
import type { SteadyResult } from '../report/results.js';
import type { Context } from './context.js';
import { findLeader, maxTerm } from './wait.js';

export async function steady(ctx: Context): Promise<SteadyResult> {
  const leader = await findLeader(ctx.target);
  const before = await maxTerm(ctx.target);
  const r = await runLoad({
    clients: ctx.settings.steadyClients,
    seconds: ctx.settings.steadySeconds,
    request: () => ctx.target.write(leader, ctx.seq()),
  });
  const after = await maxTerm(ctx.target);
  const result: SteadyResult = {
    seconds: r.seconds,
    clients: r.clients,
    elections: Math.max(0, after - before),
    writesPerSec: r.perSec,
    errors: r.errors,
  };
  ctx.say(
    `steady load ${r.seconds.toFixed(0)} s: ${result.elections} election(s), ` +
      `${r.perSec.toFixed(0)} writes/s`,
  );
  return result;
}
