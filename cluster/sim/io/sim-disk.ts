/**
 * A node's disk in the simulator: survives crashes of the node process, loses what was never
 * synced at a power loss, and takes injectable faults (see DiskFaults). `open` gives the
 * LogStore a node runs on (SimLogStore: DiskStorage's semantics over these records).
 * Deterministic: time only through the Clock, chance only through the seeded `random`.
 */
import type { ConfState, Snapshot } from '../../raft/index.js';
import type { Clock, TimerHandle } from '../../node/clock.js';
import type { LogStore } from '../../node/wal/log-store.js';
import type { Failpoints } from '../../node/failpoints.js';
import { DiskStorageError } from '../../node/wal/errors.js';
import {
  eio,
  zeroCounts,
  type DiskFaultCounts,
  type DiskFaults,
  type DiskRecord,
  type Slot,
} from './disk-records.js';
import { recoverLog } from './disk-recovery.js';
import { SimLogStore } from './sim-log-store.js';

export interface SimDiskOptions {
  readonly clock: Clock;
  /** Seeded: a float in [0, 1). */
  readonly random: () => number;
  /** One fsync's latency on the clock (default 2 ms). */
  readonly fsyncLatencyMs?: number;
  /** The latency multiplier while `faults.slow` (default 20). */
  readonly slowFactor?: number;
  /** Snapshots kept (DiskStorage's retainSnapshots, default 2). */
  readonly retainSnapshots?: number;
  /** Recovery notes (a torn tail cut). Default: none. */
  readonly log?: (message: string) => void;
}

/** Called between "snapshot record durable" and "log compacted" (a failpoint may crash there). */
export type SnapshotDurableHook = (index: number) => void;

export class SimDisk {
  readonly faults: DiskFaults = {
    tornWrite: false,
    tearSynced: false,
    fsyncFails: false,
    slow: false,
  };
  readonly counts: DiskFaultCounts = zeroCounts();
  /** See SnapshotDurableHook. */
  onSnapshotDurable: SnapshotDurableHook | undefined;
  readonly clock: Clock;
  readonly retainSnapshots: number;
  private readonly random: () => number;
  private readonly fsyncLatencyMs: number;
  private readonly slowFactor: number;
  private readonly log: (message: string) => void;
  private slots: Slot[] = [];
  private nextPos = 0;
  private store: SimLogStore | undefined;
  /** fsyncs in flight (cancelled when the process dies). */
  private readonly pending = new Set<TimerHandle>();

  constructor(opts: SimDiskOptions) {
    this.clock = opts.clock;
    this.random = opts.random;
    this.fsyncLatencyMs = opts.fsyncLatencyMs ?? 2;
    this.slowFactor = opts.slowFactor ?? 20;
    this.retainSnapshots = opts.retainSnapshots ?? 2;
    this.log = opts.log ?? (() => undefined);
  }

  /**
   * Opens the disk as DiskStorage.open opens a directory: initialised with snapshot 0 of
   * `bootstrap` when new, else recovered (a torn tail cut; WalCorruptionError for damage a
   * crash cannot explain). One open store at a time, as the data dir's lock allows.
   * `failpoints`: the WAL points the store hits (SimLogStore's; default none).
   */
  open(bootstrap: ConfState, failpoints?: Failpoints): LogStore {
    if (this.store !== undefined && this.store.isOpen())
      throw new Error('the disk is in use by a running node (its data dir is locked)');
    if (this.slots.length === 0) {
      const snapshot: Snapshot = {
        metadata: {
          index: 0,
          term: 0,
          conf: { voters: [...bootstrap.voters], learners: [...bootstrap.learners] },
        },
        data: '',
      };
      this.write({ kind: 'snapshot', snapshot, base: this.nextPos });
      this.write({ kind: 'hardState', hardState: { term: 0, vote: 0, commit: 0 } });
      this.markDurable(this.nextPos);
    }
    let recovered;
    try {
      recovered = recoverLog(this.slots);
    } catch (e) {
      if (e instanceof DiskStorageError) this.counts.refusedOpens++;
      throw e;
    }
    const torn = recovered.torn;
    if (torn !== undefined) {
      this.erase((s) => s === torn);
      this.counts.tornCut++;
      this.log(`WAL: truncated the torn tail at record ${torn.pos}`);
    }
    this.store = new SimLogStore(this, recovered, failpoints);
    return this.store;
  }

  /** Power loss: the node process dies and every unsynced write is lost (or one torn). */
  crash(): void {
    this.counts.crashes++;
    this.killProcess();
    const unsynced = this.slots.filter((s) => !s.durable);
    let survivors: Slot[] = [];
    if (this.faults.tornWrite && unsynced.length > 0) {
      // The disk wrote part of its cache before the power went: a prefix, the last one torn.
      const k = Math.floor(this.random() * unsynced.length);
      survivors = unsynced.slice(0, k + 1);
      const last = unsynced[k]!;
      if (last.record.kind === 'entry') {
        last.state = 'torn';
        this.counts.tornWrites++;
      } else survivors.pop();
    } else if (this.faults.tornWrite && this.faults.tearSynced) {
      const last = this.slots[this.slots.length - 1];
      if (last?.record.kind === 'entry' && last.state === 'ok') {
        last.state = 'torn';
        this.counts.tornSynced++;
      }
    }
    this.counts.lostRecords += unsynced.filter(
      (s) => !survivors.includes(s) || s.state === 'torn',
    ).length;
    const kept = new Set(survivors);
    this.slots = this.slots.filter((s) => s.durable || kept.has(s));
    for (const s of survivors) s.durable = true;
  }

  /** The node process dies (kill -9): the page cache survives, so nothing is lost. */
  kill(): void {
    this.counts.kills++;
    this.killProcess();
  }

  /**
   * Flips a bit in a durable entry record (at `index`, else one chosen by the seeded random).
   * The running node does not notice; the next open refuses with WalCorruptionError (unless
   * compaction released the record first). False when there is no such record.
   */
  corruptRecord(index?: number): boolean {
    const candidates = this.slots.filter(
      (s) =>
        s.durable &&
        s.state === 'ok' &&
        s.record.kind === 'entry' &&
        (index === undefined || s.record.entry.index === index),
    );
    if (candidates.length === 0) return false;
    candidates[Math.floor(this.random() * candidates.length)]!.state = 'corrupt';
    this.counts.corruptions++;
    return true;
  }

  /** The records on the disk, in write order (for tests and traces; do not modify). */
  records(): readonly Readonly<Slot>[] {
    return this.slots;
  }

  // ---- the device, as SimLogStore drives it ----

  /** The position the next record written will get. */
  nextPosition(): number {
    return this.nextPos;
  }

  /** Writes a record to the page cache; returns its position. */
  write(record: DiskRecord): number {
    const pos = this.nextPos++;
    this.slots.push({ pos, record, state: 'ok', durable: false });
    return pos;
  }

  /** A synchronous fsync of everything written so far; throws EIO while `fsyncFails`. */
  fsync(): void {
    this.syncCheck();
    this.markDurable(this.nextPos);
  }

  /** An fsync that completes after the latency on the clock; dropped if the process dies. */
  fsyncAsync(done: (error: Error | null) => void): void {
    const upTo = this.nextPos;
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(timer);
      try {
        this.syncCheck();
      } catch (e) {
        done(e as Error);
        return;
      }
      this.markDurable(upTo);
      done(null);
    }, this.latency());
    this.pending.add(timer);
  }

  /** Deletes records (file deletions: immediate). */
  erase(which: (slot: Readonly<Slot>) => boolean): void {
    this.slots = this.slots.filter((s) => !which(s));
  }

  private latency(): number {
    if (!this.faults.slow) return this.fsyncLatencyMs;
    this.counts.slowSyncs++;
    return this.fsyncLatencyMs * this.slowFactor;
  }

  private syncCheck(): void {
    if (this.faults.fsyncFails) {
      this.counts.fsyncFailures++;
      throw eio();
    }
  }

  private markDurable(upTo: number): void {
    for (const s of this.slots) if (s.pos < upTo) s.durable = true;
  }

  private killProcess(): void {
    for (const timer of this.pending) this.clock.clearTimer(timer);
    this.pending.clear();
    this.store?.die();
  }
}
