/**
 * The real desktop app under Playwright's Electron driver: the window opens on the start-up view,
 * the cluster (3 nodes, managed MariaDB) becomes ready, the app replaces the start-up view, the
 * window's security settings hold, and a task created through the UI commits.
 *
 * Needs an Electron binary and a display; without either it skips with the reason in its title
 * (docs/architecture.md §7: the binary cannot be downloaded on the build machines). Run it where Electron
 * exists, e.g. `ELECTRON_OVERRIDE_DIST_PATH=/opt/electron xvfb-run npx vitest run test/electron/electron-app.test.ts`
 * after `npm run build`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectron, realProbe } from '../../electron/find-electron.js';
import { killAllOf, processesOf } from '../supervisor/cli-harness.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = path.join(REPO, 'build', 'electron', 'main.js');
const UI = path.join(REPO, 'build', 'renderer', 'index.html');
const UI_MS = 90_000;

function skipReason(): string | undefined {
  const found = findElectron(realProbe());
  if (!found.ok) return `Electron cannot run here (${found.reason})`;
  if (!fs.existsSync(MAIN) || !fs.existsSync(UI)) return 'the app is not built: run npm run build';
  return undefined;
}

const reason = skipReason();
const TITLE = 'the desktop app starts its cluster and a task created in the window commits';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-electron-'));
const dataDir = path.join(tmp, 'cluster');
let app: ElectronApplication | undefined;

afterAll(async () => {
  await app?.close().catch(() => undefined);
  killAllOf(dataDir);
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function launch(executablePath: string): Promise<{ app: ElectronApplication; win: Page }> {
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(userData, { recursive: true });
  // Timers at 0.4× keep the test short; the data dir is thrown away afterwards.
  fs.writeFileSync(
    path.join(userData, 'settings.json'),
    JSON.stringify({ nodes: 3, slow: 0.4, dataDir }),
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.ELECTRON_RUN_AS_NODE;
  env.RAFTBOARD_USER_DATA = userData;
  const started = await _electron.launch({ executablePath, args: [MAIN], env, timeout: UI_MS });
  return { app: started, win: await started.firstWindow({ timeout: UI_MS }) };
}

describe('Electron', () => {
  if (reason !== undefined) {
    // The default reporter shows only a count of skipped tests: say why in one line.
    process.stderr.write(`electron-app.test.ts: skipped: ${reason}\n`);
    it.skip(`${TITLE} (skipped: ${reason})`, () => undefined);
    return;
  }

  it(TITLE, async () => {
    const found = findElectron(realProbe());
    if (!found.ok) throw new Error(found.reason);
    const launched = await launch(found.path);
    app = launched.app;
    const win = launched.win;
    expect(win.url()).toMatch(/^raftboard:\/\/app\/(_shell\/startup\.html|index\.html)$/);

    // The cluster becomes ready and the app replaces the start-up view.
    await win.waitForURL('raftboard://app/index.html', { timeout: UI_MS });

    // The security checklist, as the page sees it: no Node, only the bridge; CSP blocks eval;
    // navigation and new windows are refused.
    const page = await win.evaluate(() => {
      const g = globalThis as unknown as {
        require?: unknown;
        process?: unknown;
        raftboard?: object;
        eval(s: string): unknown;
        open(url: string): unknown;
        location: { href: string };
      };
      let evalResult = 'ran';
      try {
        g.eval('1');
      } catch {
        evalResult = 'blocked';
      }
      const opened = g.open('raftboard://app/index.html');
      g.location.href = 'file:///etc/passwd';
      return {
        require: typeof g.require,
        process: typeof g.process,
        bridge: Object.keys(g.raftboard ?? {}).sort(),
        evalResult,
        opened: opened === null,
      };
    });
    expect(page).toMatchObject({
      require: 'undefined',
      process: 'undefined',
      evalResult: 'blocked',
      opened: true,
    });
    expect(page.bridge).toContain('createTask');
    await new Promise((r) => setTimeout(r, 500));
    expect(win.url()).toBe('raftboard://app/index.html');
    expect(app.windows()).toHaveLength(1);

    // A task created through the UI commits.
    await win.getByRole('button', { name: 'New task' }).click();
    await win.getByLabel('Title').fill('Made in the desktop app');
    await win.getByRole('button', { name: 'Create task' }).click();
    await win
      .getByRole('list', { name: 'Recent changes' })
      .getByRole('listitem')
      .filter({ hasText: 'Made in the desktop app' })
      .filter({ hasText: /committed at index \d+/ })
      .first()
      .waitFor({ timeout: UI_MS });

    // Quitting stops every node and MariaDB before the app exits.
    await app.close();
    app = undefined;
    expect(processesOf(dataDir)).toEqual([]);
  });
});
