/**
 * The relay's requests to its own nodes (task-relay.ts) over node:http with a keep-alive agent,
 * shaped like fetch (a Response back), because Node 20's fetch (undici) costs about 1 ms per
 * request on loopback here against 0.07 ms for http.request (measured, cluster/node/PERFORMANCE.md,
 * third pass): on a write that commits in 1–2 ms, that alone put the Metrics tab's latency (the
 * window's own writes, through this relay) past 1.5× the node's.
 *
 * Only what the relay uses: method, headers, a body, an abort signal; the whole answer is read
 * before the Response is made (answers here are task JSON, an export at most).
 */
import http from 'node:http';

export interface LoopbackInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string | undefined;
  readonly signal: AbortSignal;
}

export type LoopbackFetch = (url: string, init: LoopbackInit) => Promise<Response>;

/**
 * The node began its answer (the status line came) but it did not arrive whole. The request
 * reached the node, which may have applied it: the caller must not send it again elsewhere.
 */
export class AnswerCutOffError extends Error {
  constructor(url: string, why: string) {
    super(`${url}: the answer was cut off (${why})`);
    this.name = 'AnswerCutOffError';
  }
}

/** Statuses whose Response may not have a body (the constructor throws otherwise). */
const NULL_BODY = new Set([204, 205, 304]);

export function loopbackFetch(agent: http.Agent): LoopbackFetch {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = { ...init.headers };
      if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
      const req = http.request(
        url,
        { method: init.method, headers, agent, signal: init.signal },
        (res) => {
          const chunks: Buffer[] = [];
          let ended = false;
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('error', (e) => reject(new AnswerCutOffError(url, e.message)));
          // A connection cut (or the signal firing) mid-answer closes without an end.
          res.once('close', () => {
            if (!ended) reject(new AnswerCutOffError(url, 'connection closed'));
          });
          res.once('end', () => {
            ended = true;
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 599) {
              reject(new AnswerCutOffError(url, `unexpected HTTP status ${status}`));
              return;
            }
            const out = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
            }
            resolve(
              new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers: out,
              }),
            );
          });
        },
      );
      req.once('error', reject);
      req.end(init.body);
    });
}
