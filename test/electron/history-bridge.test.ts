/**
 * Recording and checking a live session over Electron IPC: the handlers validate the page's
 * arguments (the contract's 0–16 clients) before the host runs, and the host answers from the
 * supervisor's recorder (cluster/supervisor/history), which also sees the window's task calls.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../cluster/api/control.js';
import type { HistoryRecording } from '../../cluster/api/history.js';
import { registerBridge } from '../../electron/handlers.js';
import { createHost, type BridgeHost, type HostSupervisor } from '../../electron/host.js';
import { createIpc } from '../../electron/ipc.js';
import { FakeIpcMain, WINDOW } from './fake-ipc.js';

const IDLE: HistoryRecording = { recording: false, startedAt: null, operations: 0, clients: 0 };

/** A node's client API that answers the recorder's starting list read: no tasks yet. */
async function tinyNode(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        tasks: [],
        consistency: 'linearizable',
        servedBy: 1,
        appliedIndex: 5,
        commitIndex: 5,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function supervisorAt(target: string | undefined): HostSupervisor {
  return {
    token: 'a-token-of-sixteen-chars',
    status: () => ({ leaderId: 1, term: 2, nodes: [] }) as unknown as ClusterStatus,
    taskTarget: () => target,
  } as unknown as HostSupervisor;
}

function handlersOver(host: Partial<BridgeHost>) {
  const ipcMain = new FakeIpcMain();
  const ipc = createIpc({ ipcMain, trustedSender: () => WINDOW });
  const reached: unknown[][] = [];
  const recording =
    (name: string) =>
    (...args: unknown[]) => {
      reached.push([name, ...args]);
      return Promise.resolve({ ok: true, value: name });
    };
  const full = new Proxy(host, {
    get: (target, key: string) => (target as Record<string, unknown>)[key] ?? recording(key),
  }) as BridgeHost;
  registerBridge(ipc, full, { setWanted: () => [] });
  const invoke = (channel: string, args: unknown[]) => ipcMain.invoke(channel, args);
  return { invoke, reached };
}

describe('history IPC handlers', () => {
  it('pass a valid body to the host and answer its envelope', async () => {
    const { invoke, reached } = handlersOver({});
    await expect(invoke('raftboard:getHistory', [])).resolves.toEqual({
      ok: true,
      value: 'getHistory',
    });
    await expect(
      invoke('raftboard:recordHistory', [{ record: true, clients: 16 }]),
    ).resolves.toEqual({ ok: true, value: 'recordHistory' });
    await expect(invoke('raftboard:recordHistory', [{ record: false }])).resolves.toMatchObject({
      ok: true,
    });
    await expect(invoke('raftboard:checkHistory', [])).resolves.toMatchObject({ ok: true });
    expect(reached).toEqual([
      ['getHistory'],
      ['recordHistory', { record: true, clients: 16 }],
      ['recordHistory', { record: false }],
      ['checkHistory'],
    ]);
  });

  it.each([
    ['17 clients', [{ record: true, clients: 17 }]],
    ['a fraction of a client', [{ record: true, clients: 1.5 }]],
    ['negative clients', [{ record: true, clients: -1 }]],
    ['no record flag', [{ clients: 2 }]],
    ['a string flag', [{ record: 'yes' }]],
    ['an unknown field', [{ record: true, wipe: true }]],
    ['no body', []],
  ])('refuse %s with a 400 envelope, without reaching the host', async (_name, args) => {
    const { invoke, reached } = handlersOver({});
    await expect(invoke('raftboard:recordHistory', args)).resolves.toMatchObject({
      ok: false,
      status: 400,
      error: { error: 'invalid_input' },
    });
    expect(reached).toEqual([]);
  });

  it('take no arguments for getHistory and checkHistory', async () => {
    const { invoke, reached } = handlersOver({});
    await expect(invoke('raftboard:checkHistory', [{ all: true }])).resolves.toMatchObject({
      status: 400,
    });
    expect(reached).toEqual([]);
  });
});

describe('history calls of the host', () => {
  it('record the window’s task calls in the supervisor’s recorder and check them', async () => {
    const node = await tinyNode();
    try {
      const s = supervisorAt(node.url);
      const created = {
        task: {
          id: '00000000-0000-4000-8000-000000000001',
          title: 'Recorded',
          description: '',
          status: 'todo',
          priority: 'medium',
          dueDate: null,
          createdAt: '2025-01-01T00:00:00.000Z',
          updatedAt: '2025-01-01T00:00:00.000Z',
          version: 1,
          raftIndex: 6,
        },
        raftIndex: 6,
        term: 2,
        servedBy: 1,
      };
      const fetch = (async () =>
        new Response(JSON.stringify(created), {
          status: 201,
        })) as unknown as typeof globalThis.fetch;
      const host = createHost({ supervisor: () => s, fetch });
      await expect(host.getHistory()).resolves.toEqual({ ok: true, value: IDLE });

      const started = await host.recordHistory({ record: true });
      expect(started).toMatchObject({ ok: true, value: { recording: true, operations: 0 } });
      await expect(
        host.createTask({ title: 'Recorded' }, { idempotencyKey: 'k-rec-1' }),
      ).resolves.toMatchObject({ ok: true });
      await expect(host.getHistory()).resolves.toMatchObject({
        value: { recording: true, operations: 1 },
      });
      const checked = await host.checkHistory();
      expect(checked).toMatchObject({
        ok: true,
        value: { verdict: 'linearizable', operations: 1, tasks: 1 },
      });
      await expect(host.recordHistory({ record: false })).resolves.toMatchObject({
        ok: true,
        value: { recording: false, operations: 1 },
      });
    } finally {
      await node.close();
    }
  });

  it('answer 503 while the cluster is not running', async () => {
    const idle = createHost({ supervisor: () => undefined });
    await expect(idle.checkHistory()).resolves.toMatchObject({ ok: false, status: 503 });
    await expect(idle.recordHistory({ record: true })).resolves.toMatchObject({
      ok: false,
      status: 503,
    });
  });
});
