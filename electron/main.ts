/**
 * The Electron main process: deliberately thin. It wires Electron to the parts that are tested
 * without it: the protocol (protocol.ts), the IPC helper and handlers (ipc.ts, handlers.ts), the
 * bridge host (host.ts), the cluster runner (runner.ts), the settings (settings.ts) and the menu
 * (menu.ts). Run by `npm start` through electron/launch.ts.
 *
 * Start: one instance, a window on the start-up view (raftboard://app/_shell/startup.html) that
 * shows the supervisor's progress, then the app (raftboard://app/index.html) once a leader
 * accepts writes. Quit: every node and managed MySQL is stopped before the process exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, Notification, app, dialog, ipcMain, protocol, shell } from 'electron';
// The preload is CommonJS (.cts) and nothing imports it at run time; this type-only import keeps
// it in this tsc program, so `npm run build:node` emits build/electron/preload.cjs and lint
// type-checks it.
import type {} from './preload.cjs';
import type { AppSettings, ShellNotification, StartupState } from '../cluster/api/bridge.js';
import { STARTUP_PUSH_CHANNEL } from './channels.js';
import { IMPORT_FILTERS, readImportFile, sendCommand } from './commands.js';
import { registerBridge, registerShell } from './handlers.js';
import { createHost } from './host.js';
import { createIpc } from './ipc.js';
import { menuTemplate } from './menu.js';
import { APP_SCHEME, APP_URL, STARTUP_URL, appMounts, serveAppRequest } from './protocol.js';
import { EventPusher } from './push.js';
import { ClusterRunner } from './runner.js';
import { SETTINGS_FILE, loadSettings, saveSettings } from './settings.js';
import { createMainWindow, denyPermissions, hardenContents } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // build/electron
const root = path.resolve(here, '..', '..');
const RENDERER_DIR = path.join(root, 'build', 'renderer');
// Compiled scripts of the start-up view first, then its HTML and CSS from the sources.
const SHELL_DIRS = [path.join(here, 'startup'), path.join(root, 'electron', 'startup')];
const PRELOAD = path.join(here, 'preload.cjs');

// Before `ready`, and before any await: a standard, secure scheme gets an origin, relative URLs,
// module scripts and a secure context, like https.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

app.setName('Raftboard');
// `electron build/electron/main.js` would otherwise keep its data under "Electron". Tests point
// RAFTBOARD_USER_DATA at a throwaway folder.
app.setPath(
  'userData',
  process.env.RAFTBOARD_USER_DATA ?? path.join(app.getPath('appData'), 'Raftboard'),
);

const log = (m: string): void => void process.stderr.write(`raftboard: ${m}\n`);

if (!app.requestSingleInstanceLock()) {
  // Another Raftboard owns the window and the cluster; it comes to the front (second-instance).
  app.quit();
} else {
  run();
}

function run(): void {
  let win: BrowserWindow | undefined;
  const settingsFile = path.join(app.getPath('userData'), SETTINGS_FILE);
  const loaded = loadSettings(settingsFile);
  let settings: AppSettings = loaded.settings;
  let settingsProblem = loaded.problem;
  const save = (next: AppSettings): AppSettings => {
    saveSettings(settingsFile, next);
    settings = next;
    settingsProblem = undefined;
    return next;
  };

  const runner: ClusterRunner = new ClusterRunner({
    settings: () => settings,
    settingsProblem: () => settingsProblem,
    settingsFile,
    defaultDataDir: path.join(app.getPath('userData'), 'cluster'),
    // The nodes run on Electron's own Node: the user need not have Node installed.
    execPath: process.execPath,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    onState: (state) => onState(state),
    onEvent: (event) => pusher.push(event),
  });
  const pusher = new EventPusher(
    () => win?.webContents,
    () => runner.replay(),
  );

  function onState(state: StartupState): void {
    if (win === undefined || win.isDestroyed()) return;
    win.webContents.send(STARTUP_PUSH_CHANNEL, state);
    if (state.phase === 'ready') {
      if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
        dialog.showErrorBox(
          'Raftboard',
          `The window's UI is not built (${RENDERER_DIR}): run npm run build:renderer.`,
        );
        return;
      }
      win.loadURL(APP_URL).catch((e: unknown) => log(`the app page: ${(e as Error).message}`));
    }
  }

  async function pickImport(): Promise<void> {
    if (win === undefined || win.isDestroyed()) return;
    const picked = await dialog.showOpenDialog(win, {
      title: 'Import tasks',
      properties: ['openFile'],
      filters: IMPORT_FILTERS,
    });
    const file = picked.filePaths[0];
    if (picked.canceled || file === undefined) return;
    try {
      sendCommand(win.webContents, readImportFile(file));
    } catch (e) {
      dialog.showErrorBox('Import', (e as Error).message);
    }
  }

  // Held until clicked or closed: a notification that is garbage-collected loses its click.
  const notifications = new Set<Notification>();
  function notify(n: ShellNotification): void {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title: n.title, body: n.body });
    notifications.add(note);
    note.on('click', () => {
      notifications.delete(note);
      if (win === undefined || win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.focus();
      sendCommand(win.webContents, { type: 'notification-click', tag: n.tag });
    });
    note.on('close', () => notifications.delete(note));
    note.show();
  }

  const ipc = createIpc({ ipcMain, trustedSender: () => win?.webContents, log });
  registerBridge(
    ipc,
    createHost({
      supervisor: () => runner.supervisor,
      onSlowChanged: (slow) => {
        // The factor is in force already; failing to remember it must not report a failure.
        try {
          save({ ...settings, slow });
        } catch (e) {
          log(`could not save the slow-motion factor: ${(e as Error).message}`);
        }
      },
    }),
    pusher,
  );
  registerShell(ipc, {
    getStartup: () => runner.state,
    getSettings: () => settings,
    saveSettings: save,
    retryStart: () => {
      void runner.retry();
      return runner.state;
    },
    quit: () => app.quit(),
    notify,
  });

  app.on('second-instance', () => {
    if (win === undefined || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));

  // The cluster belongs to the window: closing it quits (on macOS too), which stops the cluster.
  app.on('window-all-closed', () => app.quit());
  let quitting: Promise<void> | undefined;
  app.on('before-quit', (event) => {
    // Hold the quit until every node and managed MariaDB has stopped (a second quit, e.g. the
    // terminal's SIGINT after the launcher's, just waits for the same shutdown).
    event.preventDefault();
    quitting ??= runner
      .shutdown()
      .catch((e: unknown) => log(`stopping the cluster: ${(e as Error).message}`))
      .finally(() => {
        ipc.dispose();
        // app.exit skips before-quit: the cluster is already down.
        app.exit(0);
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  void app.whenReady().then(async () => {
    denyPermissions();
    const mounts = appMounts(RENDERER_DIR, SHELL_DIRS);
    protocol.handle(APP_SCHEME, (req) => serveAppRequest(req.method, req.url, mounts));
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          isMac: process.platform === 'darwin',
          appName: app.getName(),
          openDataDir: () => void shell.openPath(runner.state.dataDir),
          showSettingsFile: () => shell.showItemInFolder(settingsFile),
          importFile: () => void pickImport(),
          exportAs: (format) => sendCommand(win?.webContents, { type: 'export', format }),
        }),
      ),
    );
    win = createMainWindow(PRELOAD);
    win.webContents.on('did-start-navigation', (details) => {
      // A new document (load or reload) gets a new preload, which subscribes afresh.
      if (details.isMainFrame && !details.isSameDocument) pusher.reset();
    });
    win.on('closed', () => {
      win = undefined;
    });
    // The cluster starts whatever happens to the page: quitting must always find it to stop.
    win.loadURL(STARTUP_URL).catch((e: unknown) => log(`start-up view: ${(e as Error).message}`));
    await runner.start();
  });
}
