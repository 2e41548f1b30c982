/** The launcher's decision: run Electron, try to download it, or fall back to the web UI. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  downloadFailure,
  findElectron,
  platformExecutable,
  type ElectronProbe,
} from '../../electron/find-electron.js';

const PKG = '/app/node_modules/electron';

function probe(
  over: Partial<ElectronProbe> & { files?: Record<string, string> } = {},
): ElectronProbe {
  const files = over.files ?? {};
  return {
    env: { DISPLAY: ':0' },
    packageDir: PKG,
    platform: 'linux',
    readFile: (f) => files[f],
    exists: (f) => f in files,
    ...over,
  };
}

const downloaded = {
  [path.join(PKG, 'path.txt')]: 'electron',
  [path.join(PKG, 'dist', 'electron')]: '',
};

describe('findElectron', () => {
  it('uses the downloaded binary the package recorded', () => {
    expect(findElectron(probe({ files: downloaded }))).toEqual({
      ok: true,
      path: path.join(PKG, 'dist', 'electron'),
    });
  });

  it('offers the download when the package has no binary yet', () => {
    expect(findElectron(probe())).toEqual({
      ok: false,
      reason: 'its binary is not downloaded',
      canDownload: true,
    });
  });

  it('does not download when ELECTRON_SKIP_BINARY_DOWNLOAD is set', () => {
    const r = findElectron(probe({ env: { DISPLAY: ':0', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } }));
    expect(r).toMatchObject({ ok: false, canDownload: false });
  });

  it('falls back when the package is not installed', () => {
    expect(findElectron(probe({ packageDir: undefined }))).toMatchObject({
      ok: false,
      reason: 'the electron package is not installed',
      canDownload: false,
    });
  });

  it('ELECTRON_OVERRIDE_DIST_PATH wins, and is never second-guessed with a download', () => {
    const env = { DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' };
    expect(findElectron(probe({ env, files: { '/opt/electron/electron': '' } }))).toEqual({
      ok: true,
      path: '/opt/electron/electron',
    });
    expect(findElectron(probe({ env }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('/opt/electron'),
      canDownload: false,
    });
  });

  it('on Linux without a display it falls back before looking for a binary', () => {
    expect(findElectron(probe({ env: {}, files: downloaded }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no display/),
      canDownload: false,
    });
    expect(
      findElectron(probe({ env: { WAYLAND_DISPLAY: 'wayland-0' }, files: downloaded })),
    ).toMatchObject({ ok: true });
  });

  it('RAFTBOARD_HEADLESS=1 asks for the web UI', () => {
    expect(
      findElectron(probe({ env: { DISPLAY: ':0', RAFTBOARD_HEADLESS: '1' }, files: downloaded })),
    ).toMatchObject({
      ok: false,
      canDownload: false,
    });
  });

  it('knows each platform’s executable', () => {
    expect(platformExecutable('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
    expect(platformExecutable('win32')).toBe('electron.exe');
    expect(platformExecutable('linux')).toBe('electron');
    const mac = {
      [path.join(PKG, 'path.txt')]: 'Electron.app/Contents/MacOS/Electron',
      [path.join(PKG, 'dist', 'Electron.app/Contents/MacOS/Electron')]: '',
    };
    expect(findElectron(probe({ platform: 'darwin', env: {}, files: mac }))).toMatchObject({
      ok: true,
    });
  });
});

describe('downloadFailure', () => {
  it('keeps the line that names the error, not the stack', () => {
    const out =
      'Downloading...\nTypeError: fetch failed\n    at node:internal/deps/undici:1\n    at async x\n';
    expect(downloadFailure(out)).toBe('TypeError: fetch failed');
    expect(downloadFailure('')).toBe('no output');
    expect(downloadFailure(`Error: ${'x'.repeat(300)}`)).toHaveLength(160);
  });
});
