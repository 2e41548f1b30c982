/**
 * `/api/tasks...` on the control API: the same task API as a node (DESIGN §4.4), relayed to a
 * live node, the leader when there is one (a follower would forward writes anyway; going to the
 * leader saves a hop). The answer comes back unchanged, so `servedBy`, `raftIndex` and error
 * bodies are the node's own.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError, MAX_BODY_BYTES, type RouteContext } from '../../http/index.js';
import type { Supervisor } from '../supervisor.js';

const REQUEST_HEADERS = ['content-type', 'idempotency-key', 'if-match'] as const;
const RESPONSE_HEADERS = ['content-type', 'retry-after', 'etag'] as const;

async function rawBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const declared = Number(req.headers['content-length'] ?? NaN);
  const tooLarge = new HttpError(
    413,
    'body_too_large',
    `request body is larger than ${MAX_BODY_BYTES} bytes`,
  );
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    req.resume();
    throw tooLarge;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw tooLarge;
    }
    chunks.push(chunk);
  }
  return size === 0 ? undefined : Buffer.concat(chunks);
}

export async function proxyTasks(
  ctx: RouteContext,
  supervisor: Supervisor,
  token: string,
): Promise<void> {
  const body = await rawBody(ctx.req);
  const here = new URL(ctx.req.url ?? '/', 'http://localhost');
  const pathAndQuery = `${here.pathname.replace(/^\/api/, '')}${here.search}`;
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  for (const name of REQUEST_HEADERS) {
    const v = ctx.req.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  const tried = new Set<string>();
  let lastError = 'no node is running';
  // Two tries: the chosen node may have died between the status tick and this request.
  for (let attempt = 0; attempt < 2; attempt++) {
    const target = supervisor.taskTarget();
    if (target === undefined || tried.has(target)) break;
    tried.add(target);
    let res: Response;
    try {
      res = await fetch(`${target}${pathAndQuery}`, {
        method: ctx.req.method,
        headers,
        body,
        // A node waits up to its request timeout for a quorum; leave it room to answer 503 itself.
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      lastError = `${target}: ${(e as Error).message}`;
      continue;
    }
    const out = Buffer.from(await res.arrayBuffer());
    const relayed: Record<string, string> = {
      'content-length': String(out.length),
      'cache-control': 'no-store',
    };
    for (const name of RESPONSE_HEADERS) {
      const v = res.headers.get(name);
      if (v !== null) relayed[name] = v;
    }
    ctx.res.writeHead(res.status, relayed);
    ctx.res.end(out);
    return;
  }
  throw new HttpError(
    503,
    'no_leader',
    `no node could take the request (${lastError})`,
    undefined,
    {
      'retry-after': '1',
    },
  );
}
