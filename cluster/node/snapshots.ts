/**
 * Log compaction: every `snapshotEntries` applied entries, the task store's state becomes the
 * Raft snapshot and the log before it is released (keeping `catchUpEntries` for followers that
 * are only a little behind). One snapshot at a time, never blocking the Ready loop.
 *
 * Skipping a snapshot is always safe: a failure is logged and tried again at a later apply.
 */
import type { ConfState } from '../raft/index.js';
import type { TaskStore } from '../../db/task-store.js';
import type { Logger } from './log.js';
import type { LogStore } from './wal/log-store.js';

export interface SnapshotsDeps {
  readonly storage: LogStore;
  /** The store to snapshot (throws when it is not up). */
  readonly store: () => TaskStore;
  readonly confAt: (index: number) => ConfState;
  /** A snapshot was recorded at `index`. */
  readonly onSnapshot: (index: number) => void;
  readonly snapshotEntries: number;
  readonly catchUpEntries: number;
  readonly log: Logger;
  readonly stopped: () => boolean;
}

export class Snapshots {
  private running = false;

  constructor(private readonly d: SnapshotsDeps) {}

  /** The applied index moved: take a snapshot if enough was applied since the last one. */
  maybeSnapshot(applied: number): void {
    const d = this.d;
    if (this.running || d.stopped()) return;
    if (applied - d.storage.snapshot().metadata.index < d.snapshotEntries) return;
    this.running = true;
    void this.take().finally(() => {
      this.running = false;
    });
  }

  private async take(): Promise<void> {
    const d = this.d;
    try {
      const snap = await d.store().snapshot();
      if (d.stopped() || snap.index <= d.storage.snapshot().metadata.index) return;
      await d.storage.createSnapshotAsync(
        snap.index,
        d.confAt(snap.index),
        snap.data,
        d.catchUpEntries,
      );
      d.onSnapshot(d.storage.snapshot().metadata.index);
      d.log.info(
        `snapshot at ${snap.index}/${snap.term} (${snap.data.length} bytes); WAL compacted`,
      );
    } catch (e) {
      d.log.warn(`snapshot failed (will retry later): ${(e as Error).message}`);
    }
  }
}
