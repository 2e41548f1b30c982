/**
 * A stand-in for Electron's ipcMain and the window's webContents, so the IPC helper, the handlers
 * and the compiled preload are tested without Electron: `invoke` plays the renderer's
 * ipcRenderer.invoke against the registered handlers, from a sender of the test's choosing.
 */
import type { FrameLike, InvokeEventLike, IpcMainLike } from '../../electron/ipc.js';

export type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

export const WINDOW = { id: 'main window webContents' };
export const APP_FRAME: FrameLike = { url: 'raftboard://app/index.html', parent: null };

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  readonly removed: string[] = [];

  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.removed.push(channel);
    this.handlers.delete(channel);
  }

  /** Like ipcRenderer.invoke: rejects when the handler throws, else answers its result. */
  async invoke(
    channel: string,
    args: readonly unknown[],
    from: InvokeEventLike = { sender: WINDOW, senderFrame: APP_FRAME },
  ): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (h === undefined) throw new Error(`No handler registered for '${channel}'`);
    // IPC arguments are structured-cloned: the handler never shares objects with the page.
    return h(from, ...structuredClone(args));
  }
}
