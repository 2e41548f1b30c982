/**
 * Restoring a Raft snapshot into the task store, whichever form `Snapshot.data` has: a format
 * 1–3 document restored from the string as always (an old WAL, or a peer not yet upgraded), or a
 * descriptor (snapshot-descriptor.ts) naming a format-4 file in `snapshotDir`, restored from the
 * file in pages so the database is never one string in memory.
 *
 * Before a file is restored, its descriptor must match the snapshot's index and term and the
 * file its size and sha256: a missing, replaced or damaged file is refused and the store is left
 * as it was (restoreFromFile also refuses a file whose own trailer does not check out).
 */
import type { Snapshot } from '../raft/index.js';
import { digestFile } from './transport/snapshot-stream.js';
import { descriptorPath, parseSnapshotData } from './snapshot-descriptor.js';

/** What both task stores (MySQL's and the simulator's) offer for a restore. */
export interface SnapshotRestoreTarget {
  restore(index: number, term: number, data: string): Promise<void>;
  restoreFromFile(index: number, term: number, file: string): Promise<void>;
}

export class SnapshotRestoreError extends Error {
  override readonly name = 'SnapshotRestoreError';
}

/** Restores `snapshot`; false when it holds nothing (index 0, empty data) and nothing changed. */
export async function restoreSnapshot(
  store: SnapshotRestoreTarget,
  snapshot: Snapshot,
  snapshotDir: string | undefined,
): Promise<boolean> {
  const { index, term } = snapshot.metadata;
  const data = parseSnapshotData(snapshot.data);
  if (data.kind === 'empty') return false;
  if (data.kind === 'inline') {
    await store.restore(index, term, data.data);
    return true;
  }
  const d = data.descriptor;
  if (d.index !== index || d.term !== term) {
    throw new SnapshotRestoreError(
      `snapshot descriptor is at ${d.index}/${d.term}, not the ${index}/${term} of its snapshot`,
    );
  }
  if (snapshotDir === undefined) {
    throw new SnapshotRestoreError(
      `snapshot ${d.file} is a file, and this node has no snapshot dir`,
    );
  }
  const file = descriptorPath(snapshotDir, d);
  let actual;
  try {
    actual = await digestFile(file);
  } catch (e) {
    throw new SnapshotRestoreError(`snapshot file ${file}: ${(e as Error).message}`);
  }
  if (actual.bytes !== d.bytes || actual.sha256 !== d.sha256) {
    throw new SnapshotRestoreError(
      `snapshot file ${file} does not match its descriptor ` +
        `(${actual.bytes} bytes, expected ${d.bytes}; sha256 ${actual.sha256 === d.sha256 ? 'equal' : 'differs'})`,
    );
  }
  await store.restoreFromFile(index, term, file);
  return true;
}
