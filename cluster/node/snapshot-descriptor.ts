/**
 * What the WAL and the Raft core would carry as `Snapshot.data` once snapshots live in files:
 * a small descriptor (a few hundred bytes) naming a format-4 file in the data dir, instead of
 * the whole database as one string. The file itself moves between nodes beside the raft message
 * (transport/snapshot-stream.ts), as etcd sends its database file beside a small MsgSnap.
 *
 * Invariants:
 * - A descriptor is told from a format 1–3 snapshot string by its first bytes alone, so an old
 *   WAL holding a string snapshot still recovers and restores as before, and no multi-megabyte
 *   string is ever parsed to find out which it is.
 * - `file` is a bare name inside the data dir's snapshot directory (no separator, no `..`): a
 *   descriptor from a peer can never name a path outside it.
 * - `bytes` and `sha256` are of the file's bytes (snapshot-stream.ts `digestFile`), what the
 *   receiver checks before the file is used.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const SNAPSHOT_DESCRIPTOR_FORMAT = 'raftboard-snapshot-file/1';

/** Descriptors are small; anything longer is not one (and is never parsed as one). */
const MAX_DESCRIPTOR_CHARS = 4096;
const PREFIX = `{"format":${JSON.stringify(SNAPSHOT_DESCRIPTOR_FORMAT)},`;

/** Snapshot files are `snap-<index>-<term>.rbs4`, index and term as 16 hex digits. */
const FILE_NAME = /^snap-[0-9a-f]{16}-[0-9a-f]{16}\.rbs4$/;

export interface SnapshotDescriptor {
  readonly format: typeof SNAPSHOT_DESCRIPTOR_FORMAT;
  readonly index: number;
  readonly term: number;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

const schema = z
  .object({
    format: z.literal(SNAPSHOT_DESCRIPTOR_FORMAT),
    index: z.number().int().min(1),
    term: z.number().int().min(1),
    file: z.string().regex(FILE_NAME),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

/** What a `Snapshot.data` string holds. */
export type SnapshotData =
  | { readonly kind: 'empty' }
  | { readonly kind: 'descriptor'; readonly descriptor: SnapshotDescriptor }
  /** A format 1–3 document, restored from the string as before. */
  | { readonly kind: 'inline'; readonly data: string };

export function snapshotFileName(index: number, term: number): string {
  const hex = (n: number): string => n.toString(16).padStart(16, '0');
  return `snap-${hex(index)}-${hex(term)}.rbs4`;
}

export function encodeDescriptor(d: Omit<SnapshotDescriptor, 'format'>): string {
  const descriptor: SnapshotDescriptor = { format: SNAPSHOT_DESCRIPTOR_FORMAT, ...d };
  // Checked on the way out too: a descriptor this node writes is one it will read back.
  schema.parse(descriptor);
  if (d.file !== snapshotFileName(d.index, d.term)) {
    throw new Error(`snapshot file ${d.file} does not match ${d.index}/${d.term}`);
  }
  return JSON.stringify(descriptor);
}

/**
 * Classifies `Snapshot.data`. Throws on a string that starts as a descriptor but is not a valid
 * one (a peer's bad message or a damaged WAL: refused, never guessed at).
 */
export function parseSnapshotData(data: string): SnapshotData {
  if (data === '') return { kind: 'empty' };
  if (!data.startsWith(PREFIX)) return { kind: 'inline', data };
  if (data.length > MAX_DESCRIPTOR_CHARS) {
    throw new Error(`snapshot descriptor of ${data.length} chars exceeds ${MAX_DESCRIPTOR_CHARS}`);
  }
  const parsed = schema.safeParse(JSON.parse(data) as unknown);
  if (!parsed.success) throw new Error(`bad snapshot descriptor: ${parsed.error.message}`);
  const d = parsed.data;
  if (d.file !== snapshotFileName(d.index, d.term)) {
    throw new Error(`snapshot file ${d.file} does not match ${d.index}/${d.term}`);
  }
  return { kind: 'descriptor', descriptor: d };
}

/** The descriptor's file inside `dir` (the name is checked by the schema: no way out of `dir`). */
export function descriptorPath(dir: string, d: SnapshotDescriptor): string {
  return path.join(dir, d.file);
}

/**
 * Deletes snapshot files (and temp files of interrupted writes or streams) in `dir` other than
 * those named in `keep`: the durable newest one, any a sender is still reading, and the name
 * (`<file>.tmp`) of any write or incoming stream under way. Files that are not snapshot files
 * are left alone. Returns the names removed.
 */
export async function removeStaleSnapshotFiles(
  dir: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const base = name.endsWith('.tmp') ? name.slice(0, -'.tmp'.length) : name;
    if (!FILE_NAME.test(base) || keep.has(name)) continue;
    await rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed.sort();
}
