/** Write throughput and latency at each client count, all writes sent to the leader. */
import { runLoad, type LoadResult } from '../load/generator.js';
import type { Context } from './context.js';
import { findLeader } from './wait.js';

export async function writes(ctx: Context): Promise<LoadResult[]> {
  const rows: LoadResult[] = [];
  for (const clients of ctx.settings.clients) {
    const leader = await findLeader(ctx.target);
    const r = await runLoad({
      clients,
      seconds: ctx.settings.writeSeconds,
      request: () => ctx.target.write(leader, ctx.seq()),
    });
    ctx.say(
      `writes, ${clients} client(s): ${r.perSec.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(1)} ms, ` +
        `p99 ${r.p99Ms.toFixed(1)} ms, ${r.errors} error(s)`,
    );
    rows.push(r);
  }
  return rows;
}
