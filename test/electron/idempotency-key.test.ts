/**
 * Idempotency-Keys on the Electron path: the IPC schema (electron/handlers.ts) lets through
 * exactly the contract's keys (1 to 255 printable ASCII characters, docs/contract.md §4), and
 * the host (electron/host.ts) writes each as a header value the node reads back as that key.
 */
import { describe, expect, it } from 'vitest';
import { parseIdempotencyKeyValue } from '../../cluster/api/idempotency.js';
import { bridgeChannel } from '../../electron/channels.js';
import { registerBridge } from '../../electron/handlers.js';
import { createHost, type BridgeHost } from '../../electron/host.js';
import { createIpc } from '../../electron/ipc.js';
import { FakeIpcMain, WINDOW } from './fake-ipc.js';

function bridge() {
  const ipcMain = new FakeIpcMain();
  const ipc = createIpc({ ipcMain, trustedSender: () => WINDOW });
  const keys: unknown[] = [];
  const host = {
    createTask: (_input: unknown, options: { idempotencyKey: string }) => {
      keys.push(options.idempotencyKey);
      return Promise.resolve({ ok: true, value: 'created' });
    },
  } as unknown as BridgeHost;
  registerBridge(ipc, host, { setWanted: () => [] });
  const create = (key: string) =>
    ipcMain.invoke(bridgeChannel('createTask'), [{ title: 't' }, { idempotencyKey: key }]);
  return { create, keys };
}

describe('Idempotency-Key through the Electron IPC', () => {
  it('passes keys of 1 to 255 printable characters, spaces and quotes included', async () => {
    const { create, keys } = bridge();
    const good = ['k', 'x'.repeat(255), ' with spaces ', '"quoted" \\ too'];
    for (const key of good) {
      await expect(create(key), key).resolves.toEqual({ ok: true, value: 'created' });
    }
    expect(keys).toEqual(good);
  });

  it('refuses an empty, a 256-character, a control-character or a non-ASCII key with 400', async () => {
    const { create, keys } = bridge();
    for (const key of ['', 'x'.repeat(256), 'a\tb', 'a\nb', 'clé']) {
      await expect(create(key), JSON.stringify(key)).resolves.toMatchObject({
        ok: false,
        status: 400,
        error: { error: 'invalid_input' },
      });
    }
    expect(keys).toEqual([]);
  });

  it('the host sends a header value the node reads back as the same key', async () => {
    const sent: string[] = [];
    const fetch = ((_url: string, init: RequestInit) => {
      sent.push((init.headers as Record<string, string>)['idempotency-key']!);
      return Promise.resolve(new Response('{}', { status: 201 }));
    }) as typeof globalThis.fetch;
    const supervisor = {
      token: 'a-token-of-sixteen-chars',
      taskTarget: () => 'http://127.0.0.1:9001',
    };
    const host = createHost({ supervisor: () => supervisor as never, fetch });
    const keys = ['plain', 'x'.repeat(255), ' lead', 'trail ', '"starts quoted', 'a"b\\c'];
    for (const key of keys) await host.createTask({ title: 't' }, { idempotencyKey: key });
    expect(sent.slice(0, 3)).toEqual(['plain', 'x'.repeat(255), '" lead"']);
    // What HTTP would deliver (whitespace around the value cut), parsed as the node does.
    expect(sent.map((v) => parseIdempotencyKeyValue(v.trim()))).toEqual(
      keys.map((key) => ({ ok: true, key })),
    );
  });
});
