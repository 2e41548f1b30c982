/**
 * One task API request relayed to a live node, for both front doors of the supervisor: the
 * control API's `/api/tasks` proxy (web UI) and the Electron host (window). The node chosen is
 * the leader when there is one (a follower would forward writes anyway; going to the leader
 * saves a hop); a second node is tried when the first cannot be reached (never once it began to answer). The live-session
 * recording (history/) sees the request and its answer — or that none came.
 */
import http from 'node:http';
import { historyOf, type LiveHistoryHost } from './history/index.js';
import { AnswerCutOffError, loopbackFetch, type LoopbackFetch } from './loopback-fetch.js';

/**
 * Kept-alive connections to the nodes. A node's server drops an idle connection after 5 s (Node's
 * default keepAliveTimeout); the agent drops its idle ones after 4 s first, so a request never
 * goes out on a connection the node is closing.
 */
const toNodes = loopbackFetch(new http.Agent({ keepAlive: true, timeout: 4_000 }));

export interface RelayRequest {
  readonly method: string;
  /** The node's path and query, e.g. `/tasks?status=todo`. */
  readonly pathAndQuery: string;
  /** Request headers beyond the bearer token (content-type, idempotency-key, if-match). */
  readonly headers: Readonly<Record<string, string>>;
  /** The bytes sent, and the same body as JSON for the recording (undefined if not JSON). */
  readonly body: Buffer | string | undefined;
  readonly json: unknown;
  /** Who sent it, as the recording names clients (`ui`, `window`). */
  readonly client: string;
  /** A node waits up to its request timeout for a quorum: leave it room to answer 503 itself. */
  readonly timeoutMs: number;
  /** Default: node:http with kept-alive connections (loopback-fetch.ts). */
  readonly fetch?: LoopbackFetch;
}

export type RelayOutcome =
  | {
      readonly kind: 'answered';
      readonly target: string;
      readonly res: Response;
      readonly bytes: Buffer;
      /** The answer's body as JSON; undefined when empty or not JSON. */
      readonly json: unknown;
    }
  | { readonly kind: 'unreachable'; readonly lastError: string };

export function parseJson(bytes: Buffer | undefined): unknown {
  if (bytes === undefined || bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

export async function relayTask(s: LiveHistoryHost, r: RelayRequest): Promise<RelayOutcome> {
  const doFetch = r.fetch ?? toNodes;
  const q = r.pathAndQuery.indexOf('?');
  const path = q < 0 ? r.pathAndQuery : r.pathAndQuery.slice(0, q);
  const search = q < 0 ? '' : r.pathAndQuery.slice(q + 1);
  const recorded = historyOf(s).observe(r.client, {
    method: r.method,
    path,
    query: new URLSearchParams(search),
    idempotencyKey: r.headers['idempotency-key'],
    ifMatch: r.headers['if-match'],
    body: r.json,
  });
  const tried = new Set<string>();
  let lastError = 'no node is running';
  // Two tries: the chosen node may have died between the status tick and this request.
  for (let attempt = 0; attempt < 2; attempt++) {
    const target = s.taskTarget();
    if (target === undefined || tried.has(target)) break;
    tried.add(target);
    let res: Response;
    try {
      res = await doFetch(`${target}${r.pathAndQuery}`, {
        method: r.method,
        headers: { authorization: `Bearer ${s.token}`, ...r.headers },
        body: r.body,
        signal: AbortSignal.timeout(r.timeoutMs),
      });
    } catch (e) {
      // The node began answering: it may have applied the request, so sending it to another
      // node could apply a write twice. Only a request that got no answer at all is retried.
      if (e instanceof AnswerCutOffError) {
        recorded(null);
        throw e;
      }
      lastError = `${target}: ${(e as Error).message}`;
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      recorded(null);
      throw e;
    }
    const json = parseJson(bytes);
    recorded({ status: res.status, body: json });
    return { kind: 'answered', target, res, bytes, json };
  }
  recorded(null);
  return { kind: 'unreachable', lastError };
}
