/**
 * A stand-in for the `electron` module, so build/electron/main.js runs under plain Node in a
 * test (electron-main.test.ts): the same wiring as in Electron, without a window. It writes what
 * the app does as JSON lines on stdout (`{"fake":…}`) and takes commands as JSON lines on stdin:
 *
 *   {"cmd":"invoke","channel":…,"args":[…],"frameUrl"?:…}  call an ipcMain handler as the window
 *   {"cmd":"fetch","url":…}                                  ask the registered protocol handler
 *   {"cmd":"navigate","url":…}                               the page tries to navigate
 *   {"cmd":"open","url":…}                                   the page calls window.open
 *   {"cmd":"quit"}                                           app.quit()
 *
 * Only what main.ts, window.ts and menu.ts use is here.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

type Listener = (...args: unknown[]) => unknown;

function say(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ fake: true, ...record })}\n`);
}

class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let ready = false;
const paths = new Map<string, string>([['appData', path.join(os.homedir(), '.config')]]);

class App extends EventEmitter {
  private name = 'Electron';
  setName(n: string): void {
    this.name = n;
  }
  getName(): string {
    return this.name;
  }
  setPath(key: string, value: string): void {
    paths.set(key, value);
    say({ setPath: key, value, beforeReady: !ready });
  }
  getPath(key: string): string {
    const p = paths.get(key);
    if (p === undefined) throw new Error(`no path ${key}`);
    return p;
  }
  requestSingleInstanceLock(): boolean {
    say({ singleInstanceLock: true });
    return true;
  }
  whenReady(): Promise<void> {
    return new Promise((resolve) =>
      setTimeout(() => {
        ready = true;
        resolve();
      }, 20),
    );
  }
  quit(): void {
    const ev = new FakeEvent();
    this.emit('before-quit', ev);
    say({ quit: true, prevented: ev.defaultPrevented });
    if (!ev.defaultPrevented) this.exit(0);
  }
  exit(code: number): void {
    say({ exit: code });
    process.exit(code);
  }
}

export const app = new App();

let handler: ((req: Request) => Promise<Response> | Response) | undefined;
export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown): void {
    say({ registerSchemesAsPrivileged: schemes, beforeReady: !ready });
  },
  handle(scheme: string, fn: (req: Request) => Promise<Response> | Response): void {
    say({ protocolHandle: scheme });
    handler = fn;
  },
};

const handlers = new Map<string, Listener>();
export const ipcMain = {
  handle(channel: string, fn: Listener): void {
    handlers.set(channel, fn);
  },
  removeHandler(channel: string): void {
    handlers.delete(channel);
  },
};

class WebContents extends EventEmitter {
  url = '';
  private openHandler: ((d: { url: string }) => { action: string }) | undefined;
  send(channel: string, payload: { type?: string; phase?: string }): void {
    say({ send: channel, what: payload.type ?? payload.phase });
  }
  isDestroyed(): boolean {
    return false;
  }
  setWindowOpenHandler(fn: (d: { url: string }) => { action: string }): void {
    this.openHandler = fn;
  }
  tryOpen(url: string): string | undefined {
    return this.openHandler?.({ url }).action;
  }
}

const windows: BrowserWindow[] = [];
export class BrowserWindow extends EventEmitter {
  readonly webContents = new WebContents();
  constructor(readonly options: { webPreferences?: Record<string, unknown> }) {
    super();
    windows.push(this);
    say({ window: options.webPreferences });
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  static getAllWindows(): BrowserWindow[] {
    return windows;
  }
  loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    this.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    say({ loadURL: url });
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
  show(): void {}
}

export const Menu = {
  buildFromTemplate: (t: { label?: string; role?: string }[]) => t,
  setApplicationMenu(t: { label?: string; role?: string }[]): void {
    say({ menu: t.map((i) => i.label ?? i.role) });
  },
};
/** Electron's desktop notification: shown ones are reported (`notification: title`). */
export class Notification {
  static isSupported(): boolean {
    return true;
  }
  constructor(private readonly opts: { title: string; body?: string }) {}
  on(_event: string, _fn: () => void): this {
    return this;
  }
  show(): void {
    say({ notification: this.opts.title });
  }
}
export const dialog = {
  showErrorBox: (title: string, content: string) => say({ errorBox: content, title }),
};
export const shell = {
  openExternal: (url: string) => {
    say({ openExternal: url });
    return Promise.resolve();
  },
  openPath: (p: string) => Promise.resolve(p),
  showItemInFolder: () => undefined,
};
export const nativeTheme = { shouldUseDarkColors: false };
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (
      fn: (wc: unknown, p: string, cb: (ok: boolean) => void) => void,
    ) => fn(undefined, 'notifications', (granted) => say({ permissionRequest: granted })),
    setPermissionCheckHandler: (fn: () => boolean) => say({ permissionCheck: fn() }),
  },
};

interface Command {
  readonly cmd: string;
  readonly channel?: string;
  readonly args?: unknown[];
  readonly frameUrl?: string;
  readonly url?: string;
}

async function run(c: Command): Promise<void> {
  const win = windows[0];
  if (c.cmd === 'invoke') {
    const fn = handlers.get(c.channel ?? '');
    const event = {
      sender: win?.webContents,
      senderFrame: { url: c.frameUrl ?? win?.webContents.url ?? '', parent: null },
    };
    try {
      say({
        invoked: c.channel,
        result: fn === undefined ? 'no handler' : await fn(event, ...(c.args ?? [])),
      });
    } catch (e) {
      say({ invoked: c.channel, rejected: (e as Error).message });
    }
  } else if (c.cmd === 'fetch') {
    const res = await handler?.(new Request(c.url ?? ''));
    say({
      fetched: c.url,
      status: res?.status,
      type: res?.headers.get('content-type'),
      csp: res?.headers.get('content-security-policy'),
    });
  } else if (c.cmd === 'navigate') {
    const ev = new FakeEvent();
    win?.webContents.emit('will-navigate', ev, c.url);
    say({ navigate: c.url, prevented: ev.defaultPrevented });
  } else if (c.cmd === 'open') {
    say({ open: c.url, action: win?.webContents.tryOpen(c.url ?? '') });
  } else if (c.cmd === 'quit') {
    app.quit();
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  void run(JSON.parse(line) as Command);
});
