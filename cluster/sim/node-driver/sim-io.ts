/**
 * The simulated disks and databases a node-driver run uses (io.ts), all on the run's clock.
 */
import type { Clock } from '../../node/clock.js';
import { FallbackDb } from './fallback-db.js';
import { FallbackDisk } from './fallback-disk.js';
import type { SimIoFactory } from './io.js';

export function simIo(_seed: number, clock: Clock): SimIoFactory {
  return {
    disk: () => new FallbackDisk(clock),
    db: () => new FallbackDb(clock),
  };
}
