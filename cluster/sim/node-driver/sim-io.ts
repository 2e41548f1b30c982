/**
 * The simulated disks and databases of a node-driver run: cluster/sim/io's SimDisk and
 * FaultyTaskStore, and db/memory-task-store.ts (the same answers as MySQL), on the run's clock
 * and seeded random streams. The checks' observer sits right on the memory store, under the
 * faults, so it sees every write as the database does (a crash's rollback included).
 */
import type { Clock } from '../../node/clock.js';
import { MemoryTaskStore } from '../../../db/memory-task-store.js';
import { SimDisk } from '../io/sim-disk.js';
import { FaultyTaskStore } from '../io/faulty-task-store.js';
import { SimRng } from '../rng.js';
import type { DiskFault, SimIoFactory, SimNodeDb, SimNodeDisk, StoreFault } from './io.js';
import { ObservedTaskStore, type StoreObserver } from './observed-store.js';

/** How long a slowed database call takes (whole ms: the trace's times stay integers). */
const SLOW_DB_MS = 40;

function diskOf(disk: SimDisk): SimNodeDisk {
  return {
    open: (bootstrap, failpoints) => disk.open(bootstrap, failpoints),
    crash: () => disk.crash(),
    kill: () => disk.kill(),
    fault: (kind: DiskFault) => {
      if (kind === 'eio') disk.faults.fsyncFails = true;
      else if (kind === 'slow') disk.faults.slow = true;
      else return disk.corruptRecord();
      return true;
    },
    clearFaults: () => {
      disk.faults.fsyncFails = false;
      disk.faults.slow = false;
    },
  };
}

function dbOf(memory: MemoryTaskStore, faulty: FaultyTaskStore): SimNodeDb {
  return {
    store: memory,
    open: faulty.opener((opts) =>
      memory.stampOrCheckIdentity(opts.identity, opts.log, opts.verifyApplied),
    ),
    crash: () => faulty.crash(),
    fault: (kind: StoreFault) => {
      if (kind === 'stall') faulty.stall();
      else if (kind === 'fail') faulty.faults.failing = true;
      else {
        faulty.faults.latencyMs = SLOW_DB_MS;
      }
    },
    clearFaults: () => {
      faulty.faults.failing = false;
      faulty.faults.latencyMs = 0;
      faulty.unstall();
    },
  };
}

export function simIo(seed: number, clock: Clock, queryTimeoutMs: number): SimIoFactory {
  return {
    disk: (id) => {
      const rng = new SimRng(seed, `disk${id}`);
      const disk = new SimDisk({ clock, random: () => rng.float() });
      // A power loss may leave the last unsynced record half written (recovery cuts it).
      disk.faults.tornWrite = rng.chance(0.5);
      return diskOf(disk);
    },
    db: (id, observer: StoreObserver) => {
      const rng = new SimRng(seed, `db${id}`);
      const memory = new MemoryTaskStore({ database: `raftboard_n${id}` });
      const faulty = new FaultyTaskStore(new ObservedTaskStore(memory, () => observer), {
        clock,
        random: () => rng.float(),
      });
      // A frozen MySQL's statements fail after the pool's statement limit, as the real one's.
      faulty.faults.queryTimeoutMs = queryTimeoutMs;
      return dbOf(memory, faulty);
    },
  };
}
