/**
 * The simulated disks and databases of cluster/sim/io, as the node driver uses them (io.ts).
 */
import type { SimIoFactory } from './io.js';

export function simIo(seed: number): SimIoFactory {
  throw new Error(`cluster/sim/io has not landed yet (seed ${seed})`);
}
