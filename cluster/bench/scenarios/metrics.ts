/**
 * "What a person sees": the Metrics tab's commit latency is the time the window's own writes take
 * from being sent to the supervisor's control API (`POST /api/tasks`, relayed to the leader) until
 * their answer (renderer/src/metrics/store.ts, watchWriteLatency). Over the same interval, one
 * client sends such writes through the control API and another sends the same writes straight to
 * the leader; the ratio of their medians is what the relay adds. Raftboard only.
 */
import { runLoad } from '../load/generator.js';
import type { MetricsTabResult } from '../report/results.js';
import type { Context } from './context.js';
import { findLeader } from './wait.js';

export async function metricsTab(ctx: Context): Promise<MetricsTabResult | undefined> {
  const t = ctx.target;
  if (t.uiWrite === undefined) return undefined;
  const uiWrite = t.uiWrite.bind(t);
  const leader = await findLeader(t);
  const seconds = ctx.settings.writeSeconds;
  const [viaControlApi, direct] = await Promise.all([
    runLoad({ clients: 1, seconds, request: () => uiWrite(ctx.seq()) }),
    runLoad({ clients: 1, seconds, request: () => t.write(leader, ctx.seq(), true) }),
  ]);
  const ratio = viaControlApi.p50Ms / direct.p50Ms;
  ctx.say(
    `Metrics tab: p50 ${viaControlApi.p50Ms.toFixed(2)} ms through the control API, ` +
      `${direct.p50Ms.toFixed(2)} ms at the leader (${ratio.toFixed(2)}×)`,
  );
  return { seconds, viaControlApi, direct, ratio };
}
