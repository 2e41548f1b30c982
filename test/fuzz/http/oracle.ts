/**
 * What every answer of the task API must look like, whatever was sent (docs/contract.md §2, §4, §5):
 *  - the status is 2xx or 4xx, or 503 `no_leader` / `mysql_down` (with Retry-After); never a
 *    500 or another 5xx, never a redirect;
 *  - the body is JSON; an error is `{ error, message, details? }` with string details;
 *  - a task in an answer has the model's shape, and a write's answer carries raftIndex, term and
 *    servedBy;
 *  - a 2xx create or change did what the body asked (title trimmed, defaults, version + 1).
 * Answers made by Node's HTTP parser itself (a request that is not HTTP) carry no JSON; they
 * are counted apart and must be 4xx too. A CONNECT gets no answer at all (Node closes it).
 */
import type { WriteResponse } from '../../../cluster/api/node.js';
import type { Task } from '../../../cluster/api/task.js';
import type { RawResponse } from './raw-http.js';

export type Kind = 'app' | 'parser';

export interface Judged {
  readonly kind: Kind;
  readonly json: unknown;
  readonly problems: string[];
}

const RETRYABLE = new Set(['no_leader', 'mysql_down']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The status and body rules; `method` because a HEAD answer has no body. */
export function judge(method: string, res: RawResponse): Judged {
  const problems: string[] = [];
  const s = res.status;
  if (s === 0) {
    // Node's HTTP server has no CONNECT handler and just closes such a connection.
    if (method !== 'CONNECT') problems.push('the connection closed without an answer');
    return { kind: 'parser', json: undefined, problems };
  }
  const isJson = (res.headers['content-type'] ?? '').startsWith('application/json');
  if (!isJson) {
    // Node's parser answers garbage with a bare 4xx and no body; the app always sends JSON.
    const bare = res.body.length === 0;
    if (!(bare && s >= 400 && s < 500) && !(method === 'HEAD' && bare)) {
      problems.push(
        `HTTP ${s} without a JSON body: ${JSON.stringify(res.body.toString('utf8').slice(0, 200))}`,
      );
    }
    return { kind: 'parser', json: undefined, problems };
  }
  let json: unknown;
  if (method !== 'HEAD') {
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      problems.push(
        `HTTP ${s} with a body that is not JSON: ${JSON.stringify(res.body.toString('utf8').slice(0, 200))}`,
      );
    }
  }
  if (s >= 500) {
    const code = isRecord(json) ? json.error : undefined;
    if (s !== 503 || typeof code !== 'string' || !RETRYABLE.has(code)) {
      problems.push(`HTTP ${s} ${JSON.stringify(json)}`);
    } else if (res.headers['retry-after'] === undefined) {
      problems.push(`503 ${code} without Retry-After`);
    }
  } else if (s < 200 || (s >= 300 && s < 400)) {
    problems.push(`HTTP ${s}`);
  }
  if (s >= 400 && method !== 'HEAD') {
    if (!isRecord(json) || typeof json.error !== 'string' || typeof json.message !== 'string') {
      problems.push(`error body is not { error, message }: ${JSON.stringify(json)?.slice(0, 200)}`);
    } else if (json.details !== undefined) {
      const d = json.details;
      if (!isRecord(d) || Object.values(d).some((v) => typeof v !== 'string')) {
        problems.push(`error details are not strings: ${JSON.stringify(d).slice(0, 200)}`);
      }
    }
  }
  return { kind: 'app', json, problems };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A task as docs/contract.md §5 defines it. */
export function taskProblems(t: unknown): string[] {
  if (!isRecord(t)) return [`not a task: ${JSON.stringify(t)}`];
  const p: string[] = [];
  const chars = (s: unknown): number => (typeof s === 'string' ? [...s].length : -1);
  if (typeof t.id !== 'string' || !UUID.test(t.id)) p.push(`id ${JSON.stringify(t.id)}`);
  if (
    typeof t.title !== 'string' ||
    chars(t.title) < 1 ||
    chars(t.title) > 255 ||
    t.title !== t.title.trim()
  ) {
    p.push(`title ${JSON.stringify(t.title)?.slice(0, 80)}`);
  }
  if (typeof t.description !== 'string' || chars(t.description) > 10_000) p.push('description');
  if (!['todo', 'in_progress', 'done'].includes(t.status as string))
    p.push(`status ${String(t.status)}`);
  if (!['low', 'medium', 'high'].includes(t.priority as string))
    p.push(`priority ${String(t.priority)}`);
  if (t.dueDate !== null && (typeof t.dueDate !== 'string' || !DAY.test(t.dueDate)))
    p.push('dueDate');
  for (const k of ['createdAt', 'updatedAt']) {
    const v = t[k];
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) p.push(k);
  }
  for (const k of ['version', 'raftIndex']) {
    const v = t[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) p.push(k);
  }
  return p.map((x) => `task ${JSON.stringify(t.id)}: bad ${x}`);
}

/** A write's answer: a task (or null for a delete) and where it landed. */
export function writeProblems(w: unknown, servers: readonly number[]): string[] {
  if (!isRecord(w)) return [`write answer is not an object: ${JSON.stringify(w)}`];
  const p = w.task === null ? [] : taskProblems(w.task);
  for (const k of ['raftIndex', 'term']) {
    const v = w[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      p.push(`write answer: bad ${k}`);
  }
  if (!servers.includes(w.servedBy as number))
    p.push(`write answer: servedBy ${String(w.servedBy)}`);
  return p;
}

/** Whether the 2xx write did what its body asked, given the task before (for a change). */
export function intentProblems(
  method: string,
  body: unknown,
  before: Task | undefined,
  answer: WriteResponse,
): string[] {
  const t = answer.task;
  const b = isRecord(body) ? body : {};
  const p: string[] = [];
  const expect = (field: keyof Task, want: unknown): void => {
    if (t !== null && JSON.stringify(t[field]) !== JSON.stringify(want)) {
      p.push(
        `${method}: ${field} is ${JSON.stringify(t[field])?.slice(0, 100)}, asked ${JSON.stringify(want)?.slice(0, 100)}`,
      );
    }
  };
  if (method === 'POST') {
    expect('title', typeof b.title === 'string' ? b.title.trim() : b.title);
    expect('description', b.description ?? '');
    expect('status', b.status ?? 'todo');
    expect('priority', b.priority ?? 'medium');
    expect('dueDate', b.dueDate ?? null);
    expect('version', 1);
  } else if (method === 'PATCH' && before !== undefined) {
    expect('title', typeof b.title === 'string' ? b.title.trim() : before.title);
    for (const f of ['description', 'status', 'priority', 'dueDate'] as const) {
      expect(f, b[f] === undefined ? before[f] : b[f]);
    }
    expect('version', before.version + 1);
    expect('createdAt', before.createdAt);
  } else if (method === 'DELETE' && t !== null) {
    p.push(`DELETE answered a task: ${JSON.stringify(t).slice(0, 100)}`);
  }
  return p;
}
