/**
 * SIGKILL of the leader, then writes through another member until one is acknowledged: the time
 * from the kill to that acknowledgement, per trial. A new attempt starts every 20 ms while
 * earlier ones are still waiting, so the figure is when the system can take writes again, not
 * how long one unlucky request waits for its own timeout (an etcd put forwarded to a dead leader
 * hangs for seconds). The killed member is started again and every member catches up before
 * the next trial, so each trial starts from a healthy cluster.
 */
import { keepAliveAgent, send } from '../load/http.js';
import { percentile } from '../load/stats.js';
import type { FailoverResult } from '../report/results.js';
import type { Context } from './context.js';
import { waitAllCaughtUp } from './wait.js';

const TRIAL_LIMIT_MS = 30_000;
const ATTEMPT_EVERY_MS = 20;
const MAX_IN_FLIGHT = 64;

/** Kill → first acknowledged write, or undefined when none came within the limit. */
async function trial(ctx: Context, n: number): Promise<number | undefined> {
  const t = ctx.target;
  const leader = await waitAllCaughtUp(t);
  const via = t.members.find((id) => id !== leader) as number;
  const agent = keepAliveAgent(MAX_IN_FLIGHT);
  try {
    // Warm the probe's connection so the first attempt holds no TCP set-up.
    await send(t.write(via, ctx.seq()), agent, 10_000);
    const t0 = performance.now();
    // Attempts start once the process is gone, so none can be acknowledged by the old leader.
    await t.kill(leader);
    const acked = await new Promise<number | undefined>((resolve) => {
      let inFlight = 0;
      let done = false;
      const finish = (v: number | undefined): void => {
        if (done) return;
        done = true;
        clearInterval(timer);
        clearTimeout(limit);
        resolve(v);
      };
      const attempt = (): void => {
        if (done || inFlight >= MAX_IN_FLIGHT) return;
        inFlight++;
        send(t.write(via, ctx.seq()), agent, 10_000)
          .then(
            (a) => {
              if (a.status >= 200 && a.status <= 299) finish(performance.now() - t0);
            },
            () => undefined,
          )
          .finally(() => inFlight--);
      };
      const timer = setInterval(attempt, ATTEMPT_EVERY_MS);
      const limit = setTimeout(() => finish(undefined), TRIAL_LIMIT_MS);
      attempt();
    });
    ctx.say(
      `failover ${n}: n${leader} killed, ` +
        (acked === undefined
          ? `no write acknowledged within ${TRIAL_LIMIT_MS} ms`
          : `write acknowledged via n${via} after ${acked.toFixed(0)} ms`),
    );
    await t.start(leader);
    return acked;
  } finally {
    agent.destroy();
  }
}

export async function failover(ctx: Context): Promise<FailoverResult> {
  const samples: number[] = [];
  let failed = 0;
  for (let i = 1; i <= ctx.settings.failoverTrials; i++) {
    const ms = await trial(ctx, i);
    if (ms === undefined) failed++;
    else samples.push(ms);
  }
  await waitAllCaughtUp(ctx.target);
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    trials: ctx.settings.failoverTrials,
    samplesMs: samples,
    medianMs: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    failed,
  };
}
