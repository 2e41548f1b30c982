/**
 * What the node driver needs of a simulated machine's durable I/O: its disk (the Raft log) and
 * its task database, both outliving the node process, with the faults the scheduler injects.
 * sim-io.ts builds them from cluster/sim/io and db/memory-task-store.ts.
 */
import type { ConfState } from '../../raft/index.js';
import type { LogStore } from '../../node/wal/log-store.js';
import type { Failpoints } from '../../node/failpoints.js';
import type { OpenTaskStore, TaskStore } from '../../../db/task-store.js';
import type { StoreObserver } from './observed-store.js';

export type DiskFault =
  /** Every fsync fails with EIO until cleared (the node dies, as main.ts exits). */
  | 'eio'
  /** fsyncs take much longer. */
  | 'slow'
  /** A bit of a synced record flips; found when the log is next opened. */
  | 'bitflip';

export interface SimNodeDisk {
  /**
   * Opens the log as a starting node does; throws (WalCorruptionError, ...) when it cannot be
   * trusted. `failpoints`: the process's, for the WAL points the log hits.
   */
  open(bootstrap: ConfState, failpoints?: Failpoints): LogStore;
  /** The machine lost power: what was not synced is lost (or torn). */
  crash(): void;
  /** Only the process died: the page cache survives, fsyncs in flight are dropped. */
  kill(): void;
  /** False when there was nothing to apply it to (a bit flip needs a synced entry). */
  fault(kind: DiskFault): boolean;
  /** Clears eio and slow (a replaced cable, a disk that recovered). */
  clearFaults(): void;
}

export type StoreFault = 'stall' | 'fail' | 'slow';

export interface SimNodeDb {
  /** The database itself, without faults: what the end-of-run checks look at. */
  readonly store: TaskStore;
  /** How a node process connects to it (identity stamp, applied-index check, faults). */
  readonly open: OpenTaskStore;
  /** The machine lost power: the last second of commits is lost. */
  crash(): Promise<void>;
  fault(kind: StoreFault): void;
  clearFaults(): void;
}

/** A fresh disk and database for node `id` (a new member gets empty ones). */
export interface SimIoFactory {
  disk(id: number): SimNodeDisk;
  /** `observer`: who sees every write the database does (the checks). */
  db(id: number, observer: StoreObserver): SimNodeDb;
}
