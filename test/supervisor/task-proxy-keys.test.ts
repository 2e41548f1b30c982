/**
 * The control API's `/api/tasks` relay (cluster/supervisor/control-api/proxy.ts) hands every
 * Idempotency-Key the contract allows (up to 255 printable characters, bare or quoted;
 * docs/contract.md §4) to the node byte for byte: the node, not the relay, decides what a key is.
 * A real HTTP server stands in for the node and records what arrives.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
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
