/**
 * `npm start` without an Electron binary (docs/contract.md §1): the launcher (build/electron/launch.js,
 * what `npm start` runs after building) says so in one line, then runs the headless cluster with
 * the web UI, which prints its ready line; SIGTERM stops every node and managed MariaDB.
 *
 * ELECTRON_OVERRIDE_DIST_PATH points at an empty folder, so no Electron is found (or downloaded)
 * even on a machine that has one. Needs the build (`npm test` builds first).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RunningCli, killAllOf, processesOf } from '../supervisor/cli-harness.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAUNCHER = path.join(REPO, 'build', 'electron', 'launch.js');
const NOTICE =
  /^Electron is not available \((.+)\): running the headless cluster with the web UI instead$/;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-launch-'));
const noElectron = fs.mkdtempSync(path.join(tmp, 'no-electron-'));
const dataDir = path.join(tmp, 'data');

function env(over: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...over };
  delete e.NODE_OPTIONS;
  delete e.RAFTBOARD_HEADLESS;
  return e;
}

afterAll(() => {
  killAllOf(dataDir);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm start without Electron', () => {
  it('says why in one line, runs the headless cluster, and stops it all on SIGTERM', async () => {
    expect(fs.existsSync(LAUNCHER), `${LAUNCHER}: run npm run build:node`).toBe(true);
    const child = spawn(
      process.execPath,
      [LAUNCHER, '--data-dir', dataDir, '--port', '0', '--nodes', '1', '--slow', '0.4'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: env({ DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: noElectron }),
      },
    );
    const cli = new RunningCli(child);
    await cli.ready(90_000);

    expect(cli.lines[0]).toMatch(NOTICE);
    expect(NOTICE.exec(cli.lines[0])?.[1]).toBe(
      `ELECTRON_OVERRIDE_DIST_PATH has no electron: ${noElectron}`,
    );
    expect(cli.lines.filter((l) => l.startsWith('Electron is not available'))).toHaveLength(1);
    expect(cli.lines.filter((l) => l.startsWith('Raftboard ready: '))).toHaveLength(1);

    // The web UI and its API answer.
    const page = await fetch(`${cli.base}/?token=${encodeURIComponent(cli.token)}`);
    expect(page.status).toBe(200);
    expect(await cli.write('made through the fallback')).toMatchObject({ servedBy: 1 });
    expect(processesOf(dataDir).length).toBeGreaterThanOrEqual(2); // the node and its MariaDB

    const exit = await cli.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(processesOf(dataDir)).toEqual([]);
  });

  it('without a display it falls back before looking for Electron at all', () => {
    const e = env({});
    delete e.DISPLAY;
    delete e.WAYLAND_DISPLAY;
    const r = spawnSync(process.execPath, [LAUNCHER, '--help'], { env: e, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(NOTICE);
    expect(lines[0]).toMatch(/no display/);
    expect(lines[1]).toMatch(/^usage: npm run cluster/);
  });
});
