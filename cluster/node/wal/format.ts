/**
 * On-disk encodings: the record frame shared by WAL segments, snapshot files and the hard-state
 * file, the entry record, file names, and the scan that validates one segment's records.
 * See README.md in this folder for the layout and the recovery rules.
 */
import type { ConfState, Entry, HardState, Snapshot } from '../../raft/types.js';
import { crc32c, crc32cInSlices } from './crc32c.js';

/** A frame: u32 LE payload length, u32 LE CRC-32C of the payload, then the payload. */
export const HEADER_BYTES = 8;

/** Payload type byte of a WAL record. Only entries go to the WAL (hard state and snapshots have files). */
const RECORD_ENTRY = 1;
const ENTRY_FIXED_BYTES = 1 + 1 + 8 + 8;

const TWO_32 = 2 ** 32;

/** Entry flag bits (payload byte 1). */
const FLAG_CONF = 0x01;
const FLAG_UTF16 = 0x02;

/**
 * A lone surrogate: a JavaScript string UTF-8 cannot carry (it would come back as U+FFFD, and the
 * replica's entry would differ from the leader's). Such data is stored as UTF-16LE instead.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export function textEncoding(s: string): 'utf8' | 'utf16le' {
  return LONE_SURROGATE.test(s) ? 'utf16le' : 'utf8';
}

export function frame(payload: Buffer): Buffer {
  return Buffer.concat([frameHeader(payload.length, crc32c(payload)), payload]);
}

function frameHeader(length: number, crc: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(length, 0);
  header.writeUInt32LE(crc, 4);
  return header;
}

function writeU64(buf: Buffer, n: number, at: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} ${n} is not a valid index`);
  buf.writeUInt32LE(n % TWO_32, at);
  buf.writeUInt32LE(Math.floor(n / TWO_32), at + 4);
}

function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * TWO_32;
}

/** One entry as a framed WAL record. */
export function encodeEntryRecord(e: Entry): Buffer {
  const enc = textEncoding(e.data);
  const dataBytes = Buffer.byteLength(e.data, enc);
  const payload = Buffer.allocUnsafe(ENTRY_FIXED_BYTES + dataBytes);
  payload[0] = RECORD_ENTRY;
  payload[1] = (e.type === 'conf' ? FLAG_CONF : 0) | (enc === 'utf16le' ? FLAG_UTF16 : 0);
  writeU64(payload, e.index, 2, 'entry index');
  writeU64(payload, e.term, 10, 'entry term');
  payload.write(e.data, ENTRY_FIXED_BYTES, enc);
  return frame(payload);
}

/** Decodes a payload whose checksum matched; a string is the reason it is not a valid entry. */
function decodeEntryPayload(p: Buffer): Entry | string {
  if (p.length < ENTRY_FIXED_BYTES) return `record of ${p.length} bytes is too short for an entry`;
  if (p[0] !== RECORD_ENTRY) return `unknown record type ${p[0]}`;
  const flags = p[1];
  if ((flags & ~(FLAG_CONF | FLAG_UTF16)) !== 0) return `unknown entry flags ${flags}`;
  const utf16 = (flags & FLAG_UTF16) !== 0;
  if (utf16 && (p.length - ENTRY_FIXED_BYTES) % 2 !== 0) return 'odd UTF-16 data length';
  const index = readU64(p, 2);
  if (index < 1) return 'entry index 0';
  return {
    index,
    term: readU64(p, 10),
    type: (flags & FLAG_CONF) !== 0 ? 'conf' : 'normal',
    data: p.toString(utf16 ? 'utf16le' : 'utf8', ENTRY_FIXED_BYTES),
  };
}

export interface ScannedEntry {
  readonly entry: Entry;
  /** Byte offset of the record's header in its segment. */
  readonly offset: number;
}

export interface ScanProblem {
  readonly offset: number;
  readonly reason: string;
  /**
   * Looks like an interrupted append and like nothing else (see {@link scanSegment}):
   * truncatable if and only if it is in the last segment.
   */
  readonly torn: boolean;
}

export interface ScanResult {
  readonly records: ScannedEntry[];
  /** End of the last good record: where a torn tail is cut. */
  readonly end: number;
  readonly problem?: ScanProblem;
}

function allZero(buf: Buffer, from: number, to = buf.length): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The unit a disk writes whole or not at all. An append interrupted by a crash leaves a prefix
 * of what it wrote, the rest absent (the file is shorter) or reading as zeros (the file grew but
 * the blocks were never written): whole 512-byte sectors, the smallest unit of any disk, so a
 * run of zeros that starts inside a sector is data, not a missing write.
 */
const SECTOR_BYTES = 512;

/**
 * Fewer trailing zeros than this are taken for data: an entry with empty data (a leader's
 * no-op) ends with the 4 zero high bytes of its term, and a UTF-16LE one may end in a zero byte.
 */
const MIN_MISSING_BYTES = 8;

/**
 * Whether the record frame at [at, next) can be what an interrupted write left: its bytes from
 * some sector boundary to its end read as zeros (at least {@link MIN_MISSING_BYTES} of them).
 */
function endsInUnwrittenSectors(buf: Buffer, at: number, next: number): boolean {
  let zeros = next;
  while (zeros > at && buf[zeros - 1] === 0) zeros--;
  const boundary = Math.ceil(zeros / SECTOR_BYTES) * SECTOR_BYTES;
  return boundary < next && next - boundary >= MIN_MISSING_BYTES;
}

/**
 * A record whose length field runs past the end of the file, but whose bytes after the header
 * are a whole record (its checksum matches with the length the file implies, give or take the
 * zeros an entry may end in): the length field was damaged after the record was written, which
 * no interrupted write can do. Returns that length, or undefined.
 */
function wholeRecordBehindLength(buf: Buffer, at: number): number | undefined {
  const body = buf.subarray(at + HEADER_BYTES);
  const crc = buf.readUInt32LE(at + 4);
  let data = body.length;
  while (data > 0 && body[data - 1] === 0) data--;
  const longest = Math.min(body.length, data + MIN_MISSING_BYTES);
  for (let len = Math.max(ENTRY_FIXED_BYTES, data); len <= longest; len++) {
    const payload = body.subarray(0, len);
    if (crc32c(payload) === crc && typeof decodeEntryPayload(payload) !== 'string') return len;
  }
  return undefined;
}

/**
 * The offset of the first whole valid record (checksum matches, decodes as an entry) that starts
 * after `from`, at any byte offset: evidence that what precedes it was written before it, and so
 * was fsynced (an append starts only after the previous one's fdatasync returned). Only run on
 * a damaged segment, at recovery.
 */
export function findValidRecord(buf: Buffer, from: number): number | undefined {
  for (let p = from; p + HEADER_BYTES + ENTRY_FIXED_BYTES <= buf.length; p++) {
    const len = buf.readUInt32LE(p);
    if (len < ENTRY_FIXED_BYTES || len > buf.length - p - HEADER_BYTES) continue;
    const payload = buf.subarray(p + HEADER_BYTES, p + HEADER_BYTES + len);
    if (payload[0] !== RECORD_ENTRY || (payload[1] & ~(FLAG_CONF | FLAG_UTF16)) !== 0) continue;
    if (crc32c(payload) !== buf.readUInt32LE(p + 4)) continue;
    if (typeof decodeEntryPayload(payload) !== 'string') return p;
  }
  return undefined;
}

/**
 * Reads records from the start of a segment until its end or the first bad one, and says
 * whether that bad one can be the torn tail of an interrupted append (review H5: a damaged
 * length taken for a torn tail silently cut every acknowledged record after it). It is torn only
 * if its bytes are what a crash during the last write leaves, and nothing valid follows:
 *  - fewer than 8 bytes left (a partial header), or zeros to the end of the file;
 *  - a length that runs past the end of the file: a record cut short, unless the bytes that are
 *    there form a whole record (then only its length field is damaged);
 *  - a checksum mismatch where the record ends in zeros from a sector boundary (sectors never
 *    written), followed by zeros or the end of the file;
 *  - and in each case, no valid record at any later offset: the only write that can be torn is
 *    the last one, and a record after it proves it was not the last.
 * Anything else (a flipped bit in a whole record, header or payload, a valid record after a bad
 * one) is corruption of fsynced, maybe acknowledged, data: `torn: false`.
 * The segment is assumed written by appends, each fdatasync'ed before the next begins.
 */
export function scanSegment(buf: Buffer): ScanResult {
  const records: ScannedEntry[] = [];
  let off = 0;
  const stop = (reason: string, torn: boolean): ScanResult => {
    if (torn) {
      const after = findValidRecord(buf, off + 1);
      if (after !== undefined) {
        reason = `${reason}, but a valid record follows at offset ${after}`;
        torn = false;
      }
    }
    return { records, end: off, problem: { offset: off, reason, torn } };
  };
  while (off < buf.length) {
    const left = buf.length - off;
    if (left < HEADER_BYTES) {
      if (allZero(buf, off)) return stop(`${left} zero bytes after the last record`, true);
      return stop(`partial record header (${left} bytes)`, true);
    }
    const len = buf.readUInt32LE(off);
    if (len === 0) {
      if (allZero(buf, off)) return stop(`${left} zero bytes after the last record`, true);
      return stop('record length 0', false);
    }
    const next = off + HEADER_BYTES + len;
    if (next > buf.length) {
      const whole = wholeRecordBehindLength(buf, off);
      if (whole !== undefined)
        return stop(
          `record length ${len} runs past the end of the file, but a whole record of ${whole} bytes is there: its length field is damaged`,
          false,
        );
      return stop(`partial record: ${len} bytes announced, ${left - HEADER_BYTES} present`, true);
    }
    const payload = buf.subarray(off + HEADER_BYTES, next);
    if (crc32c(payload) !== buf.readUInt32LE(off + 4)) {
      return stop(
        'checksum mismatch',
        allZero(buf, next) && endsInUnwrittenSectors(buf, off, next),
      );
    }
    const entry = decodeEntryPayload(payload);
    if (typeof entry === 'string') return stop(entry, false);
    records.push({ entry, offset: off });
    off = next;
  }
  return { records, end: off };
}

/** A whole file that is exactly one frame (snapshot, hard state): the payload or why not. */
export function unframeFile(buf: Buffer): Buffer | string {
  if (buf.length < HEADER_BYTES) return `file of ${buf.length} bytes is too short`;
  const len = buf.readUInt32LE(0);
  if (HEADER_BYTES + len !== buf.length)
    return `length ${len} does not match the file size ${buf.length}`;
  const payload = buf.subarray(HEADER_BYTES);
  if (crc32c(payload) !== buf.readUInt32LE(4)) return 'checksum mismatch';
  return payload;
}

// ---- hard state file ----

export function encodeHardState(hs: HardState): Buffer {
  const { term, vote, commit } = hs;
  return frame(Buffer.from(JSON.stringify({ term, vote, commit }), 'utf8'));
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function decodeHardState(buf: Buffer): HardState | string {
  const payload = unframeFile(buf);
  if (typeof payload === 'string') return payload;
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch (_e) {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null) return 'not an object';
  const o = v as Record<string, unknown>;
  if (!isCount(o.term) || !isCount(o.vote) || !isCount(o.commit))
    return 'term, vote and commit must be non-negative integers';
  return { term: o.term, vote: o.vote, commit: o.commit };
}

// ---- snapshot file ----

/** A snapshot as stored: the core's Snapshot plus where its WAL starts. */
export interface StoredSnapshot {
  readonly snapshot: Snapshot;
  /**
   * The first WAL segment (by sequence number) that belongs to the log after this snapshot.
   * A snapshot installed from a leader replaces the whole log: older segments are superseded.
   */
  readonly walBase: number;
}

/** Payload: u32 LE length of the metadata JSON, the metadata JSON, then the data as UTF-8. */
/**
 * encodeSnapshotFile's bytes as [header, payload], its CRC computed in slices: for a large
 * snapshot built while the node serves (see DiskStorage.createSnapshotAsync).
 */
export async function encodeSnapshotFileInSlices(s: StoredSnapshot): Promise<Buffer[]> {
  const payload = snapshotPayload(s);
  return [frameHeader(payload.length, await crc32cInSlices(payload)), payload];
}

export function encodeSnapshotFile(s: StoredSnapshot): Buffer {
  return frame(snapshotPayload(s));
}

function snapshotPayload(s: StoredSnapshot): Buffer {
  const { index, term, conf } = s.snapshot.metadata;
  const enc = textEncoding(s.snapshot.data);
  const meta = Buffer.from(
    JSON.stringify({
      index,
      term,
      conf: { voters: conf.voters, learners: conf.learners },
      walBase: s.walBase,
      ...(enc === 'utf16le' ? { encoding: enc } : {}),
    }),
    'utf8',
  );
  const dataBytes = Buffer.byteLength(s.snapshot.data, enc);
  const payload = Buffer.allocUnsafe(4 + meta.length + dataBytes);
  payload.writeUInt32LE(meta.length, 0);
  meta.copy(payload, 4);
  payload.write(s.snapshot.data, 4 + meta.length, enc);
  return payload;
}

const isIdList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && (x as number) > 0);

export function decodeSnapshotFile(buf: Buffer): StoredSnapshot | string {
  const payload = unframeFile(buf);
  if (typeof payload === 'string') return payload;
  if (payload.length < 4) return 'payload too short';
  const metaLen = payload.readUInt32LE(0);
  if (4 + metaLen > payload.length) return 'metadata length beyond the payload';
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8', 4, 4 + metaLen));
  } catch (_e) {
    return 'metadata is not JSON';
  }
  if (typeof v !== 'object' || v === null) return 'metadata is not an object';
  const o = v as Record<string, unknown>;
  const c = o.conf as Record<string, unknown> | null | undefined;
  if (!isCount(o.index) || !isCount(o.term) || !isCount(o.walBase)) return 'bad metadata numbers';
  if (typeof c !== 'object' || c === null || !isIdList(c.voters) || !isIdList(c.learners))
    return 'bad configuration';
  if (o.encoding !== undefined && o.encoding !== 'utf16le') return 'unknown data encoding';
  const conf: ConfState = { voters: c.voters, learners: c.learners };
  return {
    snapshot: {
      metadata: { index: o.index, term: o.term, conf },
      data: payload.toString(o.encoding === 'utf16le' ? 'utf16le' : 'utf8', 4 + metaLen),
    },
    walBase: o.walBase,
  };
}

// ---- names ----

const hex16 = (n: number): string => n.toString(16).padStart(16, '0');

export function segmentName(seq: number, firstIndex: number): string {
  return `${hex16(seq)}-${hex16(firstIndex)}.wal`;
}

export function parseSegmentName(name: string): { seq: number; firstIndex: number } | undefined {
  const m = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/.exec(name);
  if (!m) return undefined;
  return { seq: parseInt(m[1], 16), firstIndex: parseInt(m[2], 16) };
}

export function snapshotName(index: number): string {
  return `${hex16(index)}.snap`;
}

export function parseSnapshotName(name: string): number | undefined {
  const m = /^([0-9a-f]{16})\.snap$/.exec(name);
  return m ? parseInt(m[1], 16) : undefined;
}
