/**
 * The LogStore a simulated node runs on: DiskStorage's semantics (cluster/node/wal/README.md)
 * over a SimDisk's records. Reads are served from a MemoryStorage, as DiskStorage's are; the
 * disk is written in the same order (snapshot, entries, one sync, then the hard state written
 * atomically) and read only when opened. After a failed sync every write refuses; after the
 * process died (SimDisk.crash/kill) nothing it started completes.
 */
import { MemoryStorage, StorageRangeError } from '../../raft/storage.js';
import type { ConfState, Entry, HardState, Snapshot } from '../../raft/index.js';
import type { LogStore, SaveBatch } from '../../node/wal/log-store.js';
import type { Failpoints } from '../../node/failpoints.js';
import type { DiskRecord } from './disk-records.js';
import type { RecoveredLog } from './disk-recovery.js';
import type { SimDisk } from './sim-disk.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export class SimLogStore implements LogStore {
  private readonly mem: MemoryStorage;
  /** Where the log of the current snapshot starts (DiskStorage's walBase). */
  private base: number;
  private syncing = false;
  private closed = false;
  private dead = false;
  private failure: unknown;

  constructor(
    private readonly disk: SimDisk,
    recovered: RecoveredLog,
    /**
     * DiskStorage's WAL failpoints, hit at the same places: `wal-before-write`,
     * `wal-after-write`, `wal-after-sync` (a save or appendAsync with entries) and
     * `snapshot-before-compact`. Default: none.
     */
    private readonly fp?: Failpoints,
  ) {
    const snap = recovered.snapshot;
    this.mem = new MemoryStorage(copyConf(snap.metadata.conf));
    if (snap.metadata.index > 0) this.mem.applySnapshot(snap);
    this.mem.append(recovered.entries);
    this.mem.setHardState({ ...recovered.hardState });
    this.base = recovered.base;
  }

  /** Neither closed nor dead: the disk counts as in use. */
  isOpen(): boolean {
    return !this.closed && !this.dead;
  }

  /** The process died: nothing more happens (SimDisk.crash/kill). */
  die(): void {
    this.dead = true;
  }

  // ---- Storage (the core's reads) ----

  initialState(): { hardState: HardState; conf: ConfState } {
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

  // ---- writes ----

  save(batch: SaveBatch): void {
    this.writable();
    this.notSyncing();
    const entries = batch.entries.length > 0;
    if (entries) this.fp?.hit('wal-before-write');
    try {
      if (batch.snapshot) this.install(batch.snapshot);
      this.append(batch.entries);
    } catch (e) {
      if (!(e instanceof StorageRangeError)) this.failure = e;
      throw e;
    }
    if (entries) this.fp?.hit('wal-after-write');
    try {
      this.disk.fsync();
      if (batch.hardState) {
        const { term, vote, commit } = batch.hardState;
        const pos = this.writeAtomic({ kind: 'hardState', hardState: { term, vote, commit } });
        this.disk.erase((s) => s.record.kind === 'hardState' && s.pos < pos);
        this.mem.setHardState({ term, vote, commit });
      }
    } catch (e) {
      this.failure = e;
      throw e;
    }
    if (entries) this.fp?.hit('wal-after-sync');
  }

  appendAsync(entries: readonly Entry[], done: (error: Error | null) => void): void {
    this.writable();
    this.notSyncing();
    if (entries.length > 0) this.fp?.hit('wal-before-write');
    let wrote: boolean;
    try {
      wrote = this.append(entries);
    } catch (e) {
      if (!(e instanceof StorageRangeError)) this.failure = e;
      throw e;
    }
    if (!wrote) {
      this.disk.clock.soon(() => {
        if (!this.dead) done(null);
      });
      return;
    }
    this.fp?.hit('wal-after-write');
    this.syncing = true;
    this.disk.fsyncAsync((error) => {
      this.syncing = false;
      if (error) this.failure = error;
      else this.fp?.hit('wal-after-sync');
      done(error);
    });
  }

  /** Installs a snapshot received from the leader: the same as save({ snapshot }). */
  applySnapshot(snap: Snapshot): void {
    this.save({ snapshot: snap, entries: [] });
  }

  async createSnapshotAsync(
    index: number,
    conf: ConfState,
    data: string,
    keepEntries = 0,
  ): Promise<Snapshot> {
    this.writable();
    if (index <= this.mem.snapshot().metadata.index) return this.mem.snapshot();
    if (index > this.mem.lastIndex())
      throw new StorageRangeError(
        `snapshot at ${index} is beyond the last index ${this.mem.lastIndex()}`,
      );
    const snapshot: Snapshot = {
      metadata: { index, term: this.mem.term(index), conf: copyConf(conf) },
      data,
    };
    const base = this.base;
    const pos = this.disk.write({ kind: 'snapshot', snapshot, base });
    const error = await new Promise<Error | null>((resolve) => this.disk.fsyncAsync(resolve));
    if (this.dead) return never();
    if (error) {
      this.disk.erase((s) => s.pos === pos); // the rename never happened
      this.failure = error;
      throw error;
    }
    if (
      this.closed ||
      this.failure !== undefined ||
      this.base !== base ||
      index <= this.mem.snapshot().metadata.index
    ) {
      // The storage moved on meanwhile: a valid snapshot of a state it has passed, unlisted.
      this.disk.erase((s) => s.pos === pos);
      return this.mem.snapshot();
    }
    this.disk.onSnapshotDurable?.(index);
    if (this.dead) return never();
    this.fp?.hit('snapshot-before-compact');
    if (this.dead) return never();
    this.mem.createSnapshot(index, snapshot.metadata.conf, data);
    this.mem.compact(index - keepEntries);
    this.release();
    return this.mem.snapshot();
  }

  close(): void {
    this.closed = true;
  }

  // ---- internals ----

  private writable(): void {
    if (this.dead) throw new Error('SimLogStore: the node process is dead');
    if (this.closed) throw new Error('SimLogStore is closed');
    if (this.failure !== undefined)
      throw new Error(`SimLogStore failed earlier and cannot be written: ${String(this.failure)}`);
  }

  private notSyncing(): void {
    if (this.syncing) throw new Error('SimLogStore: a write while appendAsync is still syncing');
  }

  /** A hard state or snapshot file: written, synced, then renamed into place (or not at all). */
  private writeAtomic(record: DiskRecord): number {
    const pos = this.disk.write(record);
    try {
      this.disk.fsync();
    } catch (e) {
      this.disk.erase((s) => s.pos === pos);
      throw e;
    }
    return pos;
  }

  /** A leader's snapshot replaces the whole log. */
  private install(snap: Snapshot): void {
    const index = snap.metadata.index;
    if (index <= this.mem.snapshot().metadata.index) return;
    this.disk.fsync();
    const snapshot: Snapshot = {
      metadata: { ...snap.metadata, conf: copyConf(snap.metadata.conf) },
      data: snap.data,
    };
    // The log that follows it starts right after its record.
    const at = this.writeAtomic({ kind: 'snapshot', snapshot, base: this.disk.nextPosition() + 1 });
    this.base = at + 1;
    this.mem.applySnapshot(snapshot);
    this.disk.erase((s) => s.pos < at && s.record.kind !== 'hardState');
  }

  /** Writes entry records (those the snapshot covers skipped); true when any was written. */
  private append(entries: readonly Entry[]): boolean {
    if (entries.length === 0) return false;
    for (let k = 1; k < entries.length; k++) {
      if (entries[k]!.index !== entries[0]!.index + k)
        throw new StorageRangeError(`entries to append are not contiguous at ${entries[k]!.index}`);
    }
    const offset = this.mem.firstIndex() - 1;
    const from = Math.max(0, offset + 1 - entries[0]!.index);
    if (from >= entries.length) return false;
    const first = entries[from]!.index;
    if (first > this.mem.lastIndex() + 1)
      throw new StorageRangeError(`append at ${first} leaves a gap after ${this.mem.lastIndex()}`);
    for (let k = from; k < entries.length; k++)
      this.disk.write({ kind: 'entry', entry: { ...entries[k]! } });
    this.mem.append(entries);
    return true;
  }

  /**
   * Keeps the newest `retainSnapshots` snapshot records, then releases the longest prefix of
   * entry records the oldest kept one covers (a prefix, so replaying from any kept snapshot
   * gives the same log without them).
   */
  private release(): void {
    const snaps = this.disk
      .records()
      .filter((s) => s.record.kind === 'snapshot')
      .map((s) => s.pos);
    const drop = new Set(snaps.slice(0, Math.max(0, snaps.length - this.disk.retainSnapshots)));
    this.disk.erase((s) => drop.has(s.pos));
    let upTo = Number.POSITIVE_INFINITY;
    for (const s of this.disk.records())
      if (s.record.kind === 'snapshot') upTo = Math.min(upTo, s.record.snapshot.metadata.index);
    const released = new Set<number>();
    for (const s of this.disk.records()) {
      if (s.record.kind !== 'entry') continue;
      if (s.record.entry.index > upTo) break;
      released.add(s.pos);
    }
    this.disk.erase((s) => released.has(s.pos));
  }
}

function copyConf(c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}
