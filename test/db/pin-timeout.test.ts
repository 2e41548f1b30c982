/**
 * A MySQL that freezes right after the handshake must not hang a connect: the statements that
 * pin the session's sql_mode (db/session-mode.ts) run under the same time limit as every other
 * statement (found by review: the applier's connect then stayed `stalled` forever instead of
 * going `down`). A proxy in front of the real server passes the handshake, then swallows every
 * packet from the point the client sends `SET SESSION sql_mode`: to the client, a frozen server.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  driverOptions,
  formatMySqlUrl,
  parseMySqlUrl,
  withServerConnection,
} from '../../db/connection.js';
import { checkExternalTarget } from '../../db/provision/external.js';
import { RoundTrips } from '../../db/round-trips.js';
import { connectPinned } from '../../db/session-mode.js';
import { useTestMariaDb } from '../support/mariadb.js';

const mysql = useTestMariaDb();
const proxies: net.Server[] = [];

afterAll(async () => {
  for (const p of proxies) await new Promise<void>((resolve) => p.close(() => resolve()));
});

/** A TCP proxy to the test server that goes silent once it sees `marker` from the client. */
async function freezingProxy(marker: string): Promise<number> {
  const server = parseMySqlUrl(mysql.url);
  const proxy = net.createServer((client) => {
    const upstream =
      server.socketPath !== undefined
        ? net.connect({ path: server.socketPath })
        : net.connect(server.port, server.host);
    let frozen = false;
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (d: Buffer) => {
      if (d.includes(marker)) frozen = true;
      if (!frozen) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!frozen) client.write(d);
    });
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return (proxy.address() as net.AddressInfo).port;
}

function proxiedUrl(port: number): string {
  const server = parseMySqlUrl(mysql.url);
  return formatMySqlUrl({ ...server, host: '127.0.0.1', port, socketPath: undefined });
}

/** Resolves to what `promise` settled with, or 'still waiting' after `ms`. */
function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<'resolved' | 'rejected' | 'still waiting'> {
  return Promise.race([
    promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms)),
  ]);
}

describe('a MySQL frozen right after the handshake', () => {
  it('the proxy passes a healthy connection (the premise)', async () => {
    const url = proxiedUrl(await freezingProxy('no such statement, ever'));
    const one = await withServerConnection(url, async (c) => (await c.query('SELECT 1 AS one'))[0]);
    expect(one).toEqual([{ one: 1 }]);
  });

  it('fails connectPinned within its time limit instead of hanging', async () => {
    const url = proxiedUrl(await freezingProxy('sql_mode'));
    const connecting = connectPinned(
      { ...driverOptions(parseMySqlUrl(url)), connectTimeout: 2_000 },
      500,
    );
    expect(await within(connecting, 5_000)).toBe('rejected');
  });

  it("fails the applier's connect, so its batch errors (MySQL down) rather than waits", async () => {
    const url = proxiedUrl(await freezingProxy('sql_mode'));
    const trips = new RoundTrips(url, 'mysql', 500);
    try {
      expect(await within(trips.run(['SELECT 1']), 5_000)).toBe('rejected');
    } finally {
      await within(trips.close(), 5_000);
    }
  });

  it('fails the external-mode check within the statement time limit (10 s) instead of hanging', async () => {
    const url = proxiedUrl(await freezingProxy('CREATE DATABASE'));
    const check = checkExternalTarget({ nodeId: 1, serverUrl: url, database: 'rb_frozen_check' });
    expect(await within(check, 25_000)).toBe('rejected');
  }, 40_000);
});
