/** Shared bits of the simulated-I/O tests. */
import type { Entry } from '../../../cluster/raft/index.js';

export const CONF = { voters: [1, 2, 3], learners: [] };

export function ents(from: number, to: number, term = 1): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: 'normal', data: `e${i}` });
  return out;
}

/** Lets promise continuations run (test code only: the simulation itself never does this). */
export function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A fixed sequence of "random" numbers, repeating. */
export function fixedRandom(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}
