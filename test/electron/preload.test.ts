/**
 * The compiled preload (build/electron/preload.cjs), run the way a sandboxed Electron renderer
 * runs it: wrapped in a function whose `require` knows only `electron`. Its ipcRenderer is wired
 * to the real handlers (electron/handlers.ts) through a fake ipcMain, so these tests also prove
 * that every function the page gets reaches a handler of the main process.
 *
 * Needs the build (`npm test` builds first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type {
  BridgeMethod,
  RaftboardBridge,
  RaftboardShell,
  StartupState,
} from '../../cluster/api/bridge.js';
import type { ClusterEvent } from '../../cluster/api/control.js';
import { registerBridge, registerShell } from '../../electron/handlers.js';
import type { BridgeHost } from '../../electron/host.js';
import { createIpc } from '../../electron/ipc.js';
import { DEFAULT_SETTINGS } from '../../electron/settings.js';
import { FakeIpcMain, WINDOW } from './fake-ipc.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PRELOAD = path.join(REPO, 'build', 'electron', 'preload.cjs');

type Fn = (...args: unknown[]) => unknown;

const EXAMPLE_ARGS = {
  listTasks: [{ consistency: 'stale', status: 'todo', q: 'milk', limit: 5, offset: 0 }],
  createTask: [{ title: 'Buy milk', priority: 'high' }, { idempotencyKey: 'k1' }],
  updateTask: ['id-1', { status: 'done', dueDate: null }, { idempotencyKey: 'k2', ifMatch: 3 }],
  deleteTask: ['id-1', { idempotencyKey: 'k3' }],
  listProjects: [],
  createProject: [{ name: 'Home', color: '#ff8800' }, { idempotencyKey: 'k4' }],
  updateProject: ['p-1', { name: 'Work' }, { idempotencyKey: 'k5', ifMatch: 2 }],
  deleteProject: ['p-1', 'delete', { idempotencyKey: 'k6' }],
  listTags: [],
  exportData: [],
  exportCsv: [],
  importData: [{ kind: 'csv', text: 'TYPE,CONTENT\ntask,Milk\n' }, { idempotencyKey: 'k7' }],
  getCluster: [],
  nodeAction: [2, 'pause'],
  mysqlAction: [3, 'stop'],
  addNode: [],
  removeNode: [4],
  setNetwork: [{ partitions: [[1], [2, 3]] }],
  healNetwork: [],
  setSlow: [5],
  getChecksums: [],
  getHistory: [],
  recordHistory: [{ record: true, clients: 2 }],
  checkHistory: [],
} as const satisfies Record<BridgeMethod, readonly unknown[]>;

const event = (seq: number): ClusterEvent => ({
  type: 'progress',
  message: `step ${seq}`,
  seq,
  at: '2025-01-01T00:00:00.000Z',
});

function loadPreload() {
  const ipcMain = new FakeIpcMain();
  const ipc = createIpc({ ipcMain, trustedSender: () => WINDOW });
  const hostCalls: [string, unknown[]][] = [];
  const host = Object.fromEntries(
    Object.keys(EXAMPLE_ARGS).map((m) => [
      m,
      (...args: unknown[]) => {
        hostCalls.push([m, args]);
        return Promise.resolve({ ok: true, value: `answer of ${m}` });
      },
    ]),
  ) as unknown as BridgeHost;
  const wanted: boolean[] = [];
  registerBridge(ipc, host, {
    setWanted: (on) => {
      wanted.push(on);
      return on ? [event(1), event(2)] : [];
    },
  });
  const state: StartupState = { phase: 'starting', dataDir: '/d', settingsFile: '/s.json' };
  const shellCalls: string[] = [];
  registerShell(ipc, {
    getStartup: () => state,
    getSettings: () => DEFAULT_SETTINGS,
    saveSettings: (s) => s,
    retryStart: () => state,
    quit: () => void shellCalls.push('quit'),
    notify: (n) => void shellCalls.push(`notify ${n.title} ${n.tag}`),
  });

  const listeners = new Map<string, Set<Fn>>();
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, args),
    on: (channel: string, fn: Fn) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(fn);
    },
    removeListener: (channel: string, fn: Fn) => listeners.get(channel)?.delete(fn),
  };
  const exposed = new Map<string, unknown>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer,
  };
  // Electron's sandboxed preload wrapper (lib/sandboxed_renderer): these parameters, nothing else.
  const source = fs.readFileSync(PRELOAD, 'utf8');
  const wrapper = vm.runInNewContext(
    `(function(require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {\n${source}\n})`,
    { console },
    { filename: PRELOAD },
  ) as Fn;
  const preloadRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name}`);
  };
  const exports = {};
  wrapper(preloadRequire, {}, undefined, {}, setImmediate, clearImmediate, exports, { exports });
  const push = (channel: string, payload: unknown): void => {
    const ipcEvent = { sender: ipcRenderer, senderId: 0 };
    for (const fn of listeners.get(channel) ?? []) fn(ipcEvent, payload);
  };
  return {
    raftboard: exposed.get('raftboard') as RaftboardBridge,
    shell: exposed.get('raftboardShell') as RaftboardShell,
    exposed,
    required,
    hostCalls,
    shellCalls,
    wanted,
    listeners,
    push,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('the preload', () => {
  it('requires nothing but electron and exposes exactly two named APIs', () => {
    const p = loadPreload();
    expect(p.required).toEqual(['electron']);
    expect([...p.exposed.keys()].sort()).toEqual(['raftboard', 'raftboardShell']);
    expect(Object.keys(p.raftboard).sort()).toEqual(
      [...Object.keys(EXAMPLE_ARGS), 'subscribeEvents'].sort(),
    );
    expect(Object.keys(p.shell).sort()).toEqual(
      [
        'getSettings',
        'getStartup',
        'notify',
        'onCommand',
        'onStartup',
        'quit',
        'retryStart',
        'saveSettings',
      ].sort(),
    );
    for (const v of [...Object.values(p.raftboard), ...Object.values(p.shell)]) {
      expect(typeof v).toBe('function');
    }
  });

  it.each(Object.entries(EXAMPLE_ARGS))(
    '%s reaches its main-process handler with its arguments and answers the envelope',
    async (method, args) => {
      const p = loadPreload();
      const fn = (p.raftboard as unknown as Record<string, Fn>)[method];
      await expect(fn(...args)).resolves.toEqual({ ok: true, value: `answer of ${method}` });
      expect(p.hostCalls).toEqual([[method, args]]);
    },
  );

  it('listTasks without options is fine too', async () => {
    const p = loadPreload();
    await expect(p.raftboard.listTasks()).resolves.toMatchObject({ ok: true });
    expect(p.hostCalls).toEqual([['listTasks', [undefined]]]);
  });

  it('bad arguments from the page come back as a 400 envelope, not a throw', async () => {
    const p = loadPreload();
    const nodeAction = p.raftboard.nodeAction as unknown as Fn;
    await expect(nodeAction(1, 'format-disk')).resolves.toMatchObject({
      ok: false,
      status: 400,
      error: { error: 'invalid_input' },
    });
    expect(p.hostCalls).toEqual([]);
  });

  it('mysqlAction takes pause and resume (the frozen-MySQL fault), and nothing else new', async () => {
    const p = loadPreload();
    const mysqlAction = p.raftboard.mysqlAction as unknown as Fn;
    await expect(mysqlAction(3, 'pause')).resolves.toMatchObject({ ok: true });
    await expect(mysqlAction(3, 'resume')).resolves.toMatchObject({ ok: true });
    await expect(mysqlAction(3, 'freeze')).resolves.toMatchObject({ ok: false, status: 400 });
    expect(p.hostCalls).toEqual([
      ['mysqlAction', [3, 'pause']],
      ['mysqlAction', [3, 'resume']],
    ]);
  });

  it('the shell functions reach their handlers', async () => {
    const p = loadPreload();
    await expect(p.shell.getStartup()).resolves.toMatchObject({
      ok: true,
      value: { phase: 'starting' },
    });
    await expect(p.shell.saveSettings({ ...DEFAULT_SETTINGS, nodes: 5 })).resolves.toMatchObject({
      ok: true,
      value: { nodes: 5 },
    });
    await expect(p.shell.saveSettings({ ...DEFAULT_SETTINGS, nodes: 12 })).resolves.toMatchObject({
      ok: false,
      status: 400,
      error: { details: { nodes: expect.any(String) } },
    });
    await p.shell.quit();
    await expect(
      p.shell.notify({ title: 'Pay rent', body: 'Due at 09:00', tag: 't@1' }),
    ).resolves.toEqual({ ok: true, value: null });
    await expect(p.shell.notify({ title: '', body: '', tag: 't' })).resolves.toMatchObject({
      ok: false,
      status: 400,
    });
    expect(p.shellCalls).toEqual(['quit', 'notify Pay rent t@1']);
  });

  it('event subscriptions get the replay, then pushes, with the event alone; unsubscribe stops them', async () => {
    const p = loadPreload();
    const seen: unknown[][] = [];
    const states: string[] = [];
    const stop = p.raftboard.subscribeEvents({
      onEvent: (...args: unknown[]) => seen.push(args),
      onConnection: (s) => states.push(s),
    });
    await tick();
    expect(p.wanted).toEqual([true]);
    expect(states).toEqual(['connecting', 'open']);
    p.push('raftboard:event', event(3));
    // One argument each: the IpcRendererEvent never reaches the page.
    expect(seen).toEqual([[event(1)], [event(2)], [event(3)]]);

    stop();
    await tick();
    p.push('raftboard:event', event(4));
    expect(seen).toHaveLength(3);
    expect(p.wanted).toEqual([true, false]);
    expect(p.listeners.get('raftboard:event')?.size ?? 0).toBe(0);
    stop(); // twice is harmless
    expect(p.wanted).toEqual([true, false]);
  });

  it('a second subscriber gets its own replay and the first keeps its stream', async () => {
    const p = loadPreload();
    const a: number[] = [];
    const b: number[] = [];
    const stopA = p.raftboard.subscribeEvents({ onEvent: (e) => a.push(e.seq) });
    await tick();
    const stopB = p.raftboard.subscribeEvents({ onEvent: (e) => b.push(e.seq) });
    await tick();
    p.push('raftboard:event', event(3));
    stopA();
    p.push('raftboard:event', event(4));
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3, 4]);
    expect(p.wanted).toEqual([true, true]);
    stopB();
    await tick();
    expect(p.wanted).toEqual([true, true, false]);
  });

  it('menu commands and notification clicks reach onCommand with the command alone', () => {
    const p = loadPreload();
    const seen: unknown[][] = [];
    const stop = p.shell.onCommand((...args: unknown[]) => seen.push(args));
    const command = { type: 'export', format: 'csv' };
    p.push('raftboard-shell:command', command);
    stop();
    p.push('raftboard-shell:command', command);
    expect(seen).toEqual([[command]]);
    expect(p.listeners.get('raftboard-shell:command')?.size ?? 0).toBe(0);
  });

  it('start-up state pushes reach onStartup with the state alone', () => {
    const p = loadPreload();
    const seen: unknown[][] = [];
    const stop = p.shell.onStartup((...args: unknown[]) => seen.push(args));
    const ready: StartupState = { phase: 'ready', dataDir: '/d', settingsFile: '/s.json' };
    p.push('raftboard-shell:startup', ready);
    stop();
    p.push('raftboard-shell:startup', ready);
    expect(seen).toEqual([[ready]]);
    expect(p.listeners.get('raftboard-shell:startup')?.size ?? 0).toBe(0);
  });
});
