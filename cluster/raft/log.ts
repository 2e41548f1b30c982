import { limitSize, type Storage } from './storage.js';
import type { Entry, Snapshot } from './types.js';

/**
 * The node's log as the core sees it: what is already in stable storage, followed by the
 * unstable tail (entries and possibly a snapshot received but not yet persisted by the caller).
 *
 *   storage: [firstIndex .. storage.lastIndex]   unstable: [offset .. ]
 *   invariant: applied ≤ committed ≤ lastIndex
 */
export class RaftLog {
  /** Unstable entries start at this index (storage.lastIndex + 1 unless a snapshot is pending). */
  private offset: number;
  private unstableEnts: Entry[] = [];
  private unstableSnap: Snapshot | undefined;
  committed: number;
  applied: number;

  constructor(private readonly storage: Storage) {
    this.offset = storage.lastIndex() + 1;
    this.committed = storage.firstIndex() - 1;
    this.applied = storage.firstIndex() - 1;
  }

  firstIndex(): number {
    if (this.unstableSnap) return this.unstableSnap.metadata.index + 1;
    return this.storage.firstIndex();
  }

  lastIndex(): number {
    if (this.unstableEnts.length > 0) return this.offset + this.unstableEnts.length - 1;
    if (this.unstableSnap) return this.unstableSnap.metadata.index;
    return this.storage.lastIndex();
  }

  /** The term at `index`, or undefined when it is compacted away or beyond the log. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    if (index >= this.offset && this.unstableEnts.length > 0) {
      return this.unstableEnts[index - this.offset].term;
    }
    if (this.unstableSnap && index === this.unstableSnap.metadata.index) {
      return this.unstableSnap.metadata.term;
    }
    if (this.unstableSnap) return undefined;
    return this.storage.term(index);
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: is a candidate's log (lastIndex, lastTerm) at least as up-to-date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ours = this.lastTerm();
    return lastTerm > ours || (lastTerm === ours && lastIndex >= this.lastIndex());
  }

  /**
   * The follower's side of AppendEntries: if our log matches (prevIndex, prevTerm), append the
   * entries (dropping any conflicting suffix) and advance commit. Returns the last index now
   * known to match the leader, or -1 on a mismatch.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, ents: readonly Entry[]): number {
    if (!this.matchTerm(prevIndex, prevTerm)) return -1;
    const lastNew = prevIndex + ents.length;
    const conflict = this.findConflict(ents);
    if (conflict !== 0) {
      if (conflict <= this.committed) {
        throw new Error(
          `entry ${conflict} conflicts with committed entry (committed ${this.committed})`,
        );
      }
      this.append(ents.slice(conflict - (prevIndex + 1)));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** The first index where `ents` differ from our log (or extend it); 0 if all are present. */
  private findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index ≤ `index` whose term is ≤ `term`. Entries after it
   * cannot match a log whose entry at `index` has `term`, so a whole term is skipped per round trip.
   * On a compacted log it stops at the snapshot index (whatever its term): below that the leader
   * sends a snapshot anyway.
   */
  findConflictByTerm(index: number, term: number): number {
    for (let i = Math.min(index, this.lastIndex()); i >= this.firstIndex() - 1; i--) {
      const t = this.term(i);
      if (t === undefined || t <= term) return i;
    }
    return Math.max(0, this.firstIndex() - 1);
  }

  /** Appends after truncating anything at or after ents[0].index. */
  append(ents: readonly Entry[]): void {
    if (ents.length === 0) return;
    const after = ents[0].index;
    if (after <= this.committed)
      throw new Error(`append at ${after} would overwrite committed ${this.committed}`);
    if (after === this.offset + this.unstableEnts.length) {
      for (const e of ents) this.unstableEnts.push(e);
    } else if (after <= this.offset) {
      // Replaces the whole unstable tail and part of what the storage holds: the caller's
      // MemoryStorage.append/WAL truncates the stable suffix when it persists these.
      this.offset = after;
      this.unstableEnts = ents.slice();
    } else {
      this.unstableEnts = this.unstableEnts.slice(0, after - this.offset).concat(ents);
    }
  }

  /** Entries in [lo, lastIndex], at most `maxCount` and `maxBytes`; undefined if lo is compacted. */
  entriesFrom(lo: number, maxCount: number, maxBytes: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined;
    const hi = Math.min(this.lastIndex() + 1, lo + maxCount);
    if (lo >= hi) return [];
    return this.slice(lo, hi, maxBytes);
  }

  private slice(lo: number, hi: number, maxBytes: number): Entry[] {
    let ents: Entry[] = [];
    if (lo < this.offset) {
      const stableHi = Math.min(hi, this.offset);
      ents = this.storage.entries(lo, stableHi, maxBytes);
      if (ents.length < stableHi - lo) return ents; // size limit hit inside the stable part
    }
    if (hi > this.offset) {
      const from = Math.max(lo, this.offset) - this.offset;
      const unstable = this.unstableEnts.slice(from, hi - this.offset);
      ents = ents.length > 0 ? ents.concat(unstable) : unstable;
    }
    return limitSize(ents, maxBytes);
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw new Error(
        `commit ${index} is beyond the last index ${this.lastIndex()}; is the log corrupted or truncated?`,
      );
    }
    this.committed = index;
  }

  /** The Figure-8 rule: a leader commits by counting replicas only entries of its own term. */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: number): void {
    if (index > this.committed || index < this.applied) {
      throw new Error(`applied ${index} out of range [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
  }

  hasNextCommittedEnts(handedOut: number): boolean {
    return this.committed > handedOut && handedOut + 1 >= this.firstIndex();
  }

  /** Committed entries after `handedOut` (the index up to which they were already handed out). */
  nextCommittedEnts(handedOut: number, maxBytes: number): Entry[] {
    const lo = Math.max(handedOut + 1, this.firstIndex());
    if (this.committed < lo) return [];
    return this.slice(lo, this.committed + 1, maxBytes);
  }

  unstableEntries(): Entry[] {
    return this.unstableEnts;
  }

  unstableSnapshot(): Snapshot | undefined {
    return this.unstableSnap;
  }

  /** The caller persisted entries up to (index, term): they leave the unstable tail. */
  stableTo(index: number, term: number): void {
    if (index < this.offset) return;
    const at = index - this.offset;
    if (at >= this.unstableEnts.length || this.unstableEnts[at].term !== term) return;
    this.unstableEnts = this.unstableEnts.slice(at + 1);
    this.offset = index + 1;
  }

  stableSnapTo(index: number): void {
    if (this.unstableSnap && this.unstableSnap.metadata.index === index)
      this.unstableSnap = undefined;
  }

  /** Replaces the log with a snapshot received from the leader. */
  restore(snap: Snapshot): void {
    this.committed = snap.metadata.index;
    this.unstableSnap = snap;
    this.unstableEnts = [];
    this.offset = snap.metadata.index + 1;
  }

  snapshot(): Snapshot {
    return this.unstableSnap ?? this.storage.snapshot();
  }
}
