/**
 * Snapshot format 4 (`raftboard-tasks/4`): the same contents as format 3 (snapshot-format.ts),
 * one item per line, so it is written from MySQL and read back into it in pages and never held
 * whole (issue 15: a node's RSS bounded at 100,000 tasks).
 *
 *     raftboard-tasks/4 {"index":…,"term":…,"sessionClock":"…"}
 *     p {project}            projects by id
 *     t {task}               tasks by id, every field
 *     s {session}            sessions by key
 *     end {"projects":P,"tasks":T,"sessions":S,"sha256":"<hex of every byte before this line>"}
 *
 * JSON.stringify never writes a raw line break, so every line is one item. The trailer makes a
 * truncated file detectable and its digest a corrupted one: a reader checks both before the
 * caller may commit what it read (restores run in one transaction and roll back otherwise).
 */
import { createHash, type Hash } from 'node:crypto';
import { z } from 'zod';
import type { Task } from '../cluster/api/task.js';
import { canonicalInstant } from './command.js';
import { StateMachineError } from './errors.js';
import {
  projectSchema,
  sessionSchema,
  taskSchema,
  type SnapshotSession,
} from './snapshot-format.js';
import type { ProjectRow } from './state-view.js';

export const SNAPSHOT_FORMAT_V4 = 'raftboard-tasks/4';
const HEADER_PREFIX = `${SNAPSHOT_FORMAT_V4} `;
const TRAILER_PREFIX = 'end ';
/** A longer line is not a snapshot's (a task is a few KB at most): refuse it, don't buffer it. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface SnapshotHeader {
  readonly index: number;
  readonly term: number;
  readonly sessionClock: string;
}

export interface SnapshotCounts {
  readonly projects: number;
  readonly tasks: number;
  readonly sessions: number;
}

export interface SnapshotTrailer extends SnapshotCounts {
  readonly sha256: string;
}

type Kind = 'p' | 't' | 's';
const KIND_ORDER: Record<Kind, number> = { p: 0, t: 1, s: 2 };

/** Builds the lines of one snapshot in order, keeping only the digest and the counts. */
export class SnapshotEncoder {
  private readonly hash: Hash = createHash('sha256');
  private counts = { projects: 0, tasks: 0, sessions: 0 };

  /** The first line. */
  header(h: SnapshotHeader): string {
    const header = { index: h.index, term: h.term, sessionClock: h.sessionClock };
    return this.hashed(`${HEADER_PREFIX}${JSON.stringify(header)}\n`);
  }

  project(p: ProjectRow): string {
    this.counts.projects += 1;
    return this.hashed(`p ${JSON.stringify(p)}\n`);
  }

  task(t: Task): string {
    this.counts.tasks += 1;
    return this.hashed(`t ${JSON.stringify(t)}\n`);
  }

  session(s: SnapshotSession): string {
    this.counts.sessions += 1;
    const row: SnapshotSession = {
      key: s.key,
      raftIndex: s.raftIndex,
      createdAt: s.createdAt,
      fingerprint: s.fingerprint,
      result: s.result,
    };
    return this.hashed(`s ${JSON.stringify(row)}\n`);
  }

  /** The last line; the encoder is spent afterwards. */
  trailer(): { line: string; trailer: SnapshotTrailer } {
    const trailer: SnapshotTrailer = { ...this.counts, sha256: this.hash.digest('hex') };
    return { line: `${TRAILER_PREFIX}${JSON.stringify(trailer)}\n`, trailer };
  }

  private hashed(line: string): string {
    this.hash.update(line, 'utf8');
    return line;
  }
}

/** What a reader hands its caller: the header first, then pages, in file order. */
export type SnapshotPage =
  | { readonly kind: 'header'; readonly header: SnapshotHeader }
  | { readonly kind: 'projects'; readonly items: readonly ProjectRow[] }
  | { readonly kind: 'tasks'; readonly items: readonly Task[] }
  | { readonly kind: 'sessions'; readonly items: readonly SnapshotSession[] };

const headerSchema = z.object({
  index: z.number().int().min(0),
  term: z.number().int().min(0),
  sessionClock: z.union([
    z.string().refine((s) => canonicalInstant(s) === s, 'not a canonical instant'),
    z.literal(''),
  ]),
});

const trailerSchema = z.object({
  projects: z.number().int().min(0),
  tasks: z.number().int().min(0),
  sessions: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

function bad(what: string): StateMachineError {
  return new StateMachineError(`bad ${SNAPSHOT_FORMAT_V4} snapshot: ${what}`);
}

function parseLine<T>(schema: z.ZodType<T>, text: string, line: number): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad(`line ${line} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`line ${line}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/** Splits a byte stream into lines (without the '\n'); the last one may lack its '\n'. */
async function* lines(
  chunks: AsyncIterable<Buffer | string>,
): AsyncGenerator<{ text: Buffer; ended: boolean }> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let start = 0;
    let at = chunk.indexOf(10);
    if (at >= 0) {
      // The first line completes the carried part.
      yield { text: Buffer.concat([carry, chunk.subarray(0, at)]), ended: true };
      carry = Buffer.alloc(0);
      start = at + 1;
      while ((at = chunk.indexOf(10, start)) >= 0) {
        yield { text: chunk.subarray(start, at), ended: true };
        start = at + 1;
      }
    }
    if (start < chunk.length) carry = Buffer.concat([carry, chunk.subarray(start)]);
    if (carry.length > MAX_LINE_BYTES) throw bad(`a line is longer than ${MAX_LINE_BYTES} bytes`);
  }
  if (carry.length > 0) yield { text: carry, ended: false };
}

/** True when `first` (a snapshot's first bytes) starts a format-4 snapshot. */
export function isSnapshotV4(first: string): boolean {
  return first.startsWith(HEADER_PREFIX);
}

/**
 * Reads a format-4 snapshot in pages of at most `pageSize` items, validating every line. It
 * throws (StateMachineError) on anything wrong — including, after the last page, a missing
 * trailer or one whose counts or digest do not match — so a caller that writes each page in a
 * transaction and commits only when this returns never commits a bad snapshot.
 */
export async function* readSnapshotV4(
  chunks: AsyncIterable<Buffer | string>,
  pageSize: number,
): AsyncGenerator<SnapshotPage, SnapshotTrailer> {
  const hash = createHash('sha256');
  const counts = { projects: 0, tasks: 0, sessions: 0 };
  let lineNo = 0;
  let kind: Kind | undefined;
  let page: (ProjectRow | Task | SnapshotSession)[] = [];
  let trailer: SnapshotTrailer | undefined;
  const flush = (): SnapshotPage | undefined => {
    if (page.length === 0 || kind === undefined) return undefined;
    const items = page;
    page = [];
    if (kind === 'p') return { kind: 'projects', items: items as ProjectRow[] };
    if (kind === 't') return { kind: 'tasks', items: items as Task[] };
    return { kind: 'sessions', items: items as SnapshotSession[] };
  };
  for await (const { text: bytes, ended } of lines(chunks)) {
    lineNo += 1;
    if (trailer !== undefined) throw bad(`line ${lineNo} follows the trailer`);
    if (!ended) throw bad(`truncated at line ${lineNo}`);
    const text = bytes.toString('utf8');
    if (lineNo === 1) {
      if (!text.startsWith(HEADER_PREFIX)) throw bad('no header line');
      hash.update(bytes).update('\n');
      yield {
        kind: 'header',
        header: parseLine(headerSchema, text.slice(HEADER_PREFIX.length), 1),
      };
      continue;
    }
    if (text.startsWith(TRAILER_PREFIX)) {
      trailer = parseLine(trailerSchema, text.slice(TRAILER_PREFIX.length), lineNo);
      continue;
    }
    hash.update(bytes).update('\n');
    const k = text.slice(0, 2);
    const next: Kind | undefined =
      k === 'p ' ? 'p' : k === 't ' ? 't' : k === 's ' ? 's' : undefined;
    if (next === undefined) throw bad(`line ${lineNo} is no item`);
    if (kind !== undefined && KIND_ORDER[next] < KIND_ORDER[kind]) {
      throw bad(`line ${lineNo} is out of order`);
    }
    if (next !== kind || page.length >= pageSize) {
      const done = flush();
      if (done !== undefined) yield done;
      kind = next;
    }
    const body = text.slice(2);
    if (next === 'p') {
      page.push(parseLine(projectSchema, body, lineNo));
      counts.projects += 1;
    } else if (next === 't') {
      page.push(parseLine(taskSchema, body, lineNo));
      counts.tasks += 1;
    } else {
      page.push(parseLine(sessionSchema, body, lineNo));
      counts.sessions += 1;
    }
  }
  if (lineNo === 0) throw bad('empty');
  if (trailer === undefined) throw bad('no trailer (truncated)');
  const last = flush();
  if (last !== undefined) yield last;
  if (
    trailer.projects !== counts.projects ||
    trailer.tasks !== counts.tasks ||
    trailer.sessions !== counts.sessions
  ) {
    throw bad(
      `the trailer counts ${trailer.projects}/${trailer.tasks}/${trailer.sessions} items, ` +
        `the file has ${counts.projects}/${counts.tasks}/${counts.sessions}`,
    );
  }
  if (hash.digest('hex') !== trailer.sha256) throw bad('checksum mismatch');
  return trailer;
}
