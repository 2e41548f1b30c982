/**
 * Issue 12, hole 1: a frozen MySQL as a fault. `POST /api/nodes/:id/mysql/pause` SIGSTOPs the
 * node's managed mariadbd (the process state in /proc is `T`), `resume` SIGCONTs it; the
 * supervisor shows `server: 'paused'` meanwhile. A restart of the node, a MySQL stop, removing
 * the node and the supervisor's own shutdown resume it first: no SIGSTOPped mariadbd is ever
 * left behind, not even by a supervisor that crashed.
 * One real cluster through the CLI (3 node processes, 3 managed MariaDB servers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterNode } from '../../cluster/api/control.js';
import { killAllOf, processesOf, startCli, waitFor, type RunningCli } from './cli-harness.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-mypause-'));
const ARGS = ['--data-dir', dataDir, '--port', '0', '--slow', '0.8', '--nodes', '3'];
let cli: RunningCli;

beforeAll(async () => {
  cli = startCli(ARGS);
  await cli.ready();
});

afterAll(async () => {
  if (cli !== undefined && cli.child.exitCode === null) await cli.stop('SIGTERM');
  killAllOf(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Resumes any MySQL a failed test left paused, so one failure does not cascade. */
beforeEach(async () => {
  if (cli === undefined || cli.base === '' || cli.child.exitCode !== null) return;
  for (const n of (await cli.cluster()).nodes) {
    if (n.mysql.server === 'paused') await cli.api('POST', `/api/nodes/${n.id}/mysql/resume`);
    if (n.mysql.server === 'stopped') await cli.api('POST', `/api/nodes/${n.id}/mysql/start`);
  }
});

/** The pid of node `id`'s mariadbd, found by its data dir. */
function mariadbPid(id: number): number {
  const dir = path.join(dataDir, 'nodes', `n${id}`, 'mysql');
  const found = processesOf(dataDir).filter(
    (p) => p.cmd.includes('mariadbd') && p.cmd.includes(`--datadir=${dir}`),
  );
  if (found.length !== 1) throw new Error(`n${id}'s mariadbd: ${JSON.stringify(found)}`);
  return found[0].pid;
}

/** The one-letter state in /proc/<pid>/stat: R, S, D, T (stopped), Z... */
function procState(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** A signal reaches every thread of mariadbd in turn: poll until /proc shows the outcome. */
function stateIs(pid: number, stopped: boolean): Promise<true> {
  return waitFor(
    () => (procState(pid) === 'T') === stopped || undefined,
    10_000,
    `pid ${pid} ${stopped ? 'stopped (T)' : 'running again'}`,
  );
}

async function node(id: number): Promise<ClusterNode> {
  const n = (await cli.cluster()).nodes.find((m) => m.id === id);
  if (n === undefined) throw new Error(`no n${id}`);
  return n;
}

async function aFollower(): Promise<number> {
  const leader = await cli.leader();
  return ((await cli.cluster()).nodes.find((n) => n.id !== leader.id) as ClusterNode).id;
}

/** Pauses a follower's MySQL through the control API; its node id and mariadbd pid. */
async function pauseAFollowersMySql(): Promise<{ f: number; pid: number }> {
  const f = await aFollower();
  const pid = mariadbPid(f);
  expect((await cli.api('POST', `/api/nodes/${f}/mysql/pause`)).status).toBe(200);
  return { f, pid };
}

describe('pause and resume a node’s MySQL', () => {
  it('pause SIGSTOPs the mariadbd and shows it paused; the cluster writes; resume runs it', async () => {
    const f = await aFollower();
    const pid = mariadbPid(f);
    const paused = await cli.api<{ message: string }>('POST', `/api/nodes/${f}/mysql/pause`);
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body.message).toMatch(/SIGSTOP/);
    await stateIs(pid, true);
    expect((await node(f)).mysql.server).toBe('paused');
    await cli.write('while a follower’s MySQL is frozen');

    const again = await cli.api('POST', `/api/nodes/${f}/mysql/pause`);
    expect(again.status).toBe(409);

    const resumed = await cli.api('POST', `/api/nodes/${f}/mysql/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    await stateIs(pid, false);
    expect(mariadbPid(f)).toBe(pid);
    await waitFor(
      async () => {
        const n = await node(f);
        return n.mysql.server === 'running' && n.mysql.status === 'up';
      },
      30_000,
      `n${f}'s MySQL running and up`,
    );
    expect((await cli.api('POST', `/api/nodes/${f}/mysql/resume`)).status).toBe(409);
  });

  it('restarting the node resumes its paused MySQL', async () => {
    const { f, pid } = await pauseAFollowersMySql();
    await stateIs(pid, true);
    const r = await cli.api('POST', `/api/nodes/${f}/restart`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await stateIs(pid, false);
    expect((await node(f)).mysql.server).toBe('running');
  });

  it('stopping a paused MySQL stops it (resumed first), and it starts again', async () => {
    const { f, pid } = await pauseAFollowersMySql();
    const stop = await cli.api('POST', `/api/nodes/${f}/mysql/stop`);
    expect(stop.status, JSON.stringify(stop.body)).toBe(200);
    expect(processesOf(dataDir).some((p) => p.pid === pid)).toBe(false);
    expect((await node(f)).mysql.server).toBe('stopped');
    expect((await cli.api('POST', `/api/nodes/${f}/mysql/pause`)).status).toBe(409);
    expect((await cli.api('POST', `/api/nodes/${f}/mysql/start`)).status).toBe(200);
  });

  it('removing a node whose MySQL is paused stops that MySQL and deletes its data', async () => {
    const { f, pid } = await pauseAFollowersMySql();
    await stateIs(pid, true);
    const removed = await cli.api('DELETE', `/api/nodes/${f}`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(processesOf(dataDir).some((p) => p.pid === pid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'nodes', `n${f}`))).toBe(false);
    await cli.write('after removing a node with a frozen MySQL');
  });

  it('SIGTERM with a paused MySQL stops it cleanly and leaves no process behind', async () => {
    const { f, pid } = await pauseAFollowersMySql();
    await stateIs(pid, true);
    const exit = await cli.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(processesOf(dataDir)).toEqual([]);
    // A clean shutdown, not the SIGKILL after the stop timeout: MariaDB logged its own end.
    const log = fs.readFileSync(path.join(dataDir, 'nodes', `n${f}`, 'mysql', 'mariadbd.log'));
    expect(log.toString('utf8').trimEnd().split('\n').slice(-3).join('\n')).toMatch(
      /Shutdown complete/,
    );
  });

  it('after a supervisor crash with a paused MySQL, the next start stops it without waiting', async () => {
    if (cli.child.exitCode === null) await cli.stop('SIGTERM');
    cli = startCli(ARGS);
    await cli.ready();
    const { pid } = await pauseAFollowersMySql();
    await stateIs(pid, true);
    await cli.stop('SIGKILL');
    expect(processesOf(dataDir).some((p) => p.pid === pid)).toBe(true);

    cli = startCli(ARGS);
    await cli.ready();
    expect(processesOf(dataDir).some((p) => p.pid === pid)).toBe(false);
    // SIGTERM alone would wait for the stop timeout and then SIGKILL the frozen server.
    expect(cli.output()).not.toMatch(/ignored SIGTERM/);
    const exit = await cli.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(processesOf(dataDir)).toEqual([]);
  });
});
