/**
 * The headless CLI end to end (issue 4 §5): one real cluster (3 node processes, 3 managed
 * MariaDB servers) driven through the control API, one fault after another, then stopped and
 * started again. `--slow 0.8` gives Raft ticks of 20 ms (the defaults are 25 ms)
 * to keep the file short.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterNode } from '../../cluster/api/control.js';
import {
  killAllOf,
  processesOf,
  rawRequest,
  sleep,
  startCli,
  waitFor,
  type RunningCli,
} from './cli-harness.js';
import { DEFAULT_TIMERS } from '../../cluster/supervisor/node-config.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-cli-'));
const ARGS = ['--data-dir', dataDir, '--port', '0', '--slow', '0.8'];
let cli: RunningCli;
const titles: string[] = [];

async function write(title: string): Promise<void> {
  await cli.write(title);
  titles.push(title);
}

async function byId(id: number): Promise<ClusterNode> {
  const c = await cli.cluster();
  const n = c.nodes.find((m) => m.id === id);
  if (n === undefined) throw new Error(`no n${id} in ${JSON.stringify(c.nodes.map((m) => m.id))}`);
  return n;
}

async function expectConverged(): Promise<void> {
  const sums = await cli.checksums();
  expect(new Set(sums.values()).size, JSON.stringify([...sums])).toBe(1);
}

/** Starts any member that is down, so one failed test does not cascade into the next. */
async function everyNodeRunning(): Promise<void> {
  for (const n of (await cli.cluster()).nodes) {
    if (n.status === 'paused') await cli.api('POST', `/api/nodes/${n.id}/resume`);
    else if (n.status === 'stopped' || n.status === 'crashed') {
      await cli.api('POST', `/api/nodes/${n.id}/start`);
    }
    if (n.mysql.server === 'stopped') await cli.api('POST', `/api/nodes/${n.id}/mysql/start`);
  }
  if ((await cli.cluster()).network.partitions.length > 0) await cli.api('DELETE', '/api/network');
}

beforeEach(async () => {
  if (cli !== undefined && cli.base !== '' && cli.child.exitCode === null) await everyNodeRunning();
});

beforeAll(async () => {
  cli = startCli([...ARGS, '--nodes', '3']);
  await cli.ready();
});

afterAll(async () => {
  if (cli !== undefined && cli.child.exitCode === null) await cli.stop('SIGTERM');
  killAllOf(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run cluster', () => {
  it('prints exactly one ready line and progress before it', () => {
    const ready = cli.lines.filter((l) => l.startsWith('Raftboard ready: '));
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatch(/^Raftboard ready: http:\/\/127\.0\.0\.1:\d+\/\?token=\S{16,}$/);
    const before = cli.lines.slice(0, cli.lines.indexOf(ready[0]));
    expect(before.some((l) => /n1 mysql: .*ready/.test(l))).toBe(true);
    expect(before.some((l) => /n3: listening on/.test(l))).toBe(true);
    // Ready means every started node serves reads, not only the leader (issue 12, hole 7).
    expect(before.some((l) => /every node serves reads/.test(l))).toBe(true);
  });

  it('a second supervisor on the same data dir exits 1 naming the first one’s pid', async () => {
    const clusterFile = fs.readFileSync(path.join(dataDir, 'cluster.json'));
    const second = startCli(ARGS);
    const exit = await second.exited;
    expect(exit.code, second.output()).toBe(1);
    expect(second.output()).toContain(
      `data dir ${dataDir} is in use by another Raftboard (pid ${cli.child.pid})`,
    );
    expect(fs.readFileSync(path.join(dataDir, 'cluster.json')).equals(clusterFile)).toBe(true);
    expect(fs.readFileSync(path.join(dataDir, 'supervisor.pid'), 'utf8')).toBe(
      `${cli.child.pid}\n`,
    );
    await write('after a second supervisor was refused');
  });

  it('refuses a missing or wrong token and a foreign Host header', async () => {
    const url = new URL(cli.base);
    const host = `127.0.0.1:${url.port}`;
    expect(await rawRequest(cli.base, '/api/cluster', { host })).toBe(401);
    expect(
      await rawRequest(cli.base, '/api/cluster', {
        host,
        authorization: 'Bearer wrong-token-0123456789',
      }),
    ).toBe(401);
    expect(
      await rawRequest(cli.base, '/api/cluster', {
        host: `evil.example:${url.port}`,
        authorization: `Bearer ${cli.token}`,
      }),
    ).toBe(403);
    expect(
      await rawRequest(cli.base, '/api/cluster', { host, authorization: `Bearer ${cli.token}` }),
    ).toBe(200);
    // The page (public code, no data) loads with or without ?token=, so a reload works; the
    // data behind it does not.
    expect(await rawRequest(cli.base, `/?token=${cli.token}`, { host })).toBe(200);
    expect(await rawRequest(cli.base, '/', { host })).toBe(200);
    expect(await rawRequest(cli.base, '/', { host: 'evil.example:80' })).toBe(403);
  });

  it('shows one leader in /api/cluster and accepts writes through /api/tasks', async () => {
    const c = await cli.cluster();
    const leaders = c.nodes.filter((n) => n.role === 'leader');
    expect(leaders.map((n) => n.id)).toEqual([c.leaderId]);
    expect(c.nodes.map((n) => n.status)).toEqual(['running', 'running', 'running']);
    expect(c.nodes.every((n) => n.mysql.mode === 'managed')).toBe(true);
    // Ready means the leader's MySQL works; a follower may still be running its migrations.
    await waitFor(
      async () => (await cli.cluster()).nodes.every((n) => n.mysql.status === 'up'),
      10_000,
      'every MySQL up',
    );
    const r = await cli.api<{ servedBy: number; raftIndex: number }>('POST', '/api/tasks', {
      title: 'first',
    });
    expect(r.status).toBe(201);
    expect(r.body.raftIndex).toBeGreaterThan(0);
    titles.push('first');
  });

  it('streams status snapshots at 10 Hz or more over the WebSocket', async () => {
    const ws = new WebSocket(`${cli.base.replace('http', 'ws')}/api/events?types=status`, {
      headers: { authorization: `Bearer ${cli.token}` },
    });
    const seen: ClusterEvent[] = [];
    ws.on('message', (data: Buffer) => seen.push(JSON.parse(data.toString()) as ClusterEvent));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await sleep(2_000);
    ws.close();
    // Timed by the events' own stamps, so a slow test machine does not fake a slow stream.
    const stamps = seen
      .filter((e) => e.type === 'status' && e.seq > 0)
      .map((e) => Date.parse(e.at));
    expect(stamps.length).toBeGreaterThanOrEqual(10);
    const perSecond = ((stamps.length - 1) * 1000) / (stamps[stamps.length - 1] - stamps[0]);
    expect(perSecond).toBeGreaterThanOrEqual(9.5);
    // A WebSocket without the token is refused.
    const bad = new WebSocket(`${cli.base.replace('http', 'ws')}/api/events`);
    const refused = await new Promise<string>((resolve) => {
      bad.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      bad.once('open', () => resolve('open'));
      bad.once('error', (e) => resolve(e.message));
    });
    expect(refused).toBe('401');
  });

  it('streams sampled Raft messages: heartbeats from the leader, appends carrying a write', async () => {
    const leader = await cli.leader();
    const ws = new WebSocket(`${cli.base.replace('http', 'ws')}/api/events?types=message`, {
      headers: { authorization: `Bearer ${cli.token}` },
    });
    const seen: ClusterEvent[] = [];
    ws.on('message', (data: Buffer) => seen.push(JSON.parse(data.toString()) as ClusterEvent));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await write('traced');
    await sleep(500);
    ws.close();
    const messages = seen.flatMap((e) => (e.type === 'message' ? [e] : []));
    expect(messages.some((m) => m.kind === 'heartbeat' && m.from === leader.id)).toBe(true);
    expect(
      messages.some((m) => m.kind === 'app' && m.from === leader.id && (m.entries ?? 0) >= 1),
    ).toBe(true);
  });

  it('kill the leader: a new leader is elected and writes succeed', async () => {
    const old = await cli.leader();
    const r = await cli.api('POST', `/api/nodes/${old.id}/kill`);
    expect(r.status).toBe(200);
    const next = await cli.leader(20_000, old.id);
    expect(next.term).toBeGreaterThan(old.term);
    await write('after leader kill');
    const killed = await byId(old.id);
    expect(killed.status).toBe('stopped');
    expect(killed.exit).toMatchObject({ signal: 'SIGKILL', expected: true });
    expect((await cli.api('POST', `/api/nodes/${old.id}/start`)).status).toBe(200);
    await expectConverged();
  });

  it('a node that dies on its own shows as crashed with its last lines, and stays down', async () => {
    const leader = await cli.leader();
    const victim = (await cli.cluster()).nodes.find((n) => n.id !== leader.id) as ClusterNode;
    process.kill(victim.pid as number, 'SIGKILL');
    const crashed = await waitFor(
      async () => {
        const n = await byId(victim.id);
        return n.status === 'crashed' ? n : undefined;
      },
      10_000,
      `n${victim.id} shown as crashed`,
    );
    expect(crashed.exit).toMatchObject({ signal: 'SIGKILL', expected: false });
    expect(crashed.lastLines.length).toBeGreaterThan(0);
    await sleep(1_000);
    expect((await byId(victim.id)).status).toBe('crashed');
    expect((await cli.api('POST', `/api/nodes/${victim.id}/start`)).status).toBe(200);
    expect((await byId(victim.id)).status).toBe('running');
  });

  it('partition {leader} | rest: the majority elects and writes, the isolated node refuses linearizable reads, heal converges', async () => {
    const old = await cli.leader();
    const rest = (await cli.cluster()).nodes.filter((n) => n.id !== old.id).map((n) => n.id);
    const put = await cli.api('PUT', '/api/network', { partitions: [[old.id], rest] });
    expect(put.status).toBe(200);
    const next = await cli.leader(20_000, old.id);
    expect(rest).toContain(next.id);
    await write('during partition');
    const isolated = await byId(old.id);
    const read = await cli.node(isolated, '/tasks?consistency=linearizable');
    expect(read.status).toBe(503);
    expect((await cli.api('DELETE', '/api/network')).status).toBe(200);
    expect((await cli.cluster()).network).toEqual({ partitions: [], links: [] });
    await write('after heal');
    await expectConverged();
  });

  it('pause and resume the leader: a new leader takes over and the old one steps down', async () => {
    const old = await cli.leader();
    expect((await cli.api('POST', `/api/nodes/${old.id}/pause`)).status).toBe(200);
    expect((await byId(old.id)).status).toBe('paused');
    const next = await cli.leader(20_000, old.id);
    await write('while paused');
    expect((await cli.api('POST', `/api/nodes/${old.id}/resume`)).status).toBe(200);
    await waitFor(
      async () => {
        const n = await byId(old.id);
        return n.status === 'running' && n.role === 'follower' && n.term >= next.term
          ? n
          : undefined;
      },
      15_000,
      `n${old.id} to step down after resuming`,
    );
    await expectConverged();
  });

  it("stop a follower's MySQL: reported down, the cluster serves; start it: caught up", async () => {
    const leader = await cli.leader();
    const f = (await cli.cluster()).nodes.find((n) => n.id !== leader.id) as ClusterNode;
    expect((await cli.api('POST', `/api/nodes/${f.id}/mysql/stop`)).status).toBe(200);
    const down = await byId(f.id);
    expect(down.mysql).toMatchObject({ status: 'down', server: 'stopped' });
    await write('mysql down 1');
    await write('mysql down 2');
    expect((await cli.api('POST', `/api/nodes/${f.id}/mysql/start`)).status).toBe(200);
    await waitFor(
      async () => ((await byId(f.id)).mysql.status === 'up' ? true : undefined),
      15_000,
      `n${f.id} MySQL up`,
    );
    await expectConverged();
  });

  it('add a fourth node: learner, then voter, with the same checksum', async () => {
    const ws = new WebSocket(`${cli.base.replace('http', 'ws')}/api/events?types=status`, {
      headers: { authorization: `Bearer ${cli.token}` },
    });
    const learnersSeen = new Set<number>();
    ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString()) as ClusterEvent;
      if (e.type === 'status')
        for (const n of e.cluster.nodes) for (const l of n.learners) learnersSeen.add(l);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const r = await cli.api<{ nodeId: number }>('POST', '/api/nodes');
    ws.close();
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.nodeId;
    expect(id).toBe(4);
    expect(learnersSeen.has(id)).toBe(true);
    expect((await cli.cluster()).nodes.map((n) => n.id)).toEqual([1, 2, 3, 4]);
    // The answer comes once the promotion is applied on the leader; its next report shows it.
    await waitFor(
      async () => {
        const leader = await cli.leader();
        return [...leader.voters].sort().join() === '1,2,3,4' && leader.learners.length === 0;
      },
      5_000,
      'n4 among the voters',
    );
    await write('with four');
    const sums = await cli.checksums();
    expect(sums.has(4)).toBe(true);
    expect(new Set(sums.values()).size).toBe(1);
  });

  it('remove the leader: a new leader serves, the removed node is gone', async () => {
    const old = await cli.leader();
    const r = await cli.api('DELETE', `/api/nodes/${old.id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const c = await cli.cluster();
    expect(c.nodes.map((n) => n.id)).not.toContain(old.id);
    expect(c.nodes).toHaveLength(3);
    // Status is polled at 10 Hz: the leader's report may predate the applied removal by a poll.
    const next = await waitFor(
      async () => {
        const l = await cli.leader(20_000, old.id);
        return l.voters.includes(old.id) ? undefined : l;
      },
      10_000,
      `a leader whose voters no longer include n${old.id}`,
    );
    expect(next.voters).toHaveLength(3);
    await write('after removal');
    await expectConverged();
    expect(fs.existsSync(path.join(dataDir, 'nodes', `n${old.id}`))).toBe(false);
  });

  it('a 30% drop on every link keeps the cluster working', async () => {
    const ids = (await cli.cluster()).nodes.map((n) => n.id);
    const links = ids.flatMap((from) =>
      ids.filter((to) => to !== from).map((to) => ({ from, to, drop: 0.3 })),
    );
    expect((await cli.api('PUT', '/api/network', { links })).status).toBe(200);
    for (let i = 0; i < 5; i++) await write(`lossy ${i}`);
    expect((await cli.api('DELETE', '/api/network')).status).toBe(200);
    await expectConverged();
  });

  it('slow motion stretches every timer (a rolling restart) and the cluster keeps working', async () => {
    const r = await cli.api('PUT', '/api/slow', { factor: 0.5 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const c = await cli.cluster();
    expect(c.slow).toBe(0.5);
    // The CLI runs the default timers: each tick is now half the default one.
    expect(c.nodes.every((n) => n.tickMs === Math.round(DEFAULT_TIMERS.tickMs * 0.5))).toBe(true);
    await write('after slow motion');
    expect((await cli.api('PUT', '/api/slow', { factor: 0 })).status).toBe(400);
  });

  it('reports every fault action as an event', async () => {
    const r = await cli.api<{ events: ClusterEvent[] }>('GET', '/api/events/recent');
    const faults = r.body.events.filter((e) => e.type === 'fault');
    const actions = new Set(faults.map((e) => (e.type === 'fault' ? e.action : '')));
    for (const a of [
      'kill',
      'start',
      'network',
      'heal',
      'pause',
      'resume',
      'mysql-stop',
      'add-node',
      'remove-node',
      'slow',
    ]) {
      expect(actions, a).toContain(a);
    }
    const elections = r.body.events.filter((e) => e.type === 'election');
    expect(elections.length).toBeGreaterThan(1);
  });

  it('refuses bad fault requests with 4xx and says why', async () => {
    const [a] = (await cli.cluster()).nodes.map((n) => n.id);
    const bad = await cli.api<{ error: string; message: string }>('PUT', '/api/network', {
      partitions: [[a], [a]],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/two partition groups/);
    expect((await cli.api('POST', '/api/nodes/99/pause')).status).toBe(404);
    expect((await cli.api('POST', `/api/nodes/${a}/explode`)).status).toBe(404);
    const links = await cli.api('PUT', '/api/network', {
      links: [{ from: a, to: a + 100, drop: 2 }],
    });
    expect(links.status).toBe(400);
  });

  it('SIGTERM stops every node and mariadbd; a second start keeps every task', async () => {
    const exit = await cli.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(processesOf(dataDir)).toEqual([]);

    cli = startCli(ARGS);
    await cli.ready();
    const initLines = cli.lines.filter((l) => l.includes('initialising MariaDB'));
    expect(initLines).toEqual([]);
    const list = await cli.api<{ tasks: { title: string }[] }>('GET', '/api/tasks?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.tasks.map((t) => t.title).sort()).toEqual([...titles].sort());
  });

  it('after a supervisor crash, the next start stops the leftovers first', async () => {
    const c = await cli.cluster();
    const paused = c.nodes[0];
    // A paused node cannot notice its parent is gone; MariaDB runs detached: both stay.
    expect((await cli.api('POST', `/api/nodes/${paused.id}/pause`)).status).toBe(200);
    await cli.stop('SIGKILL');
    const left = processesOf(dataDir);
    expect(left.some((p) => p.pid === paused.pid)).toBe(true);
    expect(left.some((p) => p.cmd.includes('mariadbd'))).toBe(true);

    cli = startCli(ARGS);
    await cli.ready();
    expect(left.filter((p) => processesOf(dataDir).some((q) => q.pid === p.pid))).toEqual([]);
    expect(cli.lines.some((l) => l.includes(`stopped node n${paused.id}`))).toBe(true);
    const exit = await cli.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(processesOf(dataDir)).toEqual([]);
  });
});

describe('npm run cluster usage errors', () => {
  it('exits 2 with the reason and the usage', async () => {
    const bad = startCli(['--nodes', '12']);
    const exit = await bad.exited;
    expect(exit.code).toBe(2);
    expect(bad.stderr.join('\n')).toMatch(/--nodes must be an integer 1..9/);
    expect(bad.stderr.join('\n')).toMatch(/usage: npm run cluster/);
  });
});
