/**
 * The relay (cluster/supervisor/task-relay.ts) tries a second node only when the first gave no
 * answer at all. A node that began its answer (status line sent) may have applied the write, so
 * an answer cut off mid-body is an error for the caller, never a resend: a write without an
 * Idempotency-Key sent twice would create two tasks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { relayTask } from '../../cluster/supervisor/task-relay.js';
import type { LiveHistoryHost } from '../../cluster/supervisor/history/index.js';

const servers: http.Server[] = [];
const seen: string[] = [];

/** A node that answers 201; `cut` sends the status line and part of the body, then hangs up. */
async function node(name: string, cut: boolean): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${name} ${req.method} ${req.url}`);
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '100' });
      if (!cut) {
        res.end(JSON.stringify({ ok: true }).padEnd(100));
        return;
      }
      res.write('{"task":{"id":"x"');
      setTimeout(() => res.socket?.destroy(), 20);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
  seen.length = 0;
});

function host(targets: string[]): LiveHistoryHost {
  let i = 0;
  return { token: 't', taskTarget: () => targets[i++ % targets.length] } as LiveHistoryHost;
}

const create = {
  method: 'POST',
  pathAndQuery: '/api/tasks',
  headers: { 'content-type': 'application/json' },
  body: '{"title":"t"}',
  json: { title: 't' },
  client: 'ui',
  timeoutMs: 2_000,
};

describe('the relay and an answer cut off mid-body', () => {
  it('does not send the write to a second node', async () => {
    const a = await node('A', true);
    const b = await node('B', false);
    await expect(relayTask(host([a, b]), create)).rejects.toThrow(/cut off/);
    expect(seen).toEqual(['A POST /api/tasks']);
  });

  it('still tries a second node when the first refuses the connection', async () => {
    const b = await node('B', false);
    const dead = 'http://127.0.0.1:1';
    const out = await relayTask(host([dead, b]), create);
    expect(out.kind).toBe('answered');
    expect(seen).toEqual(['B POST /api/tasks']);
  });
});
