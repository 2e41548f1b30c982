/**
 * The application menu. Built from roles where Electron has one (the Edit roles are what make
 * copy and paste work in text fields on macOS), plus the app's own items. Only types come from
 * Electron, so the template is unit-tested without it.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  readonly isMac: boolean;
  readonly appName: string;
  /** Opens the cluster's data folder in the file manager. */
  openDataDir(): void;
  /** Shows settings.json in the file manager. */
  showSettingsFile(): void;
  /** Picks a .json or .csv file and hands it to the page to import. */
  importFile(): void;
  /** Asks the page to export the tasks (it saves the file through a download). */
  exportAs(format: 'json' | 'csv'): void;
}

export function menuTemplate(a: MenuActions): MenuItemConstructorOptions[] {
  const cluster: MenuItemConstructorOptions = {
    label: 'Cluster',
    submenu: [
      { label: 'Open Data Folder', click: () => a.openDataDir() },
      { label: 'Show Settings File', click: () => a.showSettingsFile() },
    ],
  };
  const quit: MenuItemConstructorOptions = { role: 'quit', label: `Quit ${a.appName}` };
  const transfer: MenuItemConstructorOptions[] = [
    { label: 'Import…', click: () => a.importFile() },
    { label: 'Export…', click: () => a.exportAs('json') },
    { label: 'Export as CSV…', click: () => a.exportAs('csv') },
  ];
  return [
    ...(a.isMac
      ? [
          {
            label: a.appName,
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              quit,
            ],
          } satisfies MenuItemConstructorOptions,
          { label: 'File', submenu: transfer } satisfies MenuItemConstructorOptions,
        ]
      : [
          {
            label: 'File',
            submenu: [...transfer, { type: 'separator' }, quit],
          } satisfies MenuItemConstructorOptions,
        ]),
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    cluster,
    { role: 'windowMenu' },
  ];
}
