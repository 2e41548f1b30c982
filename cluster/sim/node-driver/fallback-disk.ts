/**
 * A stand-in disk for the node driver until cluster/sim/io's SimDisk is merged: a MemoryStorage
 * that survives the process; appends become durable after an fsync latency on the clock (a crash
 * before that loses them), fsync EIO, slow fsyncs, and a latent bit flip that the next open
 * refuses (WalCorruptionError).
 */
import {
  MemoryStorage,
  type ConfState,
  type Entry,
  type HardState,
  type Snapshot,
  type Storage,
} from '../../raft/index.js';
import type { Clock, TimerHandle } from '../../node/clock.js';
import { DiskStorageError, WalCorruptionError } from '../../node/wal/errors.js';
import type { LogStore, SaveBatch } from '../../node/wal/log-store.js';
import type { DiskFault, SimNodeDisk } from './io.js';

const FSYNC_MS = 2;
const SLOW_FACTOR = 20;

export class FallbackDisk implements SimNodeDisk {
  private mem: MemoryStorage | undefined;
  /** Entries written but not yet synced (lost at a crash). */
  private unsynced: { from: number; durable: MemoryStorage } | undefined;
  private eio = false;
  private slow = false;
  private corrupt = false;
  private readonly pending = new Set<TimerHandle>();

  constructor(private readonly clock: Clock) {}

  open(bootstrap: ConfState): LogStore {
    if (this.corrupt) {
      throw new WalCorruptionError('wal/0000.log', 4096, 'crc mismatch (sim bit flip)');
    }
    if (this.mem === undefined) this.mem = new MemoryStorage(bootstrap);
    return new FallbackLogStore(this, this.mem);
  }

  crash(): void {
    this.kill();
    const u = this.unsynced;
    if (u !== undefined && this.mem !== undefined) {
      // Back to what was durable before the unsynced append.
      this.mem = u.durable;
    }
    this.unsynced = undefined;
  }

  kill(): void {
    for (const t of this.pending) this.clock.clearTimer(t);
    this.pending.clear();
  }

  fault(kind: DiskFault): void {
    if (kind === 'eio') this.eio = true;
    else if (kind === 'slow') this.slow = true;
    else this.corrupt = true;
  }

  clearFaults(): void {
    this.eio = false;
    this.slow = false;
  }

  syncCheck(): void {
    if (this.eio) throw new DiskStorageError('fsync failed: EIO (sim)');
  }

  /** Writes now, durable after the latency (unless a crash comes first). */
  appendAsync(
    mem: MemoryStorage,
    entries: readonly Entry[],
    done: (e: Error | null) => void,
  ): void {
    const durable = copyStorage(mem);
    mem.append(entries);
    this.unsynced = { from: entries[0].index, durable };
    const t = this.clock.setTimeout(
      () => {
        this.pending.delete(t);
        try {
          this.syncCheck();
        } catch (e) {
          done(e as Error);
          return;
        }
        this.unsynced = undefined;
        done(null);
      },
      this.slow ? FSYNC_MS * SLOW_FACTOR : FSYNC_MS,
    );
    this.pending.add(t);
  }
}

function copyStorage(m: MemoryStorage): MemoryStorage {
  const snap = m.snapshot();
  const c = new MemoryStorage(snap.metadata.conf);
  c.applySnapshot(snap);
  c.setHardState(m.getHardState());
  const first = m.firstIndex();
  const last = m.lastIndex();
  if (first > snap.metadata.index + 1) c.compact(first - 1);
  if (last >= first) c.append(m.entries(first, last + 1, Number.MAX_SAFE_INTEGER));
  return c;
}

class FallbackLogStore implements LogStore {
  private open = true;

  constructor(
    private readonly disk: FallbackDisk,
    private readonly mem: MemoryStorage,
  ) {}

  initialState(): ReturnType<Storage['initialState']> {
    return this.mem.initialState();
  }
  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return this.mem.entries(lo, hi, maxBytes);
  }
  term(index: number): number {
    return this.mem.term(index);
  }
  firstIndex(): number {
    return this.mem.firstIndex();
  }
  lastIndex(): number {
    return this.mem.lastIndex();
  }
  snapshot(): Snapshot {
    return this.mem.snapshot();
  }
  getHardState(): HardState {
    return this.mem.getHardState();
  }

  save(batch: SaveBatch): void {
    this.disk.syncCheck();
    if (batch.snapshot) this.mem.applySnapshot(batch.snapshot);
    this.mem.append(batch.entries);
    if (batch.hardState) this.mem.setHardState(batch.hardState);
  }

  appendAsync(entries: readonly Entry[], done: (error: Error | null) => void): void {
    this.disk.appendAsync(this.mem, entries, done);
  }

  createSnapshotAsync(
    index: number,
    conf: ConfState,
    data: string,
    keepEntries = 0,
  ): Promise<Snapshot> {
    if (index <= this.mem.snapshot().metadata.index) return Promise.resolve(this.mem.snapshot());
    const snap = this.mem.createSnapshot(index, conf, data);
    const upTo = index - keepEntries;
    if (upTo > this.mem.firstIndex() - 1) this.mem.compact(upTo);
    return Promise.resolve(snap);
  }

  close(): void {
    this.open = false;
  }
}
