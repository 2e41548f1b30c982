/**
 * Errors that stop a node at start-up rather than let it run on a log it cannot trust. Both name
 * the file (relative to the data directory) so an operator knows where to look; see the README's
 * "Recovery" section for what to do.
 */

/** The data directory is unusable: a missing or corrupt file, or state that contradicts itself. */
export class DiskStorageError extends Error {
  /** Path relative to the data directory, when one file is to blame. */
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(message);
    this.name = 'DiskStorageError';
    this.file = file;
  }
}

/**
 * A WAL record that fails its checks somewhere other than the torn tail of the last segment:
 * acknowledged data may be damaged, so the node refuses to start instead of truncating it.
 */
export class WalCorruptionError extends DiskStorageError {
  readonly offset: number;
  readonly reason: string;

  constructor(file: string, offset: number, reason: string) {
    super(
      `WAL corrupted in ${file} at offset ${offset}: ${reason}; refusing to start (see README: recovery)`,
      file,
    );
    this.name = 'WalCorruptionError';
    this.offset = offset;
    this.reason = reason;
  }
}
