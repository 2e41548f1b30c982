/**
 * What a simulated disk holds: records (entries, hard states, snapshots) in write order. A
 * record is volatile (in the page cache) until a sync covers it; a crash keeps only durable
 * ones, and may leave one half written. Byte layout is not modelled, only what the real WAL's
 * checks can tell apart: intact, torn (cut short by a crash) or corrupt (a flipped bit).
 */
import type { Entry, HardState, Snapshot } from '../../raft/index.js';

export type DiskRecord =
  | { readonly kind: 'entry'; readonly entry: Entry }
  | { readonly kind: 'hardState'; readonly hardState: HardState }
  /** `base`: the position where the log that follows this snapshot starts (DiskStorage's walBase). */
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot; readonly base: number };

export type RecordState = 'ok' | 'torn' | 'corrupt';

export interface Slot {
  /** Position in write order; never reused, so a snapshot's `base` stays meaningful. */
  readonly pos: number;
  readonly record: DiskRecord;
  state: RecordState;
  /** A sync has covered it: it survives a power loss. */
  durable: boolean;
}

/** Switchable faults of a SimDisk; all off by default. */
export interface DiskFaults {
  /** At a crash, one unsynced entry record (chosen by the seeded random) is left torn. */
  tornWrite: boolean;
  /**
   * With tornWrite, and nothing unsynced at the crash: the last durable entry record is torn
   * (a disk that lies about fsync). Recovery cuts it: acknowledged data can be lost.
   */
  tearSynced: boolean;
  /** Every sync fails with EIO while set. */
  fsyncFails: boolean;
  /** fsync latency is multiplied by the disk's `slowFactor`. */
  slow: boolean;
}

/** How often each fault struck (and what recovery did about it). */
export interface DiskFaultCounts {
  crashes: number;
  kills: number;
  /** Unsynced records a crash lost (a torn one included). */
  lostRecords: number;
  tornWrites: number;
  tornSynced: number;
  corruptions: number;
  fsyncFailures: number;
  slowSyncs: number;
  /** Torn tails recovery cut at an open. */
  tornCut: number;
  /** Opens refused with WalCorruptionError / DiskStorageError. */
  refusedOpens: number;
}

export function zeroCounts(): DiskFaultCounts {
  return {
    crashes: 0,
    kills: 0,
    lostRecords: 0,
    tornWrites: 0,
    tornSynced: 0,
    corruptions: 0,
    fsyncFailures: 0,
    slowSyncs: 0,
    tornCut: 0,
    refusedOpens: 0,
  };
}

/** The error an fsync that failed throws (as Node's fs does). */
export function eio(): Error {
  return Object.assign(new Error('EIO: i/o error, fdatasync'), {
    code: 'EIO',
    errno: -5,
    syscall: 'fdatasync',
  });
}
