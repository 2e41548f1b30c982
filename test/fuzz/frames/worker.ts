/**
 * The frame fuzz in a worker thread, so the script's main thread can watch it: the worker
 * writes the index of the input it is on into shared memory before each input, and posts its
 * report at the end. A worker stuck in one input cannot post anything, but the main thread sees
 * the index stop moving.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runFrameFuzz, type FrameFuzzOptions } from './runner.js';

export interface WorkerInput {
  readonly options: Omit<FrameFuzzOptions, 'onInput' | 'onProgress'>;
  /** [0]: index of the current input. */
  readonly progress: SharedArrayBuffer;
}

const { options, progress } = workerData as WorkerInput;
const current = new Int32Array(progress);
const report = runFrameFuzz({
  ...options,
  clock: 'wall',
  onInput: (i) => Atomics.store(current, 0, i),
  onProgress: (done) => parentPort?.postMessage({ type: 'progress', done }),
  progressEvery: 100_000,
});
parentPort?.postMessage({ type: 'report', report });
