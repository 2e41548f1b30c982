/**
 * The peer transport's frame decoder, JSON parsing, handshake and message validation under
 * 20,000 random and mutated inputs (issue 6 §4, CI size; see frames/target.ts for what must
 * hold). RAFTBOARD_FUZZ_SEED replays a run, RAFTBOARD_FUZZ_INPUTS changes the count. The long
 * run (1,000,000 inputs, with a hang watchdog): node build/test/fuzz/frames.js.
 */
import { describe, expect, it } from 'vitest';
import { runFrameFuzz } from './frames/runner.js';

const SEED = Number(process.env.RAFTBOARD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const INPUTS = Number(process.env.RAFTBOARD_FUZZ_INPUTS ?? '20000');

describe('frame fuzz', () => {
  it(`${INPUTS} inputs: only FrameError, bounded time and memory, exact decoding (seed ${SEED})`, () => {
    process.stderr.write(`frame fuzz: seed ${SEED} (RAFTBOARD_FUZZ_SEED=${SEED})\n`);
    const report = runFrameFuzz({ inputs: INPUTS, seed: SEED });
    process.stderr.write(`${report.summary}\n`);
    expect(report.failure, `seed ${SEED}`).toBeUndefined();
    expect(report.inputs).toBe(INPUTS);
    // Every way a connection can end is reached, and messages do get through validation.
    for (const [why, n] of Object.entries(report.closed))
      expect(n, `closed by ${why}`).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(INPUTS / 10);
  });
});
