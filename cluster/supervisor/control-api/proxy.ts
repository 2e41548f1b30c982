/**
 * `/api/tasks...`, `/api/projects...`, `/api/tags`, `/api/export` and `/api/import` on the control
 * API: the same task API as a node (docs/contract.md §4), relayed to a live node by `relayTask`
 * (../task-relay.ts). The answer comes back unchanged, so `servedBy`, `raftIndex` and error
 * bodies are the node's own.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError, readBody, singleHeader, type RouteContext } from '../../http/index.js';
import type { Supervisor } from '../supervisor.js';
import { parseJson, relayTask } from '../task-relay.js';

const REQUEST_HEADERS = ['content-type', 'idempotency-key', 'if-match'] as const;
const RESPONSE_HEADERS = ['content-type', 'retry-after', 'etag', 'content-disposition'] as const;

/** How long the relay waits: a node waits up to its request timeout per entry, an import for many. */
const RELAY_TIMEOUT_MS = 30_000;
const IMPORT_RELAY_TIMEOUT_MS = 10 * 60_000;

async function rawBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const body = await readBody(req);
  return body.length === 0 ? undefined : body;
}

export async function proxyTasks(ctx: RouteContext, supervisor: Supervisor): Promise<void> {
  const body = await rawBody(ctx.req);
  const here = new URL(ctx.req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const name of REQUEST_HEADERS) {
    const value = singleHeader(ctx.req, name);
    if (value !== undefined) headers[name] = value;
  }
  const relayed = await relayTask(supervisor, {
    method: ctx.req.method ?? 'GET',
    pathAndQuery: `${here.pathname.replace(/^\/api/, '')}${here.search}`,
    headers,
    body,
    json: parseJson(body),
    client: 'ui',
    timeoutMs: here.pathname === '/api/import' ? IMPORT_RELAY_TIMEOUT_MS : RELAY_TIMEOUT_MS,
  });
  if (relayed.kind === 'unreachable') {
    throw new HttpError(
      503,
      'no_leader',
      `no node could take the request (${relayed.lastError})`,
      undefined,
      { 'retry-after': '1' },
    );
  }
  const out: Record<string, string> = {
    'content-length': String(relayed.bytes.length),
    'cache-control': 'no-store',
  };
  for (const name of RESPONSE_HEADERS) {
    const v = relayed.res.headers.get(name);
    if (v !== null) out[name] = v;
  }
  ctx.res.writeHead(relayed.res.status, out);
  ctx.res.end(relayed.bytes);
}
