/**
 * A LogStore that tells the checks what the node persists (Log Matching is checked on every
 * entry written) and otherwise only passes calls through to the simulated disk's store.
 */
import type { ConfState, Entry, HardState, Snapshot, Storage } from '../../raft/index.js';
import type { LogStore, SaveBatch } from '../../node/wal/log-store.js';
import { isFailpointCrash } from './failpoints.js';

export interface LogObserver {
  /** `entries` (contiguous) were written after an entry of term `prevTerm` (undefined: compacted). */
  onPersist(entries: readonly Entry[], prevTerm: number | undefined): void;
  /** The node records its own snapshot at `index` with the membership `conf`. */
  onSnapshot(index: number, conf: ConfState): void;
}

export class ObservedLogStore implements LogStore {
  constructor(
    private readonly inner: LogStore,
    private readonly observer: LogObserver,
    /** False once the node's process is dead: a zombie's late writes must not reach the disk. */
    private readonly alive: () => boolean,
  ) {}

  initialState(): ReturnType<Storage['initialState']> {
    return this.inner.initialState();
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return this.inner.entries(lo, hi, maxBytes);
  }

  term(index: number): number {
    return this.inner.term(index);
  }

  firstIndex(): number {
    return this.inner.firstIndex();
  }

  lastIndex(): number {
    return this.inner.lastIndex();
  }

  snapshot(): Snapshot {
    return this.inner.snapshot();
  }

  getHardState(): HardState {
    return this.inner.getHardState();
  }

  save(batch: SaveBatch): void {
    if (!this.alive()) return;
    try {
      this.inner.save(batch);
    } catch (e) {
      this.observeWrittenBefore(e, batch.entries);
      throw e;
    }
    this.observe(batch.entries);
  }

  appendAsync(entries: readonly Entry[], done: (error: Error | null) => void): void {
    if (!this.alive()) return;
    // Readable at once: the copy exists from now on (Log Matching is about every copy).
    try {
      this.inner.appendAsync(entries, (error) => {
        if (this.alive()) done(error);
      });
    } catch (e) {
      this.observeWrittenBefore(e, entries);
      throw e;
    }
    this.observe(entries);
  }

  /** A failpoint past the write crashed the machine: the entries were written all the same. */
  private observeWrittenBefore(e: unknown, entries: readonly Entry[]): void {
    if (isFailpointCrash(e) && e.point !== 'wal-before-write') this.observe(entries);
  }

  createSnapshotAsync(
    index: number,
    conf: ConfState,
    data: string,
    keepEntries?: number,
  ): Promise<Snapshot> {
    if (!this.alive()) return new Promise<Snapshot>(() => undefined);
    this.observer.onSnapshot(index, conf);
    return this.inner.createSnapshotAsync(index, conf, data, keepEntries);
  }

  close(): void {
    this.inner.close();
  }

  private observe(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    this.observer.onPersist(entries, this.termBefore(entries[0].index));
  }

  private termBefore(index: number): number | undefined {
    const prev = index - 1;
    if (prev < this.inner.firstIndex() - 1 || prev > this.inner.lastIndex()) return undefined;
    try {
      return this.inner.term(prev);
    } catch {
      return undefined;
    }
  }
}
