/**
 * The control API's `/api/tasks` relay (cluster/supervisor/control-api/proxy.ts) hands every
 * Idempotency-Key the contract allows (up to 255 printable characters, bare or quoted;
 * docs/contract.md §4) to the node byte for byte: the node, not the relay, decides what a key is.
 * A real HTTP server stands in for the node and records what arrives.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../cluster/api/control.js';
import { Router, startApiServer, type ApiServer } from '../../cluster/http/index.js';
import { proxyTasks } from '../../cluster/supervisor/control-api/proxy.js';
import type { Supervisor } from '../../cluster/supervisor/supervisor.js';

const TOKEN = 'task-proxy-keys-token-0123';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function fakeNode(): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"task":null}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function relay(nodeUrl: string): Promise<ApiServer> {
  const supervisor = {
    token: TOKEN,
    status: () => ({}) as ClusterStatus,
    taskTarget: () => nodeUrl,
  } as unknown as Supervisor;
  const router = new Router();
  router.on('POST', '/api/tasks', (ctx) => proxyTasks(ctx, supervisor));
  const api = await startApiServer({ port: 0, token: TOKEN, router });
  closers.push(() => api.close());
  return api;
}

describe('/api/tasks relays Idempotency-Keys unchanged', () => {
  it('passes keys up to 255 characters, with spaces, and the quoted form', async () => {
    const node = await fakeNode();
    const api = await relay(node.url);
    const keys = [
      'k',
      'x'.repeat(255),
      'a key with spaces',
      `"${'q'.repeat(255)}"`,
      '"say \\"hi\\""',
    ];
    for (const key of keys) {
      const res = await fetch(`${api.url}/api/tasks`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: '{"title":"t"}',
      });
      expect(res.status, key).toBe(201);
    }
    expect(node.seen.map((h) => h['idempotency-key'])).toEqual(keys);
  });
});

/** POST /api/tasks with raw header pairs: the same header may be given twice. */
function postRaw(
  apiUrl: string,
  pairs: [string, string][],
): Promise<{ status: number; body: string }> {
  const url = new URL(`${apiUrl}/api/tasks`);
  const body = '{"title":"t"}';
  // With raw pairs Node adds no Host header of its own.
  const raw = [
    ['host', url.host],
    ['authorization', `Bearer ${TOKEN}`],
    ['content-type', 'application/json'],
    ['content-length', String(Buffer.byteLength(body))],
    ...pairs,
  ].flat();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: raw },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('/api/tasks refuses a key header given twice', () => {
  // Node joins a repeated header into "a, b", which is itself a valid key now that keys may hold
  // spaces: the relay must refuse it, as the node does, rather than hand on one joined key.
  it.each(['idempotency-key', 'if-match'])(
    'answers 400 for two %s headers and relays nothing',
    async (name) => {
      const node = await fakeNode();
      const api = await relay(node.url);
      const res = await postRaw(api.url, [
        [name, 'a'],
        [name, 'b'],
      ]);
      expect(res.status, res.body).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({
        error: 'invalid_input',
        details: { [name]: expect.any(String) },
      });
      expect(node.seen).toEqual([]);
    },
  );
});
