/**
 * RaftboardApi over the headless CLI's control API (docs/contract.md §2–4): JSON over HTTP with
 * `Authorization: Bearer` on every request, and the event stream over a WebSocket. A browser
 * cannot set headers on a WebSocket, so the supervisor also accepts `?token=` there.
 */
import type {
  ActionResult,
  AddNodeResult,
  ClusterChecksums,
  ClusterEvent,
  ClusterStatus,
  NetworkBody,
} from '../../../cluster/api/control.js';
import type { HistoryCheckResult, HistoryRecording } from '../../../cluster/api/history.js';
import type {
  ExportDocument,
  ImportResponse,
  ProjectListResponse,
  ProjectWriteResponse,
  TagListResponse,
  TaskListResponse,
  WriteResponse,
} from '../../../cluster/api/node.js';
import { ApiRequestError, isApiErrorBody } from './errors.js';
import { listQuery, localTimeZone } from '../../../cluster/api/list-query.js';
import type { EventHandlers, RaftboardApi, WriteOptions } from './types.js';

export interface HttpApiOptions {
  /** e.g. `http://127.0.0.1:7070`; the page's own origin in the web UI. */
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch?: typeof fetch;
  readonly WebSocket?: typeof WebSocket;
  /** The proxy waits up to 30 s for a node; give it room to answer 503 itself. */
  readonly timeoutMs?: number;
}

interface RequestInit2 {
  readonly body?: unknown;
  /** Sent as is with this content type instead of as JSON (a CSV import). */
  readonly raw?: { readonly contentType: string; readonly text: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer the body as text instead of parsing it as JSON (a CSV export). */
  readonly text?: boolean;
  /** Longer than the default (an import proposes many entries). */
  readonly timeoutMs?: number;
}

/** An import proposes many entries, each of which may wait up to a node's request timeout. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

function retryAfterMs(res: Response): number | undefined {
  const raw = res.headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function writeHeaders(options: WriteOptions): Record<string, string> {
  const headers: Record<string, string> = { 'idempotency-key': options.idempotencyKey };
  if (options.ifMatch !== undefined) headers['if-match'] = String(options.ifMatch);
  return headers;
}

export function createHttpApi(options: HttpApiOptions): RaftboardApi {
  const base = options.baseUrl.replace(/\/$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 35_000;

  async function request<T>(method: string, path: string, init: RequestInit2 = {}): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      ...init.headers,
    };
    let body: string | undefined;
    if (init.raw !== undefined) {
      headers['content-type'] = init.raw.contentType;
      body = init.raw.text;
    } else if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(init.timeoutMs ?? timeoutMs),
      });
    } catch (e) {
      throw new ApiRequestError(0, 'network', `no answer from ${base}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.ok && init.text === true) return text as T;
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // A proxy or a crashed server may answer HTML; the status still says what happened.
    }
    if (!res.ok) {
      if (isApiErrorBody(parsed))
        throw ApiRequestError.fromBody(res.status, parsed, retryAfterMs(res));
      throw new ApiRequestError(
        res.status,
        res.status === 503 ? 'no_leader' : 'internal',
        `HTTP ${res.status} ${res.statusText}`.trim(),
        undefined,
        retryAfterMs(res),
      );
    }
    return parsed as T;
  }

  const taskPath = (id: string): string => `/api/tasks/${encodeURIComponent(id)}`;
  const projectPath = (id: string): string => `/api/projects/${encodeURIComponent(id)}`;

  return {
    listTasks: (o = {}) => request<TaskListResponse>('GET', `/api/tasks${listQuery(o)}`),
    createTask: (input, o) =>
      request<WriteResponse>('POST', '/api/tasks', { body: input, headers: writeHeaders(o) }),
    // `tz`: a "from completion" rule counts from the day of the completion in the user's zone.
    updateTask: (id, patch, o) =>
      request<WriteResponse>('PATCH', `${taskPath(id)}?tz=${encodeURIComponent(localTimeZone())}`, {
        body: patch,
        headers: writeHeaders(o),
      }),
    deleteTask: (id, o) =>
      request<WriteResponse>('DELETE', taskPath(id), { headers: writeHeaders(o) }),

    listProjects: () => request<ProjectListResponse>('GET', '/api/projects'),
    createProject: (input, o) =>
      request<ProjectWriteResponse>('POST', '/api/projects', {
        body: input,
        headers: writeHeaders(o),
      }),
    updateProject: (id, patch, o) =>
      request<ProjectWriteResponse>('PATCH', projectPath(id), {
        body: patch,
        headers: writeHeaders(o),
      }),
    deleteProject: (id, tasks, o) =>
      request<ProjectWriteResponse>(
        'DELETE',
        `${projectPath(id)}${tasks === 'delete' ? '?tasks=delete' : ''}`,
        { headers: writeHeaders(o) },
      ),
    listTags: () => request<TagListResponse>('GET', '/api/tags'),
    exportData: () => request<ExportDocument>('GET', '/api/export'),
    exportCsv: () => request<string>('GET', '/api/export?format=csv', { text: true }),
    importData: (body, o) =>
      request<ImportResponse>(
        'POST',
        '/api/import',
        body.kind === 'csv'
          ? {
              raw: { contentType: 'text/csv', text: body.text },
              headers: writeHeaders(o),
              timeoutMs: IMPORT_TIMEOUT_MS,
            }
          : { body: body.document, headers: writeHeaders(o), timeoutMs: IMPORT_TIMEOUT_MS },
      ),

    getCluster: () => request<ClusterStatus>('GET', '/api/cluster'),
    nodeAction: (id, action) => request<ActionResult>('POST', `/api/nodes/${id}/${action}`),
    mysqlAction: (id, action) => request<ActionResult>('POST', `/api/nodes/${id}/mysql/${action}`),
    addNode: () => request<AddNodeResult>('POST', '/api/nodes'),
    removeNode: (id) => request<ActionResult>('DELETE', `/api/nodes/${id}`),
    setNetwork: (body: NetworkBody) => request<ActionResult>('PUT', '/api/network', { body }),
    healNetwork: () => request<ActionResult>('DELETE', '/api/network'),
    setSlow: (factor) => request<ActionResult>('PUT', '/api/slow', { body: { factor } }),
    getChecksums: () => request<ClusterChecksums>('GET', '/api/checksums'),

    getHistory: () => request<HistoryRecording>('GET', '/api/history'),
    recordHistory: (body) => request<HistoryRecording>('POST', '/api/history', { body }),
    checkHistory: () => request<HistoryCheckResult>('POST', '/api/history/check'),

    subscribeEvents: (handlers) =>
      openEventStream(`${base.replace(/^http/, 'ws')}/api/events`, options, handlers),
  };
}

/**
 * Keeps a WebSocket open to the event stream, reconnecting with a growing pause (the CLI may be
 * restarting), until the returned function is called.
 */
function openEventStream(
  url: string,
  options: HttpApiOptions,
  handlers: EventHandlers,
): () => void {
  const Ws = options.WebSocket ?? globalThis.WebSocket;
  let stopped = false;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pause = 500;

  const connect = (): void => {
    if (stopped) return;
    handlers.onConnection?.('connecting');
    socket = new Ws(`${url}?token=${encodeURIComponent(options.token)}`);
    socket.onopen = () => {
      pause = 500;
      handlers.onConnection?.('open');
    };
    socket.onmessage = (msg: MessageEvent) => {
      if (typeof msg.data !== 'string') return;
      try {
        handlers.onEvent(JSON.parse(msg.data) as ClusterEvent);
      } catch {
        // One malformed frame must not end the stream.
      }
    };
    socket.onclose = () => {
      socket = null;
      if (stopped) return;
      handlers.onConnection?.('closed');
      timer = setTimeout(connect, pause);
      pause = Math.min(pause * 2, 10_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    socket?.close();
    socket = null;
  };
}
