/**
 * Relaying a request to the leader over HTTP, and its answer back unchanged. One hop at most:
 * the relayed request carries FORWARDED_HEADER, and a node that receives it while not being the
 * leader answers 503 instead of forwarding again, so two nodes with stale views of the leader
 * can never bounce a request between them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestUrl } from '../../http/index.js';
import { noLeader } from './errors.js';
import { IDEMPOTENCY_KEY_HEADER, IF_MATCH_HEADER } from './input.js';

export const FORWARDED_HEADER = 'x-raftboard-forwarded';

/**
 * The answer headers worth keeping: the body's type, how to save it (a CSV export's file name),
 * and the advice of a 401 or a 503.
 */
const RELAYED_RESPONSE_HEADERS = [
  'content-type',
  'content-disposition',
  'retry-after',
  'www-authenticate',
] as const;

export interface Relayed {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export function isForwarded(req: IncomingMessage): boolean {
  return req.headers[FORWARDED_HEADER] !== undefined;
}

export interface ForwardOptions {
  /** The leader's client API base URL, `http://host:port`. */
  readonly leaderUrl: string;
  /** The body to send on (already read and validated here); undefined for a GET. */
  readonly body: string | Buffer | undefined;
  /** Its type; default JSON (an import may be CSV). */
  readonly contentType?: string | undefined;
  readonly token: string;
  readonly timeoutMs: number;
  readonly from: number;
  readonly log?: ((msg: string) => void) | undefined;
}

/**
 * Sends `req` (same method, path and query) to the leader and returns its answer. The leader
 * cannot be reached, or does not answer in time → 503 `no_leader` with Retry-After: the caller's
 * view of the leader is stale and an election is probably under way.
 */
export async function forwardToLeader(
  req: IncomingMessage,
  opts: ForwardOptions,
): Promise<Relayed> {
  // Path and query only, re-based on the leader by concatenation: `new URL(path, base)` would
  // treat a path starting with `//` as another host.
  const here = requestUrl(req);
  const target = `${opts.leaderUrl.replace(/\/+$/, '')}${here.pathname}${here.search}`;
  const headers: Record<string, string> = {
    // checkRequest already proved the client's header is exactly this; using our own copy keeps
    // forwarding working wherever the router is mounted. fetch sets Host from the URL, which is
    // what the leader's DNS-rebinding guard expects.
    authorization: `Bearer ${opts.token}`,
    [FORWARDED_HEADER]: String(opts.from),
  };
  for (const name of [IDEMPOTENCY_KEY_HEADER, IF_MATCH_HEADER]) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';

  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(target, {
      method: req.method ?? 'GET',
      headers,
      body: opts.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    body = Buffer.from(await response.arrayBuffer());
  } catch (e) {
    const reason = describe(e);
    opts.log?.(
      `forwarding ${req.method} ${here.pathname} to the leader at ${opts.leaderUrl} failed: ${reason}`,
    );
    // Refused means the leader never saw the request; any other failure may come after it
    // proposed the write, so the client must not assume either outcome.
    const maybeApplied =
      req.method !== 'GET' && reason !== 'ECONNREFUSED'
        ? ': the write may or may not have been applied; retry with the same Idempotency-Key'
        : '; retry';
    throw noLeader(`the leader at ${opts.leaderUrl} cannot be reached (${reason})${maybeApplied}`);
  }
  const relayed: Record<string, string> = {};
  for (const name of RELAYED_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) relayed[name] = value;
  }
  return { status: response.status, headers: relayed, body };
}

/** Writes the leader's answer as this node's answer, byte for byte. */
export function sendRelayed(res: ServerResponse, relayed: Relayed): void {
  if (res.headersSent) return;
  res.writeHead(relayed.status, {
    'content-type': 'application/json; charset=utf-8',
    ...relayed.headers,
    'content-length': relayed.body.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(relayed.body);
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError') return 'no answer in time';
  // undici puts the socket error (ECONNREFUSED, ...) in `cause`.
  const cause = e.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? code : cause.message;
  }
  return e.message;
}
