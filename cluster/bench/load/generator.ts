/**
 * The closed-loop load generator both systems are driven by: `clients` workers, each with its own
 * keep-alive connection, send one request, wait for the answer, send the next, until the time
 * (or the count of successes) is up. Latency is measured per request from send to last byte.
 */
import { keepAliveAgent, send, type RequestSpec } from './http.js';
import { summarize, type LatencySummary } from './stats.js';

export interface LoadOptions {
  readonly clients: number;
  /** Stop after this long... */
  readonly seconds?: number;
  /** ...or once this many requests succeeded (whichever comes first). */
  readonly successes?: number;
  /** The request a worker sends next; `seq` is unique across workers. */
  readonly request: (seq: number) => RequestSpec;
  /** 2xx by default. */
  readonly ok?: (status: number) => boolean;
  readonly timeoutMs?: number;
}

export interface LoadResult extends LatencySummary {
  readonly clients: number;
  readonly seconds: number;
  /** Successful requests per second over the run. */
  readonly perSec: number;
  readonly errors: number;
  /** The first few error texts, to say why. */
  readonly errorSamples: readonly string[];
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  if (opts.seconds === undefined && opts.successes === undefined) {
    throw new Error('runLoad needs seconds or successes');
  }
  const agent = keepAliveAgent(opts.clients);
  const isOk = opts.ok ?? ((s: number) => s >= 200 && s <= 299);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let seq = 0;
  const started = performance.now();
  const until = opts.seconds === undefined ? Infinity : started + opts.seconds * 1000;
  const enough = (): boolean =>
    performance.now() >= until ||
    (opts.successes !== undefined && latencies.length >= opts.successes);
  const failed = (why: string): void => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(why);
  };
  try {
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (!enough()) {
          const spec = opts.request(seq++);
          const t0 = performance.now();
          try {
            const a = await send(spec, agent, opts.timeoutMs ?? 10_000);
            if (isOk(a.status)) latencies.push(performance.now() - t0);
            else failed(`HTTP ${a.status} ${a.text.slice(0, 120)}`);
          } catch (e) {
            failed((e as Error).message);
            // A refused connection fails at once: do not spin.
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    ...summarize(latencies),
    clients: opts.clients,
    seconds,
    perSec: latencies.length / seconds,
    errors,
    errorSamples,
  };
}
