/**
 * The load generator against a real local HTTP server: each client keeps one connection open,
 * successes and failures are counted apart, and a successes target stops the run.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../cluster/bench/load/generator.js';

let server: http.Server;
let base = '';
let connections = 0;
let requests = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      // Every fifth request fails, so errors are visible.
      const status = requests % 5 === 0 ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status === 200 }));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('runLoad', () => {
  it('keeps one connection per client and counts successes and errors apart', async () => {
    connections = 0;
    requests = 0;
    const r = await runLoad({
      clients: 4,
      seconds: 0.3,
      request: (seq) => ({ method: 'POST', url: `${base}/w`, body: JSON.stringify({ seq }) }),
    });
    expect(connections).toBe(4);
    expect(r.clients).toBe(4);
    expect(r.count + r.errors).toBe(requests);
    expect(r.errors).toBe(Math.floor(requests / 5));
    expect(r.errorSamples[0]).toMatch(/^HTTP 503/);
    expect(r.count).toBeGreaterThan(0);
    expect(r.perSec).toBeCloseTo(r.count / r.seconds);
    expect(r.p50Ms).toBeGreaterThan(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
  });

  it('stops once enough requests succeeded', async () => {
    const r = await runLoad({
      clients: 2,
      successes: 50,
      request: () => ({ method: 'GET', url: `${base}/r` }),
    });
    // The requests in flight when the 50th succeeded still finish: at most one more per client.
    expect(r.count).toBeGreaterThanOrEqual(50);
    expect(r.count).toBeLessThanOrEqual(52);
  });

  it('counts a refused connection as an error, not a success', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await runLoad({
      clients: 1,
      seconds: 0.2,
      request: () => ({ method: 'GET', url: `http://127.0.0.1:${port}/` }),
    });
    expect(r.count).toBe(0);
    expect(r.errors).toBeGreaterThan(0);
    expect(r.errorSamples[0]).toMatch(/ECONNREFUSED/);
  });
});
