/**
 * Issue 12, hole 7: "ready" means a leader, writes accepted, and every started node serving
 * reads. A follower whose MySQL is still out of reach when the leader already serves must hold
 * the ready line back; one that cannot serve within the bound is named before it.
 *
 * Each node reaches the test's MariaDB (external mode) through a gate the test opens and closes:
 * every gate closes once the supervisor has created the node's database, the leader's reopens as
 * soon as a leader is known, one follower's stays closed for a while (a MySQL slow to come up).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../cluster/supervisor/supervisor.js';
import { formatMySqlUrl, parseMySqlUrl } from '../../db/connection.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { MySqlGate } from '../support/mysql-gate.js';
import { killAllOf, waitFor } from './cli-harness.js';

const db = useTestMariaDb();
const dirs: string[] = [];
const gates: MySqlGate[] = [];

afterAll(async () => {
  for (const g of gates) await g.dispose();
  for (const d of dirs) {
    killAllOf(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

async function gated(n: number): Promise<{ gates: MySqlGate[]; urls: string[] }> {
  // The nodes reach the server only through the gates: over TCP to a gate, which forwards to the
  // server's socket (a managed server has no TCP listener) or its port.
  const server = parseMySqlUrl(db.url);
  const target =
    server.socketPath !== undefined
      ? { path: server.socketPath }
      : { port: server.port, host: server.host };
  const mine = Array.from({ length: n }, () => new MySqlGate(target));
  gates.push(...mine);
  const prefix = db.freshDatabase('ready');
  const urls = await Promise.all(
    mine.map(async (g, i) =>
      formatMySqlUrl({
        host: '127.0.0.1',
        port: await g.port(),
        user: server.user,
        password: server.password,
        passwordFile: server.passwordFile,
        socketPath: undefined,
        database: `${prefix}_${i + 1}`,
      }),
    ),
  );
  // A URL that named the socket would bypass its gate, and the tests would prove nothing.
  for (const url of urls) if (url.includes('socket=')) throw new Error(`ungated URL ${url}`);
  return { gates: mine, urls };
}

async function readOn(clientUrl: string, token: string): Promise<number> {
  const res = await fetch(`${clientUrl}/tasks?limit=1&consistency=linearizable`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('ready means every started node serves reads', () => {
  it('right after start() resolves, a linearizable read on every node answers 200', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-ready-'));
    dirs.push(dataDir);
    const { gates: g, urls } = await gated(3);
    const s = new Supervisor({ dataDir, nodes: 3, mysqlMode: 'external', mysqlUrls: urls });
    const databaseMade = new Set<number>();
    s.events.subscribe((e) => {
      // `nN mysql: ready`: the supervisor made the node's database; now the node is on its own.
      const m = e.type === 'progress' ? /^n(\d+) mysql: ready/.exec(e.message) : null;
      if (m === null) return;
      const id = Number(m[1]);
      databaseMade.add(id);
      g[id - 1].close();
    });
    let started = false;
    const start = s.start().finally(() => (started = true));
    let slow = 0;
    try {
      const leader = await waitFor(
        () => (databaseMade.size === 3 && s.status().leaderId) || undefined,
        60_000,
        'a leader, every database made',
      );
      slow = leader === 1 ? 2 : 1;
      for (const [i, gate] of g.entries()) if (i + 1 !== slow) gate.open();
      // The slow follower's MySQL comes up after 15 s; a cluster that says it is ready before
      // then is read at once, the gate still closed.
      await waitFor(() => started, 15_000, 'start-up').catch(() => undefined);
      if (!started) g[slow - 1].open();
      await start;
      const statuses = await Promise.all(s.status().nodes.map((n) => readOn(n.clientUrl, s.token)));
      expect(statuses, `n${slow} was the slow follower`).toEqual([200, 200, 200]);
    } finally {
      for (const gate of g) gate.open();
      await start.catch(() => undefined);
      await s.shutdown();
    }
  });

  it('names a node that cannot serve within the bound, and is ready without it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-ready-'));
    dirs.push(dataDir);
    const { gates: g, urls } = await gated(3);
    const s = new Supervisor({
      dataDir,
      nodes: 3,
      mysqlMode: 'external',
      mysqlUrls: urls,
      servingTimeoutMs: 3_000,
    });
    const lines: string[] = [];
    s.events.subscribe((e) => {
      if (e.type !== 'progress') return;
      lines.push(e.message);
      const m = /^n(\d+) mysql: ready/.exec(e.message);
      if (m !== null) g[Number(m[1]) - 1].close();
    });
    const start = s.start();
    try {
      const leader = await waitFor(
        () => (g.every((x) => x.isClosed) && s.status().leaderId) || undefined,
        60_000,
        'a leader, every database made',
      );
      const slow = leader === 1 ? 2 : 1;
      for (const [i, gate] of g.entries()) if (i + 1 !== slow) gate.open();
      await start;
      const named = lines.filter((l) => l.includes('does not serve reads'));
      expect(named).toHaveLength(1);
      expect(named[0]).toMatch(new RegExp(`^n${slow} does not serve reads \\(HTTP 503: .*MySQL`));
      expect(lines.some((l) => l.startsWith('every node serves reads'))).toBe(false);
    } finally {
      for (const gate of g) gate.open();
      await start.catch(() => undefined);
      await s.shutdown();
    }
  });
});
