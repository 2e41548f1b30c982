/**
 * The main-process side of `window.raftboard`: the same answers as the headless CLI's control API
 * (cluster/supervisor/control-api), but as BridgeResult envelopes instead of HTTP responses.
 * Control calls go straight to the Supervisor; task calls go to a live node's client API (the
 * leader's when there is one), exactly as the control API's /api/tasks proxy does, so the
 * answers (raftIndex, servedBy, error bodies) are the node's own.
 *
 * No Electron here: it is tested with a fake supervisor and a fake fetch.
 */
import type {
  BridgeListOptions,
  BridgeResult,
  BridgeWriteOptions,
  RaftboardBridge,
} from '../cluster/api/bridge.js';
import type {
  ActionResult,
  AddNodeResult,
  ClusterChecksums,
  ClusterStatus,
} from '../cluster/api/control.js';
import type { HistoryCheckResult, HistoryRecording } from '../cluster/api/history.js';
import type {
  ExportDocument,
  ImportResponse,
  ProjectListResponse,
  ProjectWriteResponse,
  TagListResponse,
  TaskListResponse,
  WriteResponse,
} from '../cluster/api/node.js';
import { listQuery, localTimeZone } from '../cluster/api/list-query.js';
import { idempotencyKeyHeader } from '../cluster/api/idempotency.js';
import type { ApiError } from '../cluster/api/task.js';
import { HttpError } from '../cluster/http/errors.js';
import { collectChecksums } from '../cluster/supervisor/checksums.js';
import { toHttp } from '../cluster/supervisor/control-api/routes.js';
import { historyOf } from '../cluster/supervisor/history/index.js';
import { relayTask } from '../cluster/supervisor/task-relay.js';
import type { Supervisor } from '../cluster/supervisor/supervisor.js';

/** What the host needs of a Supervisor (a fake in tests). */
export type HostSupervisor = Pick<
  Supervisor,
  | 'token'
  | 'status'
  | 'taskTarget'
  | 'nodeAction'
  | 'mysqlAction'
  | 'addNode'
  | 'removeNode'
  | 'setNetwork'
  | 'heal'
  | 'setSlow'
>;

export type BridgeHost = Omit<RaftboardBridge, 'subscribeEvents'>;

export interface HostOptions {
  /** The running cluster's supervisor; undefined while it starts or after it failed. */
  readonly supervisor: () => HostSupervisor | undefined;
  readonly fetch?: typeof fetch;
  /** A node waits up to its request timeout for a quorum; leave it room to answer 503 itself. */
  readonly taskTimeoutMs?: number;
  /** Called after setSlow succeeded, so the factor is kept in the settings. */
  readonly onSlowChanged?: (factor: number) => void;
}

/** An import proposes many entries, each of which may wait up to a node's request timeout. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

const NOT_RUNNING: BridgeResult<never> = {
  ok: false,
  status: 503,
  error: { error: 'no_leader', message: 'the cluster is not running (yet)' },
  retryAfterMs: 1000,
};

/** A supervisor refusal (or any failure) → the envelope the control API's status would carry. */
export function failure(e: unknown): BridgeResult<never> {
  const mapped = toHttp(e);
  if (mapped instanceof HttpError) {
    const retry = mapped.headers?.['retry-after'];
    return {
      ok: false,
      status: mapped.status,
      error: mapped.body(),
      ...(retry === undefined ? {} : { retryAfterMs: Number(retry) * 1000 }),
    };
  }
  return {
    ok: false,
    status: 500,
    error: { error: 'internal', message: e instanceof Error ? e.message : String(e) },
  };
}

function isApiError(v: unknown): v is ApiError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { error?: unknown }).error === 'string' &&
    typeof (v as { message?: unknown }).message === 'string'
  );
}

function retryAfterMs(res: Response): number | undefined {
  const raw = res.headers.get('retry-after');
  const s = raw === null ? NaN : Number(raw);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

/** `GET /tasks`'s query string (shared with the renderer's HTTP client). */
export { listQuery };
export type { BridgeListOptions };

function writeHeaders(o: BridgeWriteOptions): Record<string, string> {
  // Quoted (sf-string) when the bare form would not read back as the same key.
  const h: Record<string, string> = { 'idempotency-key': idempotencyKeyHeader(o.idempotencyKey) };
  if (o.ifMatch !== undefined) h['if-match'] = String(o.ifMatch);
  return h;
}

export function createHost(opts: HostOptions): BridgeHost {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = opts.taskTimeoutMs ?? 30_000;

  async function control<T>(fn: (s: HostSupervisor) => Promise<T> | T): Promise<BridgeResult<T>> {
    const s = opts.supervisor();
    if (s === undefined) return NOT_RUNNING;
    try {
      return { ok: true, value: await fn(s) };
    } catch (e) {
      return failure(e);
    }
  }

  async function task<T>(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    headers: Record<string, string> = {},
    /** A body sent as is (a CSV import), an answer read as text (a CSV export), a longer wait. */
    raw: {
      readonly contentType?: string;
      readonly text?: string;
      readonly answerText?: boolean;
      readonly timeoutMs?: number;
    } = {},
  ): Promise<BridgeResult<T>> {
    const s = opts.supervisor();
    if (s === undefined) return NOT_RUNNING;
    const isRaw = raw.text !== undefined;
    const relayed = await relayTask(s, {
      method,
      pathAndQuery,
      headers: {
        ...(isRaw
          ? { 'content-type': raw.contentType ?? 'text/plain' }
          : body === undefined
            ? {}
            : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: isRaw ? raw.text : body === undefined ? undefined : JSON.stringify(body),
      json: isRaw ? undefined : body,
      client: 'window',
      timeoutMs: raw.timeoutMs ?? timeoutMs,
      fetch: doFetch,
    });
    if (relayed.kind === 'unreachable') {
      return {
        ok: false,
        status: 503,
        error: {
          error: 'no_leader',
          message: `no node could take the request (${relayed.lastError})`,
        },
        retryAfterMs: 1000,
      };
    }
    const { res, json: parsed, target } = relayed;
    if (res.ok) {
      if (raw.answerText === true) return { ok: true, value: relayed.bytes.toString('utf8') as T };
      return { ok: true, value: parsed as T };
    }
    const retry = retryAfterMs(res);
    return {
      ok: false,
      status: res.status,
      error: isApiError(parsed)
        ? parsed
        : {
            error: res.status === 503 ? 'no_leader' : 'internal',
            message: `HTTP ${res.status} from ${target}`,
          },
      ...(retry === undefined ? {} : { retryAfterMs: retry }),
    };
  }

  const taskPath = (id: string): string => `/tasks/${encodeURIComponent(id)}`;
  const projectPath = (id: string): string => `/projects/${encodeURIComponent(id)}`;

  return {
    listTasks: (o) => task<TaskListResponse>('GET', `/tasks${listQuery(o)}`),
    createTask: (input, o) => task<WriteResponse>('POST', '/tasks', input, writeHeaders(o)),
    // `tz`: a "from completion" rule counts from the day of the completion in the user's zone
    // (this process runs on the same machine, in the same zone, as the window).
    updateTask: (id, patch, o) =>
      task<WriteResponse>(
        'PATCH',
        `${taskPath(id)}?tz=${encodeURIComponent(localTimeZone())}`,
        patch,
        writeHeaders(o),
      ),
    deleteTask: (id, o) => task<WriteResponse>('DELETE', taskPath(id), undefined, writeHeaders(o)),

    listProjects: () => task<ProjectListResponse>('GET', '/projects'),
    createProject: (input, o) =>
      task<ProjectWriteResponse>('POST', '/projects', input, writeHeaders(o)),
    updateProject: (id, patch, o) =>
      task<ProjectWriteResponse>('PATCH', projectPath(id), patch, writeHeaders(o)),
    deleteProject: (id, tasks, o) =>
      task<ProjectWriteResponse>(
        'DELETE',
        `${projectPath(id)}${tasks === 'delete' ? '?tasks=delete' : ''}`,
        undefined,
        writeHeaders(o),
      ),
    listTags: () => task<TagListResponse>('GET', '/tags'),
    exportData: () => task<ExportDocument>('GET', '/export'),
    exportCsv: () => task<string>('GET', '/export?format=csv', undefined, {}, { answerText: true }),
    importData: (body, o) =>
      body.kind === 'csv'
        ? task<ImportResponse>('POST', '/import', undefined, writeHeaders(o), {
            contentType: 'text/csv',
            text: body.text,
            timeoutMs: IMPORT_TIMEOUT_MS,
          })
        : task<ImportResponse>('POST', '/import', body.document, writeHeaders(o), {
            timeoutMs: IMPORT_TIMEOUT_MS,
          }),

    getCluster: () => control<ClusterStatus>((s) => s.status()),
    nodeAction: (id, action) => control<ActionResult>((s) => s.nodeAction(id, action)),
    mysqlAction: (id, action) => control<ActionResult>((s) => s.mysqlAction(id, action)),
    addNode: () => control<AddNodeResult>((s) => s.addNode()),
    removeNode: (id) => control<ActionResult>((s) => s.removeNode(id)),
    setNetwork: (body) => control<ActionResult>((s) => s.setNetwork(body)),
    healNetwork: () => control<ActionResult>((s) => s.heal()),
    setSlow: async (factor) => {
      const r = await control<ActionResult>((s) => s.setSlow(factor));
      if (r.ok) opts.onSlowChanged?.(factor);
      return r;
    },
    getChecksums: () =>
      control<ClusterChecksums>((s) => collectChecksums(s.status().nodes, s.token, doFetch)),
    // The recorder the control API's routes and the task relay above share (one per supervisor).
    getHistory: () => control<HistoryRecording>((s) => historyOf(s).status()),
    recordHistory: (body) => control<HistoryRecording>((s) => historyOf(s).record(body)),
    checkHistory: () => control<HistoryCheckResult>((s) => historyOf(s).check()),
  };
}
