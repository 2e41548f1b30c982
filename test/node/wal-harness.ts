/** Shared helpers of the WAL tests: temp data directories (removed after each test) and entries. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import type { ConfState, Entry } from '../../cluster/raft/index.js';
import { DiskStorage, type DiskStorageOptions } from '../../cluster/node/wal/index.js';

export const CONF: ConfState = { voters: [1, 2, 3], learners: [] };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-wal-'));
  dirs.push(d);
  return d;
}

/** Entries from index `first` with the given terms; data tells them apart. */
export function ents(first: number, terms: readonly number[], tag = ''): Entry[] {
  return terms.map((term, k) => ({
    index: first + k,
    term,
    type: 'normal' as const,
    data: `${tag}e${first + k}t${term}`,
  }));
}

export interface Opened {
  readonly s: DiskStorage;
  readonly logs: string[];
}

/** Opens `dir` collecting log lines; `opts` override the test defaults. */
export function openDisk(dir: string, opts: Partial<DiskStorageOptions> = {}): Opened {
  const logs: string[] = [];
  const s = DiskStorage.open(dir, { bootstrap: CONF, log: (m) => logs.push(m), ...opts });
  return { s, logs };
}

/** Segment file names in order. */
export function segments(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, 'wal'))
    .filter((n) => n.endsWith('.wal'))
    .sort();
}

export function snapFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, 'snap'))
    .filter((n) => n.endsWith('.snap'))
    .sort();
}

/** Byte offsets of the records of a segment (walks the length fields). */
export function recordOffsets(file: string): number[] {
  const buf = fs.readFileSync(file);
  const out: number[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    out.push(off);
    off += 8 + buf.readUInt32LE(off);
  }
  return out;
}

export function flipByte(file: string, at: number): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  b[0] ^= 0x5a;
  fs.writeSync(fd, b, 0, 1, at);
  fs.closeSync(fd);
}
