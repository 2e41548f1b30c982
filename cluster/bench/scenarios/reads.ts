/** Read throughput of one key/task, linearizable and stale, sent to the leader. */
import { runLoad, type LoadResult } from '../load/generator.js';
import type { Context } from './context.js';
import { findLeader } from './wait.js';

export async function reads(
  ctx: Context,
): Promise<{ linearizable: LoadResult; stale: LoadResult }> {
  await ctx.target.prepareReads();
  const leader = await findLeader(ctx.target);
  const run = async (mode: 'linearizable' | 'stale'): Promise<LoadResult> => {
    const r = await runLoad({
      clients: ctx.settings.readClients,
      seconds: ctx.settings.readSeconds,
      request: () => ctx.target.read(leader, mode),
    });
    ctx.say(
      `${mode} reads, ${r.clients} clients: ${r.perSec.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(1)} ms, ` +
        `${r.errors} error(s)`,
    );
    return r;
  };
  const linearizable = await run('linearizable');
  const stale = await run('stale');
  return { linearizable, stale };
}
