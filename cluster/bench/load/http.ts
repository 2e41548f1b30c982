/**
 * One HTTP request over a keep-alive agent, answered as status + text. Both systems are driven
 * through this, so they pay the same client-side costs (Node's http module, JSON bodies).
 */
import http from 'node:http';

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute URL of the member that gets the request. */
  readonly url: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Answer {
  readonly status: number;
  readonly text: string;
}

/** Sockets stay open between requests; each concurrent client holds one. */
export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** Status 0 never comes back: a transport error or the timeout rejects. */
export function send(spec: RequestSpec, agent: http.Agent, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(spec.url);
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(spec.body));
    }
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: spec.method,
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** `send`, then the body parsed as JSON; throws on a non-2xx status. */
export async function sendJson<T>(
  spec: RequestSpec,
  agent: http.Agent,
  timeoutMs?: number,
): Promise<T> {
  const a = await send(spec, agent, timeoutMs);
  if (a.status < 200 || a.status > 299) {
    throw new Error(`${spec.method} ${spec.url}: HTTP ${a.status} ${a.text.slice(0, 200)}`);
  }
  return JSON.parse(a.text) as T;
}
