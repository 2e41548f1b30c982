/**
 * The relay's fetch over node:http (cluster/supervisor/loopback-fetch.ts): what the relay reads of
 * an answer (status, headers, body) comes through as fetch would give it, connections are kept
 * alive, and a timeout or a refused connection rejects.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackFetch } from '../../cluster/supervisor/loopback-fetch.js';

let server: http.Server;
let base = '';
let connections = 0;
const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/slow') return; // never answers
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
        return;
      }
      const body = JSON.stringify({ echo: Buffer.concat(chunks).toString() });
      res.writeHead(req.url === '/busy' ? 503 : 201, {
        'content-type': 'application/json',
        'retry-after': '1',
        etag: '"7"',
      });
      res.end(body);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
const go = loopbackFetch(agent);
const init = (body: string | Buffer | undefined, ms = 5_000) => ({
  method: body === undefined ? 'GET' : 'POST',
  headers: {
    authorization: 'Bearer t',
    'idempotency-key': 'k1',
    'content-type': 'application/json',
  },
  body,
  signal: AbortSignal.timeout(ms),
});

describe('loopbackFetch', () => {
  it('sends method, headers and body, and gives back status, headers and body', async () => {
    const res = await go(`${base}/tasks?x=1`, init(Buffer.from('{"title":"é"}')));
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"7"');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(Buffer.from(await res.arrayBuffer()).toString())).toEqual({
      echo: '{"title":"é"}',
    });
    const got = seen.at(-1);
    expect(got?.method).toBe('POST');
    expect(got?.headers['idempotency-key']).toBe('k1');
    expect(got?.headers['content-length']).toBe(String(Buffer.byteLength('{"title":"é"}')));
    expect(got?.body).toBe('{"title":"é"}');
  });

  it('passes error statuses and bodiless answers through', async () => {
    const busy = await go(`${base}/busy`, init('{}'));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    const empty = await go(`${base}/empty`, init(undefined));
    expect(empty.status).toBe(204);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it('keeps the connection for the next request', async () => {
    await go(`${base}/a`, init('{}'));
    const before = connections;
    for (let i = 0; i < 5; i++) await (await go(`${base}/a`, init('{}'))).arrayBuffer();
    expect(connections).toBe(before);
  });

  it('rejects when the signal fires before the answer, and when nothing listens', async () => {
    await expect(go(`${base}/slow`, init('{}', 200))).rejects.toThrow();
    await expect(go('http://127.0.0.1:1/tasks', init('{}'))).rejects.toThrow();
  });
});
