/**
 * What the node driver needs of a simulated node's durable I/O: its disk (the Raft log) and its
 * task database, both surviving the node's process, with the faults the scheduler injects.
 * sim-io.ts builds them from cluster/sim/io.
 */
import type { ConfState } from '../../raft/index.js';
import type { Clock } from '../../node/clock.js';
import type { LogStore } from '../../node/wal/log-store.js';
import type { OpenTaskStoreOptions, TaskStore } from '../../../db/task-store.js';

export type DiskFault =
  /** Every fsync fails with EIO from now on (the node dies at its next write, as main.ts exits). */
  | 'eio'
  /** fsyncs take a long time. */
  | 'slow'
  /** A bit of a synced record flips; found when the log is next opened. */
  | 'bitflip';

export interface SimNodeDisk {
  /** Opens the log as a starting node does; throws (WalCorruptionError, ...) when it cannot be trusted. */
  open(bootstrap: ConfState): LogStore;
  /** The machine lost power: what was not synced is lost (or torn). */
  crash(): void;
  /** Only the process died: the page cache survives, fsyncs in flight are dropped. */
  kill(): void;
  fault(kind: DiskFault): void;
  /** Clears eio and slow (a replaced disk, a disk that recovered). */
  clearFaults(): void;
}

export type StoreFault = 'stall' | 'fail' | 'slow';

export interface SimNodeDb {
  /** The database itself (no faults): what the checks look at. */
  readonly store: TaskStore;
  /**
   * Opens it for one node process: identity stamp and applied-index check as the real open does,
   * `observed` (a wrapper of `store`) behind the fault layer.
   */
  open(opts: OpenTaskStoreOptions, observed: TaskStore, clock: Clock): Promise<TaskStore>;
  /** The machine lost power: the last second of commits is lost. */
  crash(): void;
  fault(kind: StoreFault): void;
  clearFaults(): void;
}

/** A fresh disk and database for node `id` (a new member gets empty ones). */
export interface SimIoFactory {
  disk(id: number): SimNodeDisk;
  db(id: number): SimNodeDb;
}
