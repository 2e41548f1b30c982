/**
 * Moving a snapshot file between nodes in bounded chunks (as etcd's rafthttp snapshot sender
 * streams its database file beside a small raft message). Neither side ever holds more than
 * one chunk of the file: memory stays flat whatever the database's size.
 *
 * This file knows nothing of sockets or of the cluster secret: the sender yields chunks for the
 * transport to frame, the receiver takes them after the transport has checked the peer (the same
 * check every frame passes). It only guarantees the file:
 *
 * - the sender announces the file's size and sha256 (of its bytes, computed before the first
 *   chunk) so the receiver can check what arrived;
 * - the receiver writes `<file>.tmp`, accepts chunks only in order, and on `finish` checks size
 *   and sha256, fsyncs, renames and fsyncs the directory. Anything else (a gap, a short or long
 *   stream, a wrong digest) is a {@link SnapshotStreamError} and removes the temp file, so a bad
 *   stream leaves nothing behind and the previous snapshot untouched; the leader retries later.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from '../../../db/snapshot-file.js';

/** Bytes per chunk: far below the transport's frame limit (codec.ts, 4 MiB). */
export const SNAPSHOT_CHUNK_BYTES = 512 * 1024;

/** What the receiver is told before the first chunk. */
export interface SnapshotFileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

export interface SnapshotChunk {
  /** Byte offset of `data` in the file. */
  readonly offset: number;
  readonly data: Buffer;
}

export class SnapshotStreamError extends Error {
  override readonly name = 'SnapshotStreamError';
}

/** Size and sha256 of a file's bytes, read in bounded pieces. */
export async function digestFile(file: string): Promise<SnapshotFileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of createReadStream(file, { highWaterMark: SNAPSHOT_CHUNK_BYTES })) {
    const buf = piece as Buffer;
    hash.update(buf);
    bytes += buf.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The chunks of `file`, in order, each at most `chunkBytes` (the last may be shorter). */
export async function* readSnapshotChunks(
  file: string,
  chunkBytes: number = SNAPSHOT_CHUNK_BYTES,
): AsyncGenerator<SnapshotChunk> {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`chunk size must be a positive integer, got ${chunkBytes}`);
  }
  let offset = 0;
  for await (const piece of createReadStream(file, { highWaterMark: chunkBytes })) {
    const data = piece as Buffer;
    yield { offset, data };
    offset += data.length;
  }
}

/**
 * One incoming snapshot file. Use: `SnapshotReceiver.begin`, `write` each chunk in order, then
 * `finish` (the file is durable at `file` when it resolves) or `abort`.
 */
export class SnapshotReceiver {
  private readonly hash = createHash('sha256');
  private received = 0;
  private done = false;

  private constructor(
    readonly file: string,
    readonly expected: SnapshotFileDigest,
    private readonly tmp: string,
    private readonly handle: FileHandle,
  ) {}

  static async begin(file: string, expected: SnapshotFileDigest): Promise<SnapshotReceiver> {
    if (!Number.isInteger(expected.bytes) || expected.bytes < 0) {
      throw new SnapshotStreamError(`bad announced size ${expected.bytes}`);
    }
    if (!/^[0-9a-f]{64}$/.test(expected.sha256)) {
      throw new SnapshotStreamError('bad announced sha256');
    }
    const tmp = `${file}.tmp`;
    // 'w' truncates a temp file an earlier, interrupted stream left behind.
    const handle = await open(tmp, 'w');
    return new SnapshotReceiver(file, expected, tmp, handle);
  }

  /** Bytes accepted so far. */
  get bytes(): number {
    return this.received;
  }

  async write(chunk: SnapshotChunk): Promise<void> {
    if (this.done) throw new SnapshotStreamError('stream already finished');
    if (chunk.offset !== this.received) {
      return this.refuse(`chunk at offset ${chunk.offset}, expected ${this.received}`);
    }
    if (this.received + chunk.data.length > this.expected.bytes) {
      return this.refuse(`stream longer than the announced ${this.expected.bytes} bytes`);
    }
    this.hash.update(chunk.data);
    this.received += chunk.data.length;
    await this.handle.write(chunk.data, 0, chunk.data.length, chunk.offset);
  }

  /** Checks size and digest, then makes the file durable under its name. */
  async finish(): Promise<void> {
    if (this.done) throw new SnapshotStreamError('stream already finished');
    if (this.received !== this.expected.bytes) {
      return this.refuse(`stream truncated: ${this.received} of ${this.expected.bytes} bytes`);
    }
    const sha256 = this.hash.digest('hex');
    if (sha256 !== this.expected.sha256) return this.refuse('sha256 mismatch');
    this.done = true;
    try {
      await this.handle.sync();
      await this.handle.close();
      await rename(this.tmp, this.file);
      await syncDir(path.dirname(this.file));
    } catch (e) {
      await this.handle.close().catch(() => undefined);
      await rm(this.tmp, { force: true });
      throw e;
    }
  }

  /** Drops the stream (the peer went away, or the transport refused a frame). */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }

  private async refuse(why: string): Promise<never> {
    await this.abort();
    throw new SnapshotStreamError(`snapshot stream refused: ${why}`);
  }
}
