/**
 * Where is the Electron binary, if there is one? The `electron` npm package ships no binary: it
 * downloads one on first use (node_modules/electron/install.js) and records its path in
 * `path.txt`; `ELECTRON_OVERRIDE_DIST_PATH` points at an Electron the user already has.
 *
 * We never `require('electron')` to find out: that starts the download with its output on the
 * terminal, and docs/contract.md §1 wants one line when Electron cannot be had. The file system is
 * injected so the decision is unit-tested.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

export interface ElectronProbe {
  readonly env: NodeJS.ProcessEnv;
  /** node_modules/electron, or undefined when the package is not installed. */
  readonly packageDir: string | undefined;
  readonly platform: NodeJS.Platform;
  readonly readFile: (file: string) => string | undefined;
  readonly exists: (file: string) => boolean;
}

export type ElectronFound =
  | { readonly ok: true; readonly path: string }
  | {
      readonly ok: false;
      /** Why not, for the one-line notice. */
      readonly reason: string;
      /** True when running the package's own installer could fetch the binary. */
      readonly canDownload: boolean;
    };

/** The executable inside an Electron dist folder (what the package's install.js writes). */
export function platformExecutable(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

export function findElectron(p: ElectronProbe): ElectronFound {
  if (p.env.RAFTBOARD_HEADLESS === '1') {
    return { ok: false, reason: 'RAFTBOARD_HEADLESS=1 is set', canDownload: false };
  }
  // Electron on Linux needs X11 or Wayland; over SSH or in CI there is neither, and downloading
  // a binary that cannot open a window helps nobody.
  if (p.platform === 'linux' && !p.env.DISPLAY && !p.env.WAYLAND_DISPLAY) {
    return {
      ok: false,
      reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset',
      canDownload: false,
    };
  }
  const recorded =
    p.packageDir === undefined ? undefined : p.readFile(path.join(p.packageDir, 'path.txt'));
  const executable = recorded?.trim() || platformExecutable(p.platform);
  const override = p.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override !== undefined && override !== '') {
    const file = path.join(override, executable);
    return p.exists(file)
      ? { ok: true, path: file }
      : {
          ok: false,
          reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${executable}: ${override}`,
          canDownload: false,
        };
  }
  if (p.packageDir === undefined) {
    return { ok: false, reason: 'the electron package is not installed', canDownload: false };
  }
  const file = path.join(p.packageDir, 'dist', executable);
  if (recorded !== undefined && p.exists(file)) return { ok: true, path: file };
  if (
    p.env.ELECTRON_SKIP_BINARY_DOWNLOAD !== undefined &&
    p.env.ELECTRON_SKIP_BINARY_DOWNLOAD !== ''
  ) {
    return {
      ok: false,
      reason: 'its binary is not downloaded and ELECTRON_SKIP_BINARY_DOWNLOAD is set',
      canDownload: false,
    };
  }
  return { ok: false, reason: 'its binary is not downloaded', canDownload: true };
}

/** node_modules/electron as Node would resolve it from here, or undefined. */
export function electronPackageDir(from: string = import.meta.url): string | undefined {
  try {
    return path.dirname(createRequire(from).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

export function realProbe(env: NodeJS.ProcessEnv = process.env): ElectronProbe {
  return {
    env,
    packageDir: electronPackageDir(),
    platform: process.platform,
    readFile: (f) => {
      try {
        return fs.readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: (f) => fs.existsSync(f),
  };
}

/** The last line of the installer's output that says what went wrong. */
export function downloadFailure(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '));
  const line = lines.findLast((l) => /error/i.test(l)) ?? lines.at(-1) ?? 'no output';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
