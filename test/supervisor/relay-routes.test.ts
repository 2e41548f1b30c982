/**
 * The control API relays issue 14's routes like `/api/tasks` (cluster/supervisor/control-api):
 * projects, tags, export (JSON and CSV, as text) and import (JSON or CSV, up to 16 MiB; past it
 * 413 before anything reaches a node). A real HTTP server stands in for the node.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../cluster/api/control.js';
import { startApiServer } from '../../cluster/http/index.js';
import { createControlRouter } from '../../cluster/supervisor/control-api/routes.js';
import type { Supervisor } from '../../cluster/supervisor/supervisor.js';

const TOKEN = 'relay-routes-token-0123456';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
  body: string;
}

async function fakeNode(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bytes: body.length,
        body: body.length < 10_000 ? body.toString('utf8') : '',
      });
      if (req.url?.startsWith('/export?format=csv')) {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
        res.end('id,title\r\n1,"a, b"\r\n');
        return;
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function control(nodeUrl: string): Promise<string> {
  const supervisor = {
    token: TOKEN,
    status: () => ({}) as ClusterStatus,
    taskTarget: () => nodeUrl,
  } as unknown as Supervisor;
  const api = await startApiServer({
    port: 0,
    token: TOKEN,
    router: createControlRouter(supervisor),
  });
  closers.push(() => api.close());
  return api.url;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const P = '7d3c6a51-8f3e-4c1a-9b7e-2a4b5c6d7e8f';

describe('control API relay of projects, tags, export and import', () => {
  it('relays every new route with its method, query, headers and body', async () => {
    const node = await fakeNode();
    const base = await control(node.url);
    const calls: [string, string, RequestInit?][] = [
      ['GET', '/api/projects'],
      [
        'POST',
        '/api/projects',
        {
          body: '{"name":"Home"}',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
        },
      ],
      ['GET', `/api/projects/${P}?consistency=stale`],
      [
        'PATCH',
        `/api/projects/${P}`,
        {
          body: '{"color":null}',
          headers: { 'content-type': 'application/json', 'if-match': '2' },
        },
      ],
      ['DELETE', `/api/projects/${P}?tasks=delete`],
      ['GET', '/api/tags'],
      ['GET', '/api/tasks?tag=a&tag=b&due=today&tz=Europe%2FParis'],
      ['GET', '/api/export'],
      [
        'POST',
        '/api/import?project=Home',
        {
          body: 'TYPE,CONTENT\ntask,a\n',
          headers: { 'content-type': 'text/csv', 'idempotency-key': 'k2' },
        },
      ],
    ];
    for (const [method, path, init] of calls) {
      const r = await fetch(`${base}${path}`, {
        method,
        ...init,
        headers: { ...auth, ...(init?.headers as Record<string, string> | undefined) },
      });
      expect(r.status, `${method} ${path}`).toBe(method === 'POST' ? 201 : 200);
      expect(await r.json()).toEqual({ path: path.replace(/^\/api/, '') });
    }
    expect(node.seen.map((s) => `${s.method} ${s.url}`)).toEqual(
      calls.map(([m, p]) => `${m} ${p.replace(/^\/api/, '')}`),
    );
    expect(node.seen[1]?.headers['idempotency-key']).toBe('k1');
    expect(node.seen[3]?.headers['if-match']).toBe('2');
    expect(node.seen[8]?.headers['content-type']).toBe('text/csv');
    expect(node.seen[8]?.body).toBe('TYPE,CONTENT\ntask,a\n');
  });

  it('answers a CSV export as the node sent it', async () => {
    const node = await fakeNode();
    const base = await control(node.url);
    const r = await fetch(`${base}/api/export?format=csv`, { headers: auth });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await r.text()).toBe('id,title\r\n1,"a, b"\r\n');
  });

  it('takes an import up to 16 MiB, refuses more with 413, and keeps 1 MiB elsewhere', async () => {
    const node = await fakeNode();
    const base = await control(node.url);
    const post = (path: string, bytes: number, type = 'text/csv') =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': type },
        body: Buffer.alloc(bytes, 0x61),
      });
    const ok = await post('/api/import', 5 * 1024 * 1024);
    expect(ok.status).toBe(201);
    expect(node.seen.at(-1)?.bytes).toBe(5 * 1024 * 1024);
    const big = await post('/api/import', 16 * 1024 * 1024 + 1);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toBe('body_too_large');
    const task = await post('/api/tasks', 2 * 1024 * 1024, 'application/json');
    expect(task.status).toBe(413);
    expect(node.seen).toHaveLength(1);
  });
});
