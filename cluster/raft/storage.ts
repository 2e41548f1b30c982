import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/**
 * The stable storage the core reads from. The caller writes to it while handling a Ready
 * (persist entries, hard state, snapshot); the core only reads. A real node backs it with its
 * WAL; the simulator uses {@link MemoryStorage} directly as each node's "disk".
 */
export interface Storage {
  initialState(): { hardState: HardState; conf: ConfState };
  /** Entries in [lo, hi), at least one, at most `maxBytes` of data after the first. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at `index`, for firstIndex()-1 <= index <= lastIndex(). */
  term(index: number): number;
  /** The first index still in the log (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

/** What one Ready asks to persist, written in this order: snapshot, entries, hard state. */
export interface SaveBatch {
  readonly snapshot?: Snapshot;
  readonly entries: readonly Entry[];
  readonly hardState?: HardState;
}

export class StorageRangeError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'StorageRangeError';
  }
}

export const EMPTY_CONF: ConfState = { voters: [], learners: [] };

/**
 * An in-memory Storage. `ents[0]` is a dummy standing for the snapshot point (its index and
 * term), so term(snapshotIndex) stays answerable after compaction, as in etcd's MemoryStorage.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot;
  private ents: Entry[];

  /**
   * `conf` is the membership at index 0. Every node of a new cluster gets the same bootstrap
   * members; a node that joins later gets either the bootstrap members or the current ones —
   * replaying the log's conf changes over either yields the leader's configuration (the core
   * refuses an empty one, from which it could never learn the voters).
   */
  constructor(conf: ConfState = EMPTY_CONF) {
    this.snap = { metadata: { index: 0, term: 0, conf }, data: '' };
    this.ents = [{ index: 0, term: 0, type: 'normal', data: '' }];
  }

  initialState(): { hardState: HardState; conf: ConfState } {
    return { hardState: this.hardState, conf: this.snap.metadata.conf };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  getHardState(): HardState {
    return this.hardState;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.ents[0].index;
    if (lo <= offset) throw new StorageRangeError(`entries(${lo}): compacted up to ${offset}`);
    if (hi > this.lastIndex() + 1)
      throw new StorageRangeError(`entries(${lo}, ${hi}): last index is ${this.lastIndex()}`);
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  term(index: number): number {
    const offset = this.ents[0].index;
    if (index < offset) throw new StorageRangeError(`term(${index}): compacted up to ${offset}`);
    if (index - offset >= this.ents.length)
      throw new StorageRangeError(`term(${index}): last index is ${this.lastIndex()}`);
    return this.ents[index - offset].term;
  }

  firstIndex(): number {
    return this.ents[0].index + 1;
  }

  lastIndex(): number {
    return this.ents[0].index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces everything with the snapshot (a follower installing one from its leader). */
  applySnapshot(snap: Snapshot): void {
    if (snap.metadata.index <= this.snap.metadata.index) return;
    this.snap = snap;
    this.ents = [
      { index: snap.metadata.index, term: snap.metadata.term, type: 'normal', data: '' },
    ];
  }

  /**
   * Records the application's snapshot at `index` (≤ the applied index) with the configuration
   * in force there. Call {@link compact} afterwards to drop the entries it covers.
   */
  createSnapshot(index: number, conf: ConfState, data: string): Snapshot {
    if (index <= this.snap.metadata.index) return this.snap;
    if (index > this.lastIndex())
      throw new StorageRangeError(
        `snapshot at ${index} is beyond the last index ${this.lastIndex()}`,
      );
    this.snap = { metadata: { index, term: this.term(index), conf }, data };
    return this.snap;
  }

  /** Drops entries up to and including `index`, keeping it as the dummy entry. */
  compact(index: number): void {
    const offset = this.ents[0].index;
    if (index <= offset) return;
    if (index > this.lastIndex())
      throw new StorageRangeError(`compact(${index}) is beyond the last index ${this.lastIndex()}`);
    const dummy = this.ents[index - offset];
    const kept: Entry[] = [{ index: dummy.index, term: dummy.term, type: 'normal', data: '' }];
    this.ents = kept.concat(this.ents.slice(index - offset + 1));
  }

  /** Persists one Ready's batch (in memory, "durable" at once). */
  save(batch: SaveBatch): void {
    if (batch.snapshot) this.applySnapshot(batch.snapshot);
    this.append(batch.entries);
    if (batch.hardState) this.setHardState(batch.hardState);
  }

  /** Appends entries, replacing any existing suffix they conflict with. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const offset = this.ents[0].index;
    let first = entries[0].index;
    let from = 0;
    // Entries already covered by the snapshot are skipped.
    if (first <= offset) {
      from = offset + 1 - first;
      if (from >= entries.length) return;
      first = offset + 1;
    }
    const at = first - offset;
    if (at > this.ents.length)
      throw new StorageRangeError(`append at ${first} leaves a gap after ${this.lastIndex()}`);
    this.ents.length = at;
    for (let i = from; i < entries.length; i++) this.ents.push(entries[i]);
  }
}

/** The longest prefix of `ents` within `maxBytes` of data, but always at least one entry. */
export function limitSize(ents: Entry[], maxBytes: number): Entry[] {
  if (ents.length <= 1) return ents;
  let size = ents[0].data.length;
  let n = 1;
  for (; n < ents.length; n++) {
    size += ents[n].data.length;
    if (size > maxBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}
