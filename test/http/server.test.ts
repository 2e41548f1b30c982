/**
 * The rules every HTTP endpoint follows (docs/contract.md §2), checked on a real server over a real
 * socket: loopback only, the token, the Host guard, the 1 MiB JSON body limit, JSON errors.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpError,
  readJsonBody,
  Router,
  sendJson,
  startApiServer,
  type ApiServer,
} from '../../cluster/http/index.js';

const TOKEN = 'test-token-0123456789';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

function call(
  server: ApiServer,
  method: string,
  path: string,
  opts: { token?: string | null; host?: string; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      host: opts.host ?? `127.0.0.1:${server.port}`,
    };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(opts.body);
    }
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text ? JSON.parse(text) : undefined,
        });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

let server: ApiServer;
const received: unknown[] = [];

beforeAll(async () => {
  const router = new Router()
    .on('GET', '/things/:id', ({ res, params, query }) =>
      sendJson(res, 200, { id: params.id, q: query.get('q') }),
    )
    .on('POST', '/things', async ({ req, res }) => {
      const body = await readJsonBody(req);
      received.push(body);
      sendJson(res, 201, { got: body });
    })
    .on('GET', '/boom', () => {
      throw new Error('secret internals');
    })
    .on('GET', '/busy', () => {
      throw new HttpError(503, 'no_leader', 'no leader', undefined, { 'retry-after': '1' });
    });
  server = await startApiServer({ port: 0, token: TOKEN, router });
});

afterAll(async () => {
  await server.close();
});

describe('HTTP rules for every endpoint', () => {
  it('listens on 127.0.0.1 only', () => {
    const addr = server.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
  });

  it('routes with params and query', async () => {
    const r = await call(server, 'GET', '/things/a%20b?q=x');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: 'a b', q: 'x' });
  });

  it('refuses a missing or wrong token with 401', async () => {
    const none = await call(server, 'GET', '/things/1', { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: 'unauthorized' });
    const wrong = await call(server, 'GET', '/things/1', { token: 'nope' });
    expect(wrong.status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const r = await call(server, 'GET', '/things/1', { host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: 'forbidden_host' });
    const ok = await call(server, 'GET', '/things/1', { host: `localhost:${server.port}` });
    expect(ok.status).toBe(200);
  });

  it('answers 413 for a 2 MiB body and hands nothing to the handler', async () => {
    const before = received.length;
    const big = JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) });
    const r = await call(server, 'POST', '/things', { body: big });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'body_too_large' });
    expect(received.length).toBe(before);
  });

  it('answers 400 for a body that is not JSON or not an object', async () => {
    expect((await call(server, 'POST', '/things', { body: '{"title": ' })).status).toBe(400);
    expect((await call(server, 'POST', '/things', { body: '[1,2]' })).status).toBe(400);
    const ok = await call(server, 'POST', '/things', { body: '{"title":"ok"}' });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ got: { title: 'ok' } });
  });

  it('answers 404 and 405 as JSON errors', async () => {
    const nf = await call(server, 'GET', '/nothing');
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ error: 'not_found' });
    expect((await call(server, 'DELETE', '/things/1')).status).toBe(405);
  });

  it('hides internal errors behind a 500 without details', async () => {
    const r = await call(server, 'GET', '/boom');
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('secret internals');
  });

  it('passes extra headers such as Retry-After', async () => {
    const r = await call(server, 'GET', '/busy');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
  });
});

/**
 * One request on a raw socket with `Connection: close`: the head, then `body` in 64 KiB pieces
 * every 2 ms, reading nothing until all is sent (a busy client). Resolves with the status line,
 * or '' when the server reset the connection and the answer was lost with it.
 */
function rawStatus(
  path: string,
  method: string,
  body: Buffer,
  token: string = TOKEN,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: server.port });
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined); // a reset is an outcome here, not a test error
    socket.on('close', () => resolve(Buffer.concat(got).toString('latin1').split('\r\n')[0]));
    socket.on('connect', () => {
      socket.pause();
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
          `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      );
      let at = 0;
      const pump = setInterval(() => {
        if (socket.destroyed || at >= body.length) {
          clearInterval(pump);
          socket.resume();
          return;
        }
        socket.write(body.subarray(at, at + 65_536));
        at += 65_536;
      }, 2);
    });
  });
}

describe('answers reach a client still sending a large body (lingering close)', () => {
  // 3 MiB, still arriving when the server has its answer: closing then resets the connection,
  // and the client, which has not read yet, loses the answer with it.
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);

  it('to an unknown path: 404', async () => {
    expect(await rawStatus('/nothing/here', 'PUT', big)).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('to a request line the HTTP parser refuses: 400', async () => {
    expect(await rawStatus('/\uff11/10000000/abc/-1', 'PUT', big)).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('without the token: 401', async () => {
    expect(await rawStatus('/things', 'POST', big, 'wrong-token-0123456789')).toMatch(
      /^HTTP\/1\.1 401 /,
    );
  });

  it('over the limit: 413, and the handler gets nothing', async () => {
    const before = received.length;
    expect(await rawStatus('/things', 'POST', big)).toMatch(/^HTTP\/1\.1 413 /);
    expect(received.length).toBe(before);
  });

  it('to a route that reads no body: 413 all the same, after the body', async () => {
    expect(await rawStatus('/things/1', 'GET', big)).toMatch(/^HTTP\/1\.1 413 /);
  });
});
