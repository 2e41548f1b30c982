/** The one IPC helper: who may call, and what arguments get through. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIpc, isAppUrl, senderProblem } from '../../electron/ipc.js';
import { APP_FRAME, FakeIpcMain, WINDOW } from './fake-ipc.js';

function setup() {
  const ipcMain = new FakeIpcMain();
  const logged: string[] = [];
  let trusted: unknown = WINDOW;
  const ipc = createIpc({ ipcMain, trustedSender: () => trusted, log: (m) => logged.push(m) });
  const calls: unknown[] = [];
  ipc.handle('t:add', z.tuple([z.number().int(), z.number().int()]), ([a, b]) => {
    calls.push([a, b]);
    return { ok: true, value: a + b };
  });
  ipc.handle('t:boom', z.tuple([]), () => {
    throw new Error('the supervisor fell over');
  });
  return { ipcMain, ipc, logged, calls, setTrusted: (t: unknown) => (trusted = t) };
}

describe('IPC sender check', () => {
  it('accepts the main window main frame on raftboard://app', async () => {
    const { ipcMain, calls } = setup();
    await expect(ipcMain.invoke('t:add', [2, 3])).resolves.toEqual({ ok: true, value: 5 });
    expect(calls).toEqual([[2, 3]]);
  });

  it.each([
    ['another webContents', { sender: { id: 'devtools' }, senderFrame: APP_FRAME }, /main window/],
    ['a gone frame', { sender: WINDOW, senderFrame: null }, /gone/],
    [
      'a subframe',
      { sender: WINDOW, senderFrame: { url: 'raftboard://app/x.html', parent: APP_FRAME } },
      /subframe/,
    ],
    [
      'a file:// page',
      { sender: WINDOW, senderFrame: { url: 'file:///etc/passwd', parent: null } },
      /outside raftboard:\/\/app/,
    ],
    [
      'an https page',
      { sender: WINDOW, senderFrame: { url: 'https://evil.example/', parent: null } },
      /outside/,
    ],
    [
      'another host of our scheme',
      { sender: WINDOW, senderFrame: { url: 'raftboard://evil/index.html', parent: null } },
      /outside/,
    ],
  ])('refuses %s without running the handler', async (_name, from, why) => {
    const { ipcMain, calls, logged } = setup();
    await expect(ipcMain.invoke('t:add', [1, 1], from)).rejects.toThrow(why);
    expect(calls).toEqual([]);
    expect(logged.join('\n')).toMatch(/refused t:add/);
  });

  it('refuses everyone while there is no window', async () => {
    const { ipcMain, setTrusted } = setup();
    setTrusted(undefined);
    await expect(ipcMain.invoke('t:add', [1, 1])).rejects.toThrow(/not the main window/);
  });

  it('isAppUrl and senderProblem agree on the origin rules', () => {
    expect(isAppUrl('raftboard://app/_shell/startup.html')).toBe(true);
    expect(isAppUrl('raftboard://app.evil/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(senderProblem({ sender: WINDOW, senderFrame: APP_FRAME }, WINDOW)).toBeUndefined();
  });
});

describe('IPC argument parsing', () => {
  it.each([
    ['a string for a number', ['2', 3]],
    ['a missing argument', [2]],
    ['an extra argument', [2, 3, 4]],
    ['a fraction', [2.5, 3]],
    ['an object', [{ valueOf: 2 }, 3]],
  ])('answers 400 invalid_input for %s, handler not run', async (_name, args) => {
    const { ipcMain, calls } = setup();
    const r = await ipcMain.invoke('t:add', args);
    expect(r).toMatchObject({ ok: false, status: 400, error: { error: 'invalid_input' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/t:add/);
    expect(calls).toEqual([]);
  });

  it('keys the details by field, not by argument position', async () => {
    const ipcMain = new FakeIpcMain();
    const ipc = createIpc({ ipcMain, trustedSender: () => WINDOW });
    ipc.handle('t:obj', z.tuple([z.strictObject({ title: z.string() })]), () => ({
      ok: true,
      value: null,
    }));
    const r = await ipcMain.invoke('t:obj', [{ title: 7, extra: 1 }]);
    expect(r).toMatchObject({
      ok: false,
      error: { details: { title: expect.any(String), extra: 'is not a known field' } },
    });
  });

  it('turns a throwing handler into a 500 envelope that keeps the message', async () => {
    const { ipcMain, logged } = setup();
    await expect(ipcMain.invoke('t:boom', [])).resolves.toEqual({
      ok: false,
      status: 500,
      error: { error: 'internal', message: 'the supervisor fell over' },
    });
    expect(logged.join('\n')).toMatch(/t:boom failed/);
  });

  it('refuses a channel handled twice, and dispose removes every handler', () => {
    const { ipc, ipcMain } = setup();
    expect(() => ipc.handle('t:add', z.tuple([]), () => ({ ok: true, value: 1 }))).toThrow(/twice/);
    ipc.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.removed.sort()).toEqual(['t:add', 't:boom']);
  });
});
