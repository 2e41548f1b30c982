/** A typed HTTP client for one node's client API, and small helpers for its answers. */
import { randomBytes } from 'node:crypto';
import type {
  ChecksumResponse,
  NodeStatus,
  ReadConsistency,
  TaskListResponse,
  TaskResponse,
  WriteResponse,
} from '../../../cluster/api/node.js';
import type { ApiError, TaskStatus } from '../../../cluster/api/task.js';

export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly body: T; readonly headers: Headers }
  | {
      readonly ok: false;
      readonly status: number;
      readonly body: ApiError;
      readonly headers: Headers;
    };

export interface RequestOptions {
  /** JSON-encoded as the body. */
  readonly body?: unknown;
  /** Sent as is (overrides `body`). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface WriteOptions {
  readonly idempotencyKey?: string;
  readonly ifMatch?: number;
  readonly timeoutMs?: number;
}

export interface ListQuery {
  readonly consistency?: ReadConsistency;
  readonly status?: TaskStatus | string;
  readonly q?: string;
  readonly limit?: number;
}

/** A typed fetch wrapper for one node's client API, with the cluster token. */
export class NodeClient {
  constructor(
    readonly nodeId: number,
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /**
   * One request. Resolves with the status and parsed JSON body (2xx: `T`, otherwise ApiError);
   * throws when the node cannot be reached or answers something that is not JSON.
   */
  async request<T>(
    method: string,
    urlPath: string,
    opts: RequestOptions = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let body: string | Buffer | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['content-type'] = 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, opts.headers ?? {});
    const url = `${this.baseUrl}${urlPath}`;
    const res = await fetch(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(
        `${method} ${url} (node ${this.nodeId}): HTTP ${res.status} with a non-JSON body: ` +
          JSON.stringify(text.slice(0, 300)),
      );
    }
    if (res.ok) return { ok: true, status: res.status, body: parsed as T, headers: res.headers };
    return { ok: false, status: res.status, body: parsed as ApiError, headers: res.headers };
  }

  /** A GET whose answer is not JSON (a CSV export): status, content type and text. */
  async getText(urlPath: string): Promise<{ status: number; type: string | null; text: string }> {
    const res = await fetch(`${this.baseUrl}${urlPath}`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }

  private write(
    method: string,
    urlPath: string,
    body: unknown,
    opts: WriteOptions,
  ): Promise<ApiResult<WriteResponse>> {
    const headers: Record<string, string> = {};
    if (opts.idempotencyKey !== undefined) headers['idempotency-key'] = opts.idempotencyKey;
    if (opts.ifMatch !== undefined) headers['if-match'] = String(opts.ifMatch);
    return this.request(method, urlPath, { body, headers, timeoutMs: opts.timeoutMs });
  }

  createTask(body: object, opts: WriteOptions = {}): Promise<ApiResult<WriteResponse>> {
    return this.write('POST', '/tasks', body, opts);
  }

  patchTask(id: string, patch: object, opts: WriteOptions = {}): Promise<ApiResult<WriteResponse>> {
    return this.write('PATCH', `/tasks/${encodeURIComponent(id)}`, patch, opts);
  }

  deleteTask(
    id: string,
    opts: WriteOptions & { expectedVersion?: number } = {},
  ): Promise<ApiResult<WriteResponse>> {
    const body =
      opts.expectedVersion === undefined ? undefined : { expectedVersion: opts.expectedVersion };
    return this.write('DELETE', `/tasks/${encodeURIComponent(id)}`, body, opts);
  }

  getTask(id: string, consistency?: ReadConsistency): Promise<ApiResult<TaskResponse>> {
    const q = consistency === undefined ? '' : `?consistency=${consistency}`;
    return this.request('GET', `/tasks/${encodeURIComponent(id)}${q}`);
  }

  listTasks(query: ListQuery = {}, timeoutMs?: number): Promise<ApiResult<TaskListResponse>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) params.set(k, String(v));
    }
    const qs = params.size > 0 ? `?${params.toString()}` : '';
    return this.request('GET', `/tasks${qs}`, { timeoutMs });
  }

  status(): Promise<ApiResult<NodeStatus>> {
    return this.request('GET', '/status', { timeoutMs: 5_000 });
  }

  checksum(): Promise<ApiResult<ChecksumResponse>> {
    return this.request('GET', '/checksum', { timeoutMs: 5_000 });
  }
}

/** The body of a successful answer, or an error that shows what came back instead. */
export function ok<T>(res: ApiResult<T>, what = 'request'): T {
  if (!res.ok) {
    throw new Error(`${what}: expected 2xx, got HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** A unique Idempotency-Key. */
export function newKey(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}
