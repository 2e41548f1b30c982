/**
 * What the node layer needs from its Raft log storage. `DiskStorage` (the WAL) is the real one;
 * the simulator's storage stands in for it with injectable disk faults.
 */
import type {
  ConfState,
  Entry,
  HardState,
  SaveBatch,
  Snapshot,
  Storage,
} from '../../raft/index.js';

export type { SaveBatch };

export interface LogStore extends Storage {
  /** The hard state as last made durable. */
  getHardState(): HardState;
  /**
   * Persists one Ready (snapshot, then entries, then hard state); durable when it returns.
   * Throws when the disk failed: the state is then unknown and every later write refuses.
   */
  save(batch: SaveBatch): void;
  /**
   * Writes `entries` now (readable at once) and makes them durable in the background; `done`
   * runs once, with null when they are durable. Nothing else may be written until then.
   */
  appendAsync(entries: readonly Entry[], done: (error: Error | null) => void): void;
  /**
   * Records the application's snapshot at `index` with the configuration in force there, keeps
   * `keepEntries` behind it for lagging followers and releases what it covers. Returns the
   * newest snapshot (unchanged if the storage moved on meanwhile: skipping one is always safe).
   */
  createSnapshotAsync(
    index: number,
    conf: ConfState,
    data: string,
    keepEntries?: number,
  ): Promise<Snapshot>;
  close(): void;
}
