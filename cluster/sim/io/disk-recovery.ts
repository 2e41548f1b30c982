/**
 * `DiskStorage.open`'s recovery over a SimDisk's records (cluster/node/wal/README.md,
 * "Recovery"): the newest snapshot, then the entry records from its base, a record at or below
 * the snapshot index resetting the log to it, a later one replacing the suffix from its index.
 * A torn LAST record is cut; any other damage (a corrupt record anywhere, the last one
 * included; a torn record followed by others; a gap) refuses with WalCorruptionError.
 */
import type { Entry, HardState, Snapshot } from '../../raft/index.js';
import { DiskStorageError, WalCorruptionError } from '../../node/wal/errors.js';
import type { Slot } from './disk-records.js';

/** Records are named by position in this pseudo-file in errors (offset = position). */
export const SIM_WAL = 'wal';

export interface RecoveredLog {
  readonly snapshot: Snapshot;
  /** Where the log after the snapshot starts. */
  readonly base: number;
  /** The entries after the snapshot, in order. */
  readonly entries: Entry[];
  readonly hardState: HardState;
  /** A torn last record to cut, if there is one. */
  readonly torn: Slot | undefined;
}

export function recoverLog(slots: readonly Slot[]): RecoveredLog {
  let torn: Slot | undefined;
  slots.forEach((slot, k) => {
    if (slot.state === 'corrupt')
      throw new WalCorruptionError(SIM_WAL, slot.pos, 'checksum mismatch in a whole record');
    if (slot.state === 'torn') {
      if (k !== slots.length - 1)
        throw new WalCorruptionError(SIM_WAL, slot.pos, 'a damaged record followed by others');
      torn = slot;
    }
  });
  const live = torn === undefined ? slots : slots.slice(0, -1);

  let chosen: { snapshot: Snapshot; base: number } | undefined;
  let hardState: HardState | undefined;
  for (const { record } of live) {
    if (record.kind === 'snapshot') {
      if (chosen === undefined || record.snapshot.metadata.index >= chosen.snapshot.metadata.index)
        chosen = record;
    } else if (record.kind === 'hardState') {
      hardState = record.hardState;
    }
  }
  if (chosen === undefined) throw new DiskStorageError('no snapshot on the disk', 'snap');
  if (hardState === undefined) throw new DiskStorageError('the hard state is missing', 'hardstate');

  const offset = chosen.snapshot.metadata.index;
  let ents: Entry[] = [];
  for (const { pos, record } of live) {
    if (pos < chosen.base || record.kind !== 'entry') continue;
    const i = record.entry.index;
    if (i <= offset) {
      ents = [];
      continue;
    }
    const at = i - offset - 1;
    if (at > ents.length)
      throw new WalCorruptionError(
        SIM_WAL,
        pos,
        `entry ${i} does not follow the last index ${offset + ents.length}`,
      );
    ents.length = at;
    ents.push(record.entry);
  }
  const lastIndex = offset + ents.length;
  if (hardState.commit > lastIndex)
    throw new DiskStorageError(
      `the hard state says commit ${hardState.commit} but the log ends at ${lastIndex}: ` +
        'committed entries are missing; refusing to start',
      'hardstate',
    );
  return { snapshot: chosen.snapshot, base: chosen.base, entries: ents, hardState, torn };
}
