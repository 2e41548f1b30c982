/** The application menu template (Electron types only; no Electron needed). */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../electron/menu.js';

function flat(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [
    i,
    ...(Array.isArray(i.submenu) ? flat(i.submenu as MenuItemConstructorOptions[]) : []),
  ]);
}

describe('menuTemplate', () => {
  it.each([true, false])('has quit, the edit roles and the cluster items (mac: %s)', (isMac) => {
    const opened: string[] = [];
    const items = flat(
      menuTemplate({
        isMac,
        appName: 'Raftboard',
        openDataDir: () => opened.push('data'),
        showSettingsFile: () => opened.push('settings'),
        importFile: () => opened.push('import'),
        exportAs: (f) => opened.push(`export ${f}`),
      }),
    );
    const roles = items.map((i) => i.role).filter((r) => r !== undefined);
    for (const r of ['quit', 'undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'reload']) {
      expect(roles).toContain(r);
    }
    expect(items.filter((i) => i.role === 'quit')).toHaveLength(1);
    for (const label of [
      'Open Data Folder',
      'Show Settings File',
      'Import…',
      'Export…',
      'Export as CSV…',
    ]) {
      const item = items.find((i) => i.label === label);
      (item?.click as () => void)();
    }
    expect(opened).toEqual(['data', 'settings', 'import', 'export json', 'export csv']);
    expect(items.some((i) => i.label === 'Raftboard')).toBe(isMac);
  });
});
