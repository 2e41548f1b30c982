/**
 * Runs N frame-fuzz inputs (fast-check, seeded) through `runCase` and measures them: the time
 * of every input (the slowest must stay under a bound: a decoder that loops or goes quadratic
 * shows here) and the heap before and after (after a forced GC, so growth means something is
 * kept). A broken invariant is shrunk by fast-check to a small input, printed with the seed and
 * path that replay it.
 */
import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { frameCase } from './stream.js';
import { runCase, type CaseOutcome } from './target.js';

export interface FrameFuzzOptions {
  readonly inputs: number;
  readonly seed: number;
  /** The slowest input may take this long (default 500 ms). */
  readonly maxInputMs?: number;
  /**
   * How an input's time is measured: 'cpu' (default; a loaded machine that deschedules the
   * process is not a hang) or 'wall' (in worker threads, where the CPU time is the process's,
   * all workers together).
   */
  readonly clock?: 'cpu' | 'wall';
  /** The heap may grow by this much over the run, after GC (default 64 MiB). */
  readonly maxHeapGrowthBytes?: number;
  /** Replays one input (fast-check path, as printed on failure). */
  readonly path?: string;
  /** Called before every generated input with its index (a watchdog's view of progress). */
  readonly onInput?: (index: number) => void;
  /** Called every `progressEvery` inputs with the number done. */
  readonly onProgress?: (done: number) => void;
  readonly progressEvery?: number;
}

export interface FrameFuzzReport {
  readonly ok: boolean;
  readonly inputs: number;
  readonly seed: number;
  readonly failure?: string;
  readonly closed: Readonly<Record<CaseOutcome['closed'], number>>;
  readonly frames: number;
  readonly accepted: number;
  readonly bytes: number;
  readonly maxInputMs: number;
  readonly slowInputs: number;
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
  readonly heapPeakBytes: number;
  readonly seconds: number;
  readonly summary: string;
}

/** `gc()`, available without --expose-gc (enabled at run time; only affects this process). */
function gcFunction(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const MiB = 1024 * 1024;

export function runFrameFuzz(opts: FrameFuzzOptions): FrameFuzzReport {
  const maxInputMs = opts.maxInputMs ?? 500;
  const clock =
    opts.clock === 'wall'
      ? () => performance.now()
      : () => {
          const u = process.cpuUsage();
          return (u.user + u.system) / 1000;
        };
  const maxGrowth = opts.maxHeapGrowthBytes ?? 64 * MiB;
  const every = opts.progressEvery ?? 10_000;
  const gc = gcFunction();
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).join(',');
  const closed: Record<CaseOutcome['closed'], number> = {
    open: 0,
    frame: 0,
    json: 0,
    invalid: 0,
    handshake: 0,
  };
  let frames = 0;
  let accepted = 0;
  let bytes = 0;
  let slowest = 0;
  let slow = 0;
  let done = 0;
  let peak = 0;
  let slowNote = '';
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();

  let shrinking = false;
  const property = fc.property(frameCase, (c) => {
    if (!shrinking) opts.onInput?.(done);
    const start = clock();
    let out: CaseOutcome;
    try {
      out = runCase(c);
    } catch (e) {
      // fast-check shrinks from here on: those re-runs are not inputs of the run.
      shrinking = true;
      throw e;
    }
    const ms = clock() - start;
    if (!shrinking) {
      done++;
      closed[out.closed]++;
      frames += out.frames;
      accepted += out.accepted;
      bytes += out.bytes;
      if (ms > slowest) slowest = ms;
      if (ms > maxInputMs) {
        slow++;
        slowNote ||= `input ${done - 1} took ${ms.toFixed(0)} ms (${out.bytes} bytes; replay: seed ${opts.seed}, path "${done - 1}")`;
      }
      if (done % every === 0) {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
        opts.onProgress?.(done);
      }
    }
  });
  const details = fc.check(property, {
    seed: opts.seed,
    numRuns: opts.inputs,
    ...(opts.path === undefined ? {} : { path: opts.path }),
  });
  const seconds = (performance.now() - t0) / 1000;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  peak = Math.max(peak, heapAfter);

  const failures: string[] = [];
  if (details.failed) {
    failures.push(
      `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n` +
        `  replay: seed ${details.seed}, path "${details.counterexamplePath}"\n` +
        `  shrunk input: ${fc.stringify(details.counterexample?.[0]).slice(0, 3000)}`,
    );
  }
  if (slow > 0)
    failures.push(
      `${slow} inputs over ${maxInputMs} ms (${opts.clock ?? 'cpu'}); first: ${slowNote}`,
    );
  if (heapAfter - heapBefore > maxGrowth) {
    failures.push(`the heap grew by ${((heapAfter - heapBefore) / MiB).toFixed(1)} MiB after GC`);
  }
  if (Object.getOwnPropertyNames(Object.prototype).join(',') !== protoBefore) {
    failures.push('Object.prototype changed (prototype pollution)');
  }
  const ok = failures.length === 0;
  const summary =
    `frame fuzz: ${done} inputs (seed ${opts.seed}) in ${seconds.toFixed(1)} s, ` +
    `${(bytes / MiB).toFixed(1)} MiB, ${frames} frames, ${accepted} messages accepted; closed by ` +
    `frame error ${closed.frame}, bad JSON ${closed.json}, invalid message ${closed.invalid}, ` +
    `handshake ${closed.handshake}, still open ${closed.open}; slowest input ` +
    `${slowest.toFixed(1)} ms (${opts.clock ?? 'cpu'}); heap ${(heapBefore / MiB).toFixed(1)} -> ` +
    `${(heapAfter / MiB).toFixed(1)} MiB after GC (peak ${(peak / MiB).toFixed(1)}): ` +
    (ok ? 'OK' : 'FAILED');
  return {
    ok,
    inputs: done,
    seed: opts.seed,
    ...(ok ? {} : { failure: failures.join('\n') }),
    closed,
    frames,
    accepted,
    bytes,
    maxInputMs: slowest,
    slowInputs: slow,
    heapBeforeBytes: heapBefore,
    heapAfterBytes: heapAfter,
    heapPeakBytes: peak,
    seconds,
    summary,
  };
}
