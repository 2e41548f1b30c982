/**
 * Writing a format-4 snapshot (snapshot-v4.ts) to a file as its items arrive, a bounded buffer
 * at a time, and reading one back in pages. Neither ever holds the whole snapshot: memory is
 * one page of rows plus `WRITE_BUFFER` bytes, whatever the database's size.
 *
 * The file appears whole or not at all: written to `<file>.tmp`, fsync'ed, renamed, and the
 * directory fsync'ed, so a crash leaves either no file or a complete one.
 */
import { createReadStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Task } from '../cluster/api/task.js';
import type { SnapshotSession } from './snapshot-format.js';
import {
  SnapshotEncoder,
  readSnapshotV4,
  type SnapshotHeader,
  type SnapshotPage,
  type SnapshotTrailer,
} from './snapshot-v4.js';
import type { ProjectRow } from './state-view.js';

/** Bytes gathered before each write. */
const WRITE_BUFFER = 1024 * 1024;

export interface SnapshotSource {
  readonly projects: AsyncIterable<ProjectRow> | Iterable<ProjectRow>;
  readonly tasks: AsyncIterable<Task> | Iterable<Task>;
  readonly sessions: AsyncIterable<SnapshotSession> | Iterable<SnapshotSession>;
}

/** What a written snapshot file holds: small, what a log or a peer needs to know of it. */
export interface SnapshotFileInfo extends SnapshotHeader {
  readonly file: string;
  readonly bytes: number;
  readonly trailer: SnapshotTrailer;
}

export async function writeSnapshotFile(
  file: string,
  header: SnapshotHeader,
  source: SnapshotSource,
): Promise<SnapshotFileInfo> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  let bytes = 0;
  try {
    const encoder = new SnapshotEncoder();
    let parts: string[] = [];
    let pending = 0;
    const flush = async (): Promise<void> => {
      if (parts.length === 0) return;
      const buf = Buffer.from(parts.join(''), 'utf8');
      parts = [];
      pending = 0;
      bytes += buf.length;
      await handle.write(buf);
    };
    const add = async (line: string): Promise<void> => {
      parts.push(line);
      pending += line.length;
      if (pending >= WRITE_BUFFER) await flush();
    };
    await add(encoder.header(header));
    for await (const p of source.projects) await add(encoder.project(p));
    for await (const t of source.tasks) await add(encoder.task(t));
    for await (const s of source.sessions) await add(encoder.session(s));
    const { line, trailer } = encoder.trailer();
    await add(line);
    await flush();
    await handle.sync();
    await handle.close();
    await rename(tmp, file);
    await syncDir(path.dirname(file));
    return { ...header, file, bytes, trailer };
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
}

/** The pages of a snapshot file (readSnapshotV4: throws on a bad or truncated one). */
export function readSnapshotFile(
  file: string,
  pageSize: number,
): AsyncGenerator<SnapshotPage, SnapshotTrailer> {
  return readSnapshotV4(createReadStream(file, { highWaterMark: 256 * 1024 }), pageSize);
}

/** fsyncs a directory, so a rename into it is durable (async; fsutil.ts has the sync one). */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
