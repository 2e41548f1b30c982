/** Synchronous file helpers with the fsyncs that make writes and renames durable. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes all of `buf` at `position` (regular files rarely write short, but they may). */
export function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
  }
}

/**
 * Makes a directory's entries (created, renamed, deleted files) durable. Windows cannot open a
 * directory for fsync; NTFS journals its metadata, so there it is skipped.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (e) {
    if (process.platform === 'win32') return;
    throw e;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (process.platform !== 'win32') throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** The name a file is written under before it is renamed over `name`. */
export const tempName = (name: string): string => `${name}.tmp`;

/**
 * Replaces `dir/name` atomically: write a temp file, fsync it, rename it over the old one,
 * fsync the directory. A crash leaves either the old file or the new one (and maybe a temp file,
 * which readers ignore).
 */
export function atomicWrite(dir: string, name: string, data: Buffer): void {
  const tmp = path.join(dir, tempName(name));
  const fd = fs.openSync(tmp, 'w');
  try {
    writeAll(fd, data, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
}

/** Deletes a file; a file that is already gone is fine. */
export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export function exists(p: string): boolean {
  return fs.existsSync(p);
}

/**
 * atomicWrite without blocking the event loop: the writes and the fsync run in libuv's thread
 * pool (a 60 MB snapshot takes a quarter of a second to write here), then the rename and the
 * directory fsync, which are quick. The same guarantees: all or nothing under `name`.
 */
export async function atomicWriteAsync(dir: string, name: string, parts: Buffer[]): Promise<void> {
  const tmp = path.join(dir, tempName(name));
  const handle = await fs.promises.open(tmp, 'w');
  try {
    for (const part of parts) {
      let done = 0;
      while (done < part.length) done += (await handle.write(part, done)).bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  fs.renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
}
