/**
 * electron/main.ts as it is compiled (build/electron/main.js), run under plain Node with a fake
 * `electron` module (fake-electron/): the wiring Electron would run, minus the window. A real
 * cluster (1 node, managed MariaDB) starts from settings.json, the window goes from the start-up
 * view to the app, IPC calls reach the cluster through the sender check, navigation and new
 * windows are refused, and SIGTERM stops everything before the process exits.
 *
 * Needs the build (`npm test` builds first); build/renderer is optional (CI builds it first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllOf, processesOf, waitFor } from '../supervisor/cli-harness.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = path.join(REPO, 'build', 'electron', 'main.js');
const REGISTER = path.join(REPO, 'build', 'test', 'electron', 'fake-electron', 'register.js');
const UI_BUILT = fs.existsSync(path.join(REPO, 'build', 'renderer', 'index.html'));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-main-'));
const dataDir = path.join(tmp, 'cluster');
type Record_ = Record<string, unknown>;
const records: Record_[] = [];
const stderr: string[] = [];
let child: ChildProcess;
let exited: Promise<number | null>;

function send(command: Record_): void {
  child.stdin?.write(`${JSON.stringify(command)}\n`);
}

function next(match: (r: Record_) => boolean, what: string, timeoutMs = 60_000): Promise<Record_> {
  return waitFor(
    () => records.find(match),
    timeoutMs,
    `${what}\n${records.map((r) => JSON.stringify(r).slice(0, 200)).join('\n')}\n${stderr.join('\n')}`,
  );
}

async function invoke(channel: string, args: unknown[], frameUrl?: string): Promise<Record_> {
  const before = records.length;
  send({ cmd: 'invoke', channel, args, ...(frameUrl === undefined ? {} : { frameUrl }) });
  return next((r) => records.indexOf(r) >= before && r.invoked === channel, `answer to ${channel}`);
}

beforeAll(() => {
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(userData);
  fs.writeFileSync(
    path.join(userData, 'settings.json'),
    JSON.stringify({ nodes: 1, slow: 0.4, dataDir }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, RAFTBOARD_USER_DATA: userData };
  delete env.NODE_OPTIONS;
  child = spawn(process.execPath, ['--import', REGISTER, MAIN], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    if (l.startsWith('{"fake":true')) records.push(JSON.parse(l) as Record_);
  });
  readline
    .createInterface({ input: child.stderr as NodeJS.ReadableStream })
    .on('line', (l) => stderr.push(l));
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
});

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  killAllOf(dataDir);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('electron/main.js under a fake Electron', () => {
  it('registers the scheme and the user-data folder before ready, then locks, menus and denies permissions', async () => {
    await next((r) => r.loadURL !== undefined, 'the first page');
    expect(records.find((r) => r.registerSchemesAsPrivileged)).toMatchObject({
      beforeReady: true,
      registerSchemesAsPrivileged: [
        { scheme: 'raftboard', privileges: { standard: true, secure: true } },
      ],
    });
    expect(records.find((r) => r.setPath === 'userData')).toMatchObject({ beforeReady: true });
    expect(records.some((r) => r.singleInstanceLock)).toBe(true);
    expect(records.find((r) => 'permissionRequest' in r)).toEqual({
      fake: true,
      permissionRequest: false,
    });
    expect(records.find((r) => 'permissionCheck' in r)).toMatchObject({ permissionCheck: false });
    expect(records.find((r) => r.menu)).toMatchObject({ menu: expect.arrayContaining(['Edit']) });
    expect(records.find((r) => r.window)).toMatchObject({
      window: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
        preload: path.join(REPO, 'build', 'electron', 'preload.cjs'),
      },
    });
    expect(records.find((r) => r.loadURL)).toMatchObject({
      loadURL: 'raftboard://app/_shell/startup.html',
    });
  });

  it('shows the start-up view until the cluster is ready, then the app', async () => {
    await next((r) => r.send === 'raftboard-shell:startup' && r.what === 'ready', 'ready', 90_000);
    if (UI_BUILT) {
      await next((r) => r.loadURL === 'raftboard://app/index.html', 'the app page');
    } else {
      await next((r) => typeof r.errorBox === 'string', 'the "UI is not built" error');
    }
    const startup = await invoke('raftboard-shell:getStartup', []);
    expect(startup.result).toMatchObject({ ok: true, value: { phase: 'ready', dataDir } });
  });

  it('answers the bridge through IPC: a task commits, the cluster has a leader', async () => {
    const created = await invoke('raftboard:createTask', [
      { title: 'made over IPC' },
      { idempotencyKey: 'ipc-1' },
    ]);
    expect(created.result).toMatchObject({
      ok: true,
      value: { task: { title: 'made over IPC', version: 1 }, servedBy: 1 },
    });
    const cluster = await invoke('raftboard:getCluster', []);
    expect(cluster.result).toMatchObject({ ok: true, value: { leaderId: 1 } });
    const bad = await invoke('raftboard:nodeAction', [1, 'explode']);
    expect(bad.result).toMatchObject({ ok: false, status: 400 });
    const listed = await invoke('raftboard:listTasks', [{ q: 'made over' }]);
    expect(listed.result).toMatchObject({
      ok: true,
      value: { tasks: [{ title: 'made over IPC' }] },
    });
  });

  it('refuses IPC from a page that is not ours', async () => {
    const r = await invoke('raftboard:getCluster', [], 'https://evil.example/');
    expect(r.rejected).toMatch(/refused: a page outside raftboard:\/\/app/);
  });

  it('pushes events once the page subscribes, starting with a replay', async () => {
    const sub = await invoke('raftboard:events', [true]);
    const replay = (sub.result as { value: { type: string }[] }).value;
    expect(replay.at(-1)?.type).toBe('status');
    await next((r) => r.send === 'raftboard:event' && r.what === 'status', 'a pushed status event');
  });

  it('serves its pages with the CSP, refuses navigation and new windows', async () => {
    send({ cmd: 'fetch', url: 'raftboard://app/_shell/startup.html' });
    expect(await next((r) => r.fetched !== undefined, 'the start-up page')).toMatchObject({
      status: 200,
      type: 'text/html; charset=utf-8',
      csp: expect.stringContaining("script-src 'self'"),
    });
    send({ cmd: 'navigate', url: 'file:///etc/passwd' });
    expect(await next((r) => r.navigate === 'file:///etc/passwd', 'navigation')).toMatchObject({
      prevented: true,
    });
    send({ cmd: 'open', url: 'https://raft.github.io/' });
    expect(await next((r) => r.open !== undefined, 'window.open')).toMatchObject({
      action: 'deny',
    });
    // https links go to the user's browser; file: never does.
    expect(records.filter((r) => r.openExternal)).toEqual([
      { fake: true, openExternal: 'https://raft.github.io/' },
    ]);
  });

  it('on SIGTERM stops the node and its MariaDB before exiting', async () => {
    expect(processesOf(dataDir).length).toBeGreaterThanOrEqual(2);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(records.find((r) => r.quit)).toMatchObject({ prevented: true });
    expect(records.at(-1)).toEqual({ fake: true, exit: 0 });
    expect(processesOf(dataDir)).toEqual([]);
  });
});
