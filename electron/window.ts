/**
 * The window and the rules every web page of the app lives under (Electron's security
 * checklist): an isolated, sandboxed renderer without Node, our preload as its only bridge, no
 * navigation, no new windows, no <webview>, no permissions. See electron/README.md.
 */
import {
  BrowserWindow,
  nativeTheme,
  session,
  shell,
  type Session,
  type WebContents,
} from 'electron';
import { externalUrl } from './protocol.js';

export function createMainWindow(preload: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    // docs/architecture.md §5: usable at 1024×700.
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'Raftboard',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15181d' : '#ffffff',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // A file dropped on the board must not replace the app with that file.
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}

/** https links open in the user's browser; nothing ever opens or navigates inside the app. */
function openOutside(url: string): void {
  const safe = externalUrl(url);
  if (safe !== undefined) void shell.openExternal(safe);
}

/**
 * For every webContents the app creates (the window, DevTools): pages change only when the main
 * process loads one. Programmatic loadURL does not raise will-navigate, so denying it costs us
 * nothing and stops links, form posts, window.location and drag-and-drop.
 */
export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openOutside(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
}

/** No camera, microphone, notifications, geolocation, …: the app needs none. */
export function denyPermissions(s: Session = session.defaultSession): void {
  s.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
}
