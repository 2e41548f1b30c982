/**
 * One task request as a recorder sees it on the wire (the nemesis clients, the control API's
 * `/api/tasks` proxy, the Electron host): method, path, query, the two headers that matter and
 * the JSON body; and the answer, or none (timeout, dropped connection).
 */
import type { Task, TaskInput, TaskPatch } from '../../api/task.js';

export interface TaskRequest {
  readonly method: string;
  /** `/tasks` or `/tasks/ID` (no `/api` prefix). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly idempotencyKey?: string | undefined;
  readonly ifMatch?: string | undefined;
  /** The parsed JSON body; undefined when there was none (or it was not JSON). */
  readonly body?: unknown;
}

/** The answer: HTTP status and parsed JSON body; null when none arrived. */
export type TaskAnswer = { readonly status: number; readonly body: unknown } | null;

/** What kind of operation a request is, with what the history needs of it. */
export type Classified =
  | { readonly f: 'create'; readonly input: TaskInput }
  | {
      readonly f: 'update';
      readonly taskId: string;
      readonly patch: TaskPatch;
      readonly expectedVersion?: number;
    }
  | { readonly f: 'delete'; readonly taskId: string; readonly expectedVersion?: number }
  | { readonly f: 'read'; readonly taskId: string; readonly consistency: string }
  | {
      readonly f: 'list';
      readonly consistency: string;
      /** No filter and offset 0: an answer shorter than `limit` shows every task. */
      readonly unfiltered: boolean;
      readonly limit: number;
    }
  /** Not a task operation the history knows (bad path, unknown method): not recorded. */
  | { readonly f: 'other' };

const TASK_PATH = /^\/tasks(?:\/([^/?#]+))?\/?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `If-Match: 3` or `"3"`, or the body's expectedVersion; undefined when neither is usable. */
function expectedVersion(req: TaskRequest): number | undefined {
  const fromBody = isObject(req.body) ? req.body.expectedVersion : undefined;
  if (typeof fromBody === 'number') return fromBody;
  const m = /^"?(\d+)"?$/.exec(req.ifMatch?.trim() ?? '');
  return m === null ? undefined : Number(m[1]);
}

export function classify(req: TaskRequest): Classified {
  const m = TASK_PATH.exec(req.path);
  if (m === null) return { f: 'other' };
  let id: string | undefined;
  try {
    id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  } catch {
    return { f: 'other' };
  }
  const consistency = req.query.get('consistency') ?? 'linearizable';
  const withVersion = <T extends object>(o: T): T & { expectedVersion?: number } => {
    const v = expectedVersion(req);
    return v === undefined ? o : { ...o, expectedVersion: v };
  };
  switch (req.method) {
    case 'GET':
      if (id !== undefined) return { f: 'read', taskId: id, consistency };
      return {
        f: 'list',
        consistency,
        unfiltered:
          // Any filter (issue 14's too) makes it a partial list the checker cannot compare.
          !['status', 'q', 'projectId', 'tag', 'parentId', 'due'].some((p) => req.query.has(p)) &&
          Number(req.query.get('offset') ?? '0') === 0,
        limit: Number(req.query.get('limit') ?? '1000'),
      };
    case 'POST':
      if (id !== undefined || !isObject(req.body)) return { f: 'other' };
      return { f: 'create', input: req.body as unknown as TaskInput };
    case 'PATCH': {
      if (id === undefined || !isObject(req.body)) return { f: 'other' };
      const { expectedVersion: _ignored, ...patch } = req.body;
      return withVersion({ f: 'update' as const, taskId: id, patch: patch as TaskPatch });
    }
    case 'DELETE':
      if (id === undefined) return { f: 'other' };
      return withVersion({ f: 'delete' as const, taskId: id });
    default:
      return { f: 'other' };
  }
}

/** The task in a WriteResponse / TaskResponse body, if it has one. */
export function taskOf(body: unknown): Task | undefined {
  if (!isObject(body) || !isObject(body.task)) return undefined;
  const t = body.task as unknown as Task;
  return typeof t.id === 'string' && typeof t.version === 'number' ? t : undefined;
}

export function numberField(body: unknown, name: string): number | undefined {
  if (!isObject(body)) return undefined;
  const v = body[name];
  return typeof v === 'number' ? v : undefined;
}

export function tasksOf(body: unknown): Task[] | undefined {
  if (!isObject(body) || !Array.isArray(body.tasks)) return undefined;
  return body.tasks as Task[];
}

/**
 * Whether an answer is definite for a write: it says what happened (2xx, 404, 409), or the
 * request was refused before reaching the log (400, 401, 403, 413). Anything else — 503, a 500,
 * no answer — leaves the outcome unknown.
 */
export function writeAnswerKind(answer: TaskAnswer): 'done' | 'refused' | 'unknown' {
  if (answer === null) return 'unknown';
  const s = answer.status;
  if (s === 200 || s === 201 || s === 404 || s === 409) return 'done';
  if (s === 400 || s === 401 || s === 403 || s === 413) return 'refused';
  return 'unknown';
}
