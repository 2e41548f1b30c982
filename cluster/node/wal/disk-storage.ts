/**
 * The node's durable Storage: a segmented write-ahead log of entries, an atomically replaced
 * hard-state file and snapshot files, under one data directory (layout and recovery rules in
 * README.md beside this file).
 *
 * Reads are served from memory: the entries after the snapshot live in a {@link MemoryStorage},
 * which therefore defines the read semantics (bounds, errors, maxBytes); the disk is for
 * durability and is only read at {@link DiskStorage.open}. All I/O is synchronous and ordered, so
 * when {@link DiskStorage.save} returns, everything it was given is on stable storage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryStorage, StorageRangeError } from '../../raft/storage.js';
import type { LogStore, SaveBatch } from './log-store.js';
import type { ConfState, Entry, HardState, Snapshot } from '../../raft/types.js';
import { DiskStorageError, WalCorruptionError } from './errors.js';
import type { Failpoints } from '../failpoints.js';
import {
  decodeHardState,
  decodeSnapshotFile,
  encodeEntryRecord,
  encodeHardState,
  encodeSnapshotFile,
  encodeSnapshotFileInSlices,
  parseSegmentName,
  parseSnapshotName,
  scanSegment,
  segmentName,
  snapshotName,
  type ScanProblem,
  type StoredSnapshot,
} from './format.js';
import {
  atomicWrite,
  atomicWriteAsync,
  exists,
  fsyncDir,
  removeFile,
  tempName,
  writeAll,
} from './fsutil.js';

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

const WAL_DIR = 'wal';
const SNAP_DIR = 'snap';
const HARDSTATE_FILE = 'hardstate';

export interface DiskStorageOptions {
  /**
   * The membership at index 0, used only when the directory is new (as `new MemoryStorage(conf)`).
   * An existing directory keeps the configuration it was initialised with.
   */
  readonly bootstrap: ConfState;
  /** Recovery notes (a torn tail cut, a corrupt snapshot skipped). Default: console.warn. */
  readonly log?: (message: string) => void;
  /** A segment is closed and a new one started once it reaches this size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /**
   * Snapshot files kept (1 or more, default 2). With 2, the WAL keeps what follows the older one
   * too, so a corrupt newest snapshot falls back to the previous one without losing entries.
   */
  readonly retainSnapshots?: number;
  /**
   * Where a test may crash the process (failpoints.ts): `wal-before-write`, `wal-after-write`,
   * `wal-after-sync` around a write of entries, `snapshot-before-compact` between a snapshot's
   * file and the compaction. Default: none.
   */
  readonly failpoints?: Failpoints;
}

interface Segment {
  readonly seq: number;
  readonly name: string;
  size: number;
  /** The highest entry index recorded in it (0 if none): it may go once a kept snapshot covers it. */
  maxIndex: number;
}

const ZERO_HARD_STATE: HardState = { term: 0, vote: 0, commit: 0 };

export class DiskStorage implements LogStore {
  readonly dir: string;
  private readonly mem: MemoryStorage;
  private readonly log: (message: string) => void;
  private readonly segmentBytes: number;
  private readonly retainSnapshots: number;
  private readonly fp: Failpoints | undefined;
  /** Live segments in sequence order; the last one is open for appending. */
  private segments: Segment[];
  private fd: number;
  /** Bytes written to the last segment and not yet fdatasync'ed. */
  private dirty = false;
  private walDirDirty = false;
  /** An appendAsync's fdatasync is running in the thread pool. */
  private syncing = false;
  private closeWhenSynced = false;
  /** Segment sequence number where the log of the current snapshot starts. */
  private walBase: number;
  /** Indexes of the snapshot files on disk, ascending. */
  private snapFiles: number[];
  private closed = false;
  /** After a failed write or sync the disk state is unknown: every later write refuses. */
  private failure: unknown;

  private constructor(
    dir: string,
    opts: DiskStorageOptions,
    state: {
      mem: MemoryStorage;
      segments: Segment[];
      walBase: number;
      snapFiles: number[];
    },
  ) {
    this.dir = dir;
    this.log = opts.log ?? ((m) => console.warn(m));
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.retainSnapshots = opts.retainSnapshots ?? 2;
    this.fp = opts.failpoints;
    this.mem = state.mem;
    this.segments = state.segments;
    this.walBase = state.walBase;
    this.snapFiles = state.snapFiles;
    const last = this.segments[this.segments.length - 1];
    this.fd = fs.openSync(this.walPath(last.name), 'r+');
  }

  /**
   * Opens the data directory `dir`, creating and initialising it if it is new, and recovers: the
   * newest valid snapshot, the WAL replayed after it (a torn tail cut), the hard state.
   * Throws {@link WalCorruptionError} or {@link DiskStorageError} when it cannot be trusted.
   */
  static open(dir: string, opts: DiskStorageOptions): DiskStorage {
    const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1)
      throw new RangeError(`segmentBytes must be a positive integer, got ${segmentBytes}`);
    const retain = opts.retainSnapshots ?? 2;
    if (!Number.isSafeInteger(retain) || retain < 1)
      throw new RangeError(`retainSnapshots must be at least 1, got ${retain}`);
    const abs = path.resolve(dir);
    const created = fs.mkdirSync(abs, { recursive: true });
    if (created !== undefined) {
      // Make the new directories' names durable, up to the first one that already existed.
      for (let p = abs; ; p = path.dirname(p)) {
        fsyncDir(path.dirname(p));
        if (p === created) break;
      }
    }
    if (!exists(path.join(abs, WAL_DIR))) initialise(abs, opts.bootstrap);
    const log = opts.log ?? ((m: string) => console.warn(m));
    return new DiskStorage(abs, opts, recover(abs, log));
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

  /**
   * Persists one Ready: installs `snapshot` (if newer than the current one), appends `entries`
   * (replacing any suffix they conflict with), fdatasyncs the WAL once, then replaces the hard
   * state. When it returns, all of it is durable and the Ready's messages may be sent.
   */
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
      this.sync();
      if (batch.hardState) {
        const { term, vote, commit } = batch.hardState;
        atomicWrite(this.dir, HARDSTATE_FILE, encodeHardState(batch.hardState));
        this.mem.setHardState({ term, vote, commit });
      }
    } catch (e) {
      this.failure = e;
      throw e;
    }
    if (entries) this.fp?.hit('wal-after-sync');
  }

  /**
   * save({ entries }) with the fdatasync in the thread pool, so the caller's event loop keeps
   * working while the disk flushes (the group commit then gathers whatever arrives meanwhile).
   * The entries are written and readable at once; they are durable when `done(null)` runs.
   * Until then nothing else may be written (save, appendAsync, a snapshot install) — close()
   * waits for it. `done(error)` means the disk state is unknown: every later write refuses.
   */
  appendAsync(entries: readonly Entry[], done: (error: Error | null) => void): void {
    this.writable();
    this.notSyncing();
    if (entries.length > 0) this.fp?.hit('wal-before-write');
    try {
      this.append(entries);
      // A new segment's name (rare: once per segmentBytes) is made durable here, synchronously.
      if (this.walDirDirty) {
        fsyncDir(path.join(this.dir, WAL_DIR));
        this.walDirDirty = false;
      }
    } catch (e) {
      if (!(e instanceof StorageRangeError)) this.failure = e;
      throw e;
    }
    if (!this.dirty) {
      queueMicrotask(() => done(null));
      return;
    }
    this.fp?.hit('wal-after-write');
    this.syncing = true;
    fs.fdatasync(this.fd, (error) => {
      this.syncing = false;
      if (error) this.failure = error;
      else this.dirty = false;
      if (this.closeWhenSynced) this.close();
      if (!error) this.fp?.hit('wal-after-sync');
      done(error);
    });
  }

  /** Installs a snapshot received from the leader: replaces the whole log. Same as save({ snapshot }). */
  applySnapshot(snap: Snapshot): void {
    this.save({ snapshot: snap, entries: [] });
  }

  /**
   * Records the application's snapshot at `index` (≤ the applied index) with the configuration
   * in force there, then compacts: entries up to `index - keepEntries` leave memory, old snapshot
   * files beyond the retained ones are deleted, and so are WAL segments the oldest kept snapshot
   * covers. The `keepEntries` behind the snapshot serve lagging followers from the log; they are
   * not reloaded after a restart, which starts from the snapshot.
   * Returns the newest snapshot (unchanged if `index` is not newer).
   */
  createSnapshot(index: number, conf: ConfState, data: string, keepEntries = 0): Snapshot {
    const snapshot = this.newSnapshot(index, conf, data);
    if (snapshot === undefined) return this.mem.snapshot();
    try {
      atomicWrite(
        this.snapDir(),
        snapshotName(index),
        encodeSnapshotFile({ snapshot, walBase: this.walBase }),
      );
    } catch (e) {
      this.failure = e;
      throw e;
    }
    this.fp?.hit('snapshot-before-compact');
    return this.adoptSnapshot(snapshot, keepEntries);
  }

  /**
   * createSnapshot for a node that keeps serving meanwhile: the file is checksummed in slices and
   * written in the thread pool, so a large snapshot (tens of MB) does not stall the event loop
   * past an election timeout. Then, in one synchronous step, the same as createSnapshot: memory
   * compacted, old snapshot files and WAL segments released. Gives up, returning the current
   * snapshot, if the storage moved on meanwhile (a newer snapshot was installed from the leader,
   * or it was closed): skipping a snapshot is always safe.
   */
  async createSnapshotAsync(
    index: number,
    conf: ConfState,
    data: string,
    keepEntries = 0,
  ): Promise<Snapshot> {
    const snapshot = this.newSnapshot(index, conf, data);
    if (snapshot === undefined) return this.mem.snapshot();
    const walBase = this.walBase;
    const name = snapshotName(index);
    try {
      const parts = await encodeSnapshotFileInSlices({ snapshot, walBase });
      if (this.closed || this.walBase !== walBase) return this.mem.snapshot();
      await atomicWriteAsync(this.snapDir(), name, parts);
    } catch (e) {
      this.failure = e;
      throw e;
    }
    const moved =
      this.closed ||
      this.failure !== undefined ||
      this.walBase !== walBase ||
      index <= this.mem.snapshot().metadata.index;
    if (moved) {
      // The file is a valid snapshot of a state the log has since moved past; it is not listed.
      if (!this.snapFiles.includes(index)) removeFile(path.join(this.snapDir(), name));
      return this.mem.snapshot();
    }
    this.fp?.hit('snapshot-before-compact');
    return this.adoptSnapshot(snapshot, keepEntries);
  }

  /** The snapshot to record at `index`, or undefined when the current one is not older. */
  private newSnapshot(index: number, conf: ConfState, data: string): Snapshot | undefined {
    this.writable();
    if (index <= this.mem.snapshot().metadata.index) return undefined;
    if (index > this.mem.lastIndex())
      throw new StorageRangeError(
        `snapshot at ${index} is beyond the last index ${this.mem.lastIndex()}`,
      );
    return { metadata: { index, term: this.mem.term(index), conf: copyConf(conf) }, data };
  }

  /** Its file is durable: take it in memory, compact, release older files and segments. */
  private adoptSnapshot(snapshot: Snapshot, keepEntries: number): Snapshot {
    const { index, conf } = snapshot.metadata;
    try {
      this.mem.createSnapshot(index, conf, snapshot.data);
      this.mem.compact(index - keepEntries);
      this.snapFiles.push(index);
      this.pruneSnapshots();
      this.releaseSegments(this.snapFiles[0]);
      return this.mem.snapshot();
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  /**
   * Closes the open segment. Everything saved is already durable; an appendAsync still syncing
   * finishes first (the segment is closed after its fdatasync).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.syncing) this.closeWhenSynced = true;
    else fs.closeSync(this.fd);
  }

  // ---- internals ----

  private writable(): void {
    if (this.closed) throw new Error(`DiskStorage ${this.dir} is closed`);
    if (this.failure !== undefined)
      throw new Error(
        `DiskStorage ${this.dir} failed earlier and cannot be written: ${String(this.failure)}`,
      );
  }

  /** The log's writes are ordered: none may start while an appendAsync is syncing. */
  private notSyncing(): void {
    if (this.syncing)
      throw new Error(`DiskStorage ${this.dir}: a write while appendAsync is still syncing`);
  }

  private walPath(name: string): string {
    return path.join(this.dir, WAL_DIR, name);
  }

  private snapDir(): string {
    return path.join(this.dir, SNAP_DIR);
  }

  private get current(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private install(snap: Snapshot): void {
    const index = snap.metadata.index;
    if (index <= this.mem.snapshot().metadata.index) return;
    // A fresh segment for the log that follows the snapshot; the older ones are superseded once
    // the snapshot file naming it as its base exists.
    this.roll(index + 1);
    const base = this.current.seq;
    const snapshot: Snapshot = {
      metadata: { ...snap.metadata, conf: copyConf(snap.metadata.conf) },
      data: snap.data,
    };
    this.sync();
    atomicWrite(
      this.snapDir(),
      snapshotName(index),
      encodeSnapshotFile({ snapshot, walBase: base }),
    );
    this.walBase = base;
    this.mem.applySnapshot(snapshot);
    // Deletions need no fsync: recovery ignores (and removes) what a crash brings back.
    for (const old of this.snapFiles)
      if (old !== index) removeFile(path.join(this.snapDir(), snapshotName(old)));
    this.snapFiles = [index];
    for (const seg of this.segments.slice(0, -1)) removeFile(this.walPath(seg.name));
    this.segments = [this.current];
  }

  private append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    for (let k = 1; k < entries.length; k++) {
      if (entries[k].index !== entries[0].index + k)
        throw new StorageRangeError(`entries to append are not contiguous at ${entries[k].index}`);
    }
    const offset = this.mem.firstIndex() - 1;
    const from = Math.max(0, offset + 1 - entries[0].index);
    if (from >= entries.length) return; // all covered by the snapshot
    const first = entries[from].index;
    if (first > this.mem.lastIndex() + 1)
      throw new StorageRangeError(`append at ${first} leaves a gap after ${this.mem.lastIndex()}`);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = (): void => {
      if (pendingBytes === 0) return;
      const seg = this.current;
      writeAll(
        this.fd,
        pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes),
        seg.size,
      );
      seg.size += pendingBytes;
      this.dirty = true;
      pending = [];
      pendingBytes = 0;
    };
    for (let k = from; k < entries.length; k++) {
      const e = entries[k];
      const rec = encodeEntryRecord(e);
      const used = this.current.size + pendingBytes;
      if (used > 0 && used + rec.length > this.segmentBytes) {
        flush();
        this.roll(e.index);
      }
      pending.push(rec);
      pendingBytes += rec.length;
      const seg = this.current;
      if (e.index > seg.maxIndex) seg.maxIndex = e.index;
    }
    flush();
    this.mem.append(entries);
  }

  /** Seals the current segment (synced, so no segment but the last can have a torn tail) and starts the next. */
  private roll(firstIndex: number): void {
    this.sync();
    const seq = this.current.seq + 1;
    const name = segmentName(seq, firstIndex);
    const fd = fs.openSync(this.walPath(name), 'wx');
    fs.closeSync(this.fd);
    this.fd = fd;
    this.segments.push({ seq, name, size: 0, maxIndex: 0 });
    this.walDirDirty = true;
  }

  /** The group commit: one fdatasync of the open segment (plus the directory if files changed). */
  private sync(): void {
    if (this.dirty) {
      fs.fdatasyncSync(this.fd);
      this.dirty = false;
    }
    if (this.walDirDirty) {
      fsyncDir(path.join(this.dir, WAL_DIR));
      this.walDirDirty = false;
    }
  }

  /** Deletes the oldest snapshot files beyond the retained number (no fsync: see install). */
  private pruneSnapshots(): void {
    while (this.snapFiles.length > this.retainSnapshots) {
      const old = this.snapFiles.shift()!;
      removeFile(path.join(this.snapDir(), snapshotName(old)));
    }
  }

  /**
   * Deletes the oldest segments (never the open one) whose entries are all ≤ `upTo`. Replaying
   * from any kept snapshot gives the same log without them: a record at or below the snapshot
   * index only resets the log to the snapshot point. So a deletion a crash undoes is harmless,
   * and needs no directory fsync.
   */
  private releaseSegments(upTo: number): void {
    let n = 0;
    while (n < this.segments.length - 1 && this.segments[n].maxIndex <= upTo) n++;
    if (n === 0) return;
    for (const seg of this.segments.slice(0, n)) removeFile(this.walPath(seg.name));
    this.segments = this.segments.slice(n);
  }
}

function copyConf(c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}

// ---- initialisation and recovery ----

/**
 * A new directory: snapshot 0 with the bootstrap configuration, a zero hard state, and an empty
 * first segment. `wal/` is created last (renamed from `wal.tmp`): its presence marks the directory
 * as initialised, so a crash half-way simply initialises again.
 */
function initialise(dir: string, bootstrap: ConfState): void {
  const snapDir = path.join(dir, SNAP_DIR);
  const hsFile = path.join(dir, HARDSTATE_FILE);
  if (exists(hsFile)) {
    // Written atomically during initialisation: absent, or a zero hard state. Anything else is a
    // node that lost its WAL, not one that crashed while being created.
    const hs = decodeHardState(fs.readFileSync(hsFile));
    if (typeof hs === 'string' || hs.term > 0 || hs.vote > 0 || hs.commit > 0)
      throw new DiskStorageError(
        `${dir} has a hard state but no ${WAL_DIR}/ directory; refusing to initialise over it (see README: recovery)`,
        WAL_DIR,
      );
  }
  if (exists(snapDir)) {
    for (const name of fs.readdirSync(snapDir)) {
      const index = parseSnapshotName(name);
      if (index !== undefined && index > 0)
        throw new DiskStorageError(
          `${dir} has snapshot ${SNAP_DIR}/${name} but no ${WAL_DIR}/ directory; refusing to initialise over it (see README: recovery)`,
          WAL_DIR,
        );
    }
  }
  fs.mkdirSync(snapDir, { recursive: true });
  const snapshot: Snapshot = {
    metadata: { index: 0, term: 0, conf: copyConf(bootstrap) },
    data: '',
  };
  atomicWrite(snapDir, snapshotName(0), encodeSnapshotFile({ snapshot, walBase: 0 }));
  atomicWrite(dir, HARDSTATE_FILE, encodeHardState(ZERO_HARD_STATE));
  const tmp = path.join(dir, tempName(WAL_DIR));
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  fs.closeSync(fs.openSync(path.join(tmp, segmentName(0, 1)), 'wx'));
  fsyncDir(tmp);
  fs.renameSync(tmp, path.join(dir, WAL_DIR));
  fsyncDir(dir);
}

interface Recovered {
  mem: MemoryStorage;
  segments: Segment[];
  walBase: number;
  snapFiles: number[];
}

function recover(dir: string, log: (m: string) => void): Recovered {
  const walDir = path.join(dir, WAL_DIR);
  const snapDir = path.join(dir, SNAP_DIR);

  // Leftover temp files are writes that never completed: the files they were to replace stand.
  removeFile(path.join(dir, tempName(HARDSTATE_FILE)));
  fs.rmSync(path.join(dir, tempName(WAL_DIR)), { recursive: true, force: true });
  if (exists(snapDir))
    for (const name of fs.readdirSync(snapDir))
      if (name.endsWith('.tmp')) removeFile(path.join(snapDir, name));

  // Hard state.
  const hsPath = path.join(dir, HARDSTATE_FILE);
  if (!exists(hsPath))
    throw new DiskStorageError(
      `${HARDSTATE_FILE} is missing in ${dir}; refusing to start (see README: recovery)`,
      HARDSTATE_FILE,
    );
  const hardState = decodeHardState(fs.readFileSync(hsPath));
  if (typeof hardState === 'string')
    throw new DiskStorageError(
      `${HARDSTATE_FILE} in ${dir} is corrupt: ${hardState}; refusing to start (see README: recovery)`,
      HARDSTATE_FILE,
    );

  // The newest snapshot that reads back intact.
  const snapIndexes = (exists(snapDir) ? fs.readdirSync(snapDir) : [])
    .map(parseSnapshotName)
    .filter((i): i is number => i !== undefined)
    .sort((a, b) => b - a);
  const corrupt: string[] = [];
  let chosen: StoredSnapshot | undefined;
  for (const index of snapIndexes) {
    const rel = `${SNAP_DIR}/${snapshotName(index)}`;
    const s = decodeSnapshotFile(fs.readFileSync(path.join(dir, rel)));
    if (typeof s !== 'string' && s.snapshot.metadata.index !== index) {
      corrupt.push(`${rel}: holds index ${s.snapshot.metadata.index}`);
    } else if (typeof s === 'string') {
      corrupt.push(`${rel}: ${s}`);
    } else {
      chosen = s;
      break;
    }
  }
  if (!chosen)
    throw new DiskStorageError(
      snapIndexes.length === 0
        ? `no snapshot file in ${dir}/${SNAP_DIR}; refusing to start (see README: recovery)`
        : `no intact snapshot in ${dir}/${SNAP_DIR} (${corrupt.join('; ')}); refusing to start (see README: recovery)`,
      SNAP_DIR,
    );
  const snap = chosen.snapshot;
  const offset = snap.metadata.index;
  const fallback = corrupt.length > 0;

  // Segments of the log after that snapshot; older ones were superseded by an installed snapshot.
  const all = fs
    .readdirSync(walDir)
    .map((name) => ({ name, parsed: parseSegmentName(name) }))
    .filter((s) => s.parsed !== undefined)
    .map((s) => ({ name: s.name, seq: s.parsed!.seq }))
    .sort((a, b) => a.seq - b.seq);
  const superseded = all.filter((s) => s.seq < chosen.walBase);
  const live = all.filter((s) => s.seq >= chosen.walBase);
  if (live.length === 0)
    throw new DiskStorageError(
      `no WAL segment in ${dir}/${WAL_DIR} at or after sequence ${chosen.walBase}; refusing to start (see README: recovery)`,
      WAL_DIR,
    );
  for (let k = 1; k < live.length; k++) {
    if (live[k].seq !== live[k - 1].seq + 1)
      throw new DiskStorageError(
        `WAL segment ${live[k - 1].seq + 1} is missing between ${WAL_DIR}/${live[k - 1].name} and ${WAL_DIR}/${live[k].name}; refusing to start (see README: recovery)`,
        WAL_DIR,
      );
  }

  // Scan and replay. `ents` holds the entries after the snapshot: a record at index i drops
  // everything from i on first (a conflicting suffix being replaced); one at or below the
  // snapshot index only resets the log to the snapshot point.
  let ents: Entry[] = [];
  const segments: Segment[] = [];
  let torn: { seg: Segment; problem: ScanProblem; size: number } | undefined;
  for (let k = 0; k < live.length; k++) {
    const { name, seq } = live[k];
    const rel = `${WAL_DIR}/${name}`;
    const buf = fs.readFileSync(path.join(dir, rel));
    const scan = scanSegment(buf);
    const isLast = k === live.length - 1;
    if (scan.problem && !(isLast && scan.problem.torn))
      throw new WalCorruptionError(rel, scan.problem.offset, scan.problem.reason);
    const seg: Segment = { seq, name, size: scan.end, maxIndex: 0 };
    if (scan.problem) torn = { seg, problem: scan.problem, size: buf.length };
    for (const { entry, offset: at } of scan.records) {
      const i = entry.index;
      if (i > seg.maxIndex) seg.maxIndex = i;
      if (i <= offset) {
        ents = [];
        continue;
      }
      const pos = i - offset - 1;
      if (pos > ents.length) {
        const last = offset + ents.length;
        if (fallback)
          throw new DiskStorageError(
            `the newest snapshot is corrupt (${corrupt.join('; ')}) and the WAL does not continue from the previous one at ${offset} (${rel} has entry ${i} after ${last}); refusing to start (see README: recovery)`,
            rel,
          );
        throw new WalCorruptionError(rel, at, `entry ${i} does not follow the last index ${last}`);
      }
      ents.length = pos;
      ents.push(entry);
    }
    segments.push(seg);
  }
  const lastIndex = offset + ents.length;
  if (hardState.commit > lastIndex)
    throw new DiskStorageError(
      `${HARDSTATE_FILE} says commit ${hardState.commit} but the log ends at ${lastIndex}: committed entries are missing; refusing to start (see README: recovery)`,
      HARDSTATE_FILE,
    );

  // Recovered: now repair what is safe to repair.
  if (torn) {
    const rel = `${WAL_DIR}/${torn.seg.name}`;
    const fd = fs.openSync(path.join(dir, rel), 'r+');
    try {
      fs.ftruncateSync(fd, torn.seg.size);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    log(
      `WAL: truncated the torn tail of ${rel} at offset ${torn.problem.offset} (${torn.size - torn.seg.size} bytes dropped): ${torn.problem.reason}`,
    );
  }
  for (const c of corrupt)
    log(`WAL: skipped corrupt snapshot ${c}; using ${SNAP_DIR}/${snapshotName(offset)}`);
  let snapDirChanged = false;
  const kept: number[] = [];
  for (const index of snapIndexes) {
    const name = snapshotName(index);
    if (index > offset) {
      // Kept for inspection under another name, out of the way of a new snapshot at that index.
      fs.renameSync(path.join(snapDir, name), path.join(snapDir, `${name}.corrupt`));
      snapDirChanged = true;
    } else if (index === offset) {
      kept.push(index);
    } else {
      // An older snapshot is worth keeping only as a fallback for this one: intact, and with its
      // log in the same WAL (not one an installed snapshot superseded since).
      const s = decodeSnapshotFile(fs.readFileSync(path.join(snapDir, name)));
      if (typeof s !== 'string' && s.walBase >= chosen.walBase) {
        kept.push(index);
      } else {
        log(
          `WAL: removed ${SNAP_DIR}/${name}: ${typeof s === 'string' ? s : 'superseded by an installed snapshot'}`,
        );
        removeFile(path.join(snapDir, name));
        snapDirChanged = true;
      }
    }
  }
  if (snapDirChanged) fsyncDir(snapDir);
  if (superseded.length > 0) {
    for (const s of superseded) removeFile(path.join(walDir, s.name));
    fsyncDir(walDir);
  }

  const mem = new MemoryStorage(snap.metadata.conf);
  if (offset > 0) mem.applySnapshot(snap);
  mem.append(ents);
  mem.setHardState(hardState);
  return {
    mem,
    segments,
    walBase: chosen.walBase,
    snapFiles: kept.sort((a, b) => a - b),
  };
}
