/**
 * The long frame fuzz (issue 6 §4): ≥ 1,000,000 random and mutated inputs through the peer
 * transport's frame decoder, JSON parsing, handshake and message validation (see frames/).
 * The inputs are split over worker threads (seed S, S+1, ...; one per CPU, at most 4), and the
 * main thread watches them: an input that does not finish within --hang-seconds is reported as
 * a hang, with the seed and path that replay it. Prints a summary line per worker and one for
 * the run; exit code 1 on any failure.
 *
 * Run: npm run build:node && node build/test/fuzz/frames.js [--inputs 1000000] [--seed S]
 *        [--workers N] [--max-input-ms 500] [--hang-seconds 30] [--path P (with --workers 1)]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { FrameFuzzReport } from './frames/runner.js';
import type { WorkerInput } from './frames/worker.js';

type FromWorker =
  | { readonly type: 'progress'; readonly done: number }
  | { readonly type: 'report'; readonly report: FrameFuzzReport };

interface Plan {
  readonly inputs: number;
  readonly seed: number;
  readonly maxInputMs: number;
  readonly hangMs: number;
  readonly path: string | undefined;
}

/** One worker's run; resolves with its report, or undefined after a hang or a crash. */
function runWorker(plan: Plan, w: number): Promise<FrameFuzzReport | undefined> {
  const progress = new SharedArrayBuffer(4);
  const current = new Int32Array(progress);
  const data: WorkerInput = {
    options: {
      inputs: plan.inputs,
      seed: plan.seed,
      maxInputMs: plan.maxInputMs,
      ...(plan.path === undefined ? {} : { path: plan.path }),
    },
    progress,
  };
  const worker = new Worker(new URL('./frames/worker.js', import.meta.url), { workerData: data });
  return new Promise((resolve) => {
    let last = -1;
    let lastMoved = Date.now();
    const watch = setInterval(() => {
      const now = Atomics.load(current, 0);
      if (now !== last) {
        last = now;
        lastMoved = Date.now();
      } else if (Date.now() - lastMoved > plan.hangMs) {
        clearInterval(watch);
        console.log(
          `worker ${w}: HANG: input ${now} did not finish in ${plan.hangMs / 1000} s ` +
            `(replay: --workers 1 --seed ${plan.seed} --path ${now} --inputs 1)`,
        );
        void worker.terminate().then(() => resolve(undefined));
      }
    }, 1000);
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'progress') {
        console.log(`  worker ${w}: ${msg.done} inputs`);
        return;
      }
      clearInterval(watch);
      if (msg.report.failure !== undefined) console.log(`worker ${w}: ${msg.report.failure}`);
      console.log(`worker ${w}: ${msg.report.summary}`);
      resolve(msg.report);
    });
    worker.on('error', (e) => {
      clearInterval(watch);
      console.log(`worker ${w}: failed: ${e.stack ?? e.message}`);
      resolve(undefined);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      inputs: { type: 'string', default: '1000000' },
      seed: { type: 'string' },
      workers: { type: 'string', default: String(Math.min(4, os.availableParallelism())) },
      path: { type: 'string' },
      'max-input-ms': { type: 'string', default: '500' },
      'hang-seconds': { type: 'string', default: '30' },
    },
  });
  const inputs = Number(values.inputs);
  const workers = values.path === undefined ? Math.max(1, Number(values.workers)) : 1;
  const seed =
    values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  console.log(`frame fuzz: ${inputs} inputs, ${workers} workers, seed ${seed}`);
  const started = Date.now();
  const reports = await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      runWorker(
        {
          inputs: Math.floor(inputs / workers) + (w < inputs % workers ? 1 : 0),
          seed: seed + w,
          maxInputMs: Number(values['max-input-ms']),
          hangMs: Number(values['hang-seconds']) * 1000,
          path: values.path,
        },
        w,
      ),
    ),
  );
  const done = reports.filter((r): r is FrameFuzzReport => r !== undefined);
  const ok = done.length === workers && done.every((r) => r.ok);
  const sum = (f: (r: FrameFuzzReport) => number): number => done.reduce((n, r) => n + f(r), 0);
  const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
  console.log(
    `frame fuzz: ${sum((r) => r.inputs)} inputs (seed ${seed}, ${workers} workers) in ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s: ${sum((r) => r.frames)} frames, ` +
      `${sum((r) => r.accepted)} messages accepted, ${mib(sum((r) => r.bytes))} MiB; slowest input ` +
      `${Math.max(...done.map((r) => r.maxInputMs)).toFixed(1)} ms; heap after GC ` +
      done.map((r) => `${mib(r.heapBeforeBytes)} -> ${mib(r.heapAfterBytes)}`).join(', ') +
      ` MiB: ${ok ? 'OK' : 'FAILED'}`,
  );
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code));
