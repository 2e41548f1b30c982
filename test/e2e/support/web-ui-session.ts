/**
 * One browser on one `npm run cluster` for a browser-test file (issue 5 §3): Debian's Chromium
 * driven by playwright-core against the CLI's web UI (node processes, managed MariaDB servers).
 * `useWebUi` starts both before the file's tests and stops them after; the file's tests then run
 * in order on the same page.
 *
 * Each file keeps its screenshots in its own folder under build/ (files run one after another,
 * and each empties its folder when it starts); RAFTBOARD_UPDATE_SCREENSHOTS=1 also copies the
 * ones a test names for the README to renderer/screenshots/. The node build must be current
 * (`npm test` builds it); the renderer is built here when build/renderer is missing or older than
 * its sources.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM } from '../../support/global-setup.js';
import { killAllOf, startCli, waitFor, type RunningCli } from '../../supervisor/cli-harness.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const README_SHOTS = path.join(REPO, 'renderer', 'screenshots');
/** The smallest window the app promises to fit (issue 5 §2). */
export const VIEWPORT = { width: 1024, height: 700 };
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Newest modification time under `p` (a file or a folder), 0 when absent. */
function newest(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const name of fs.readdirSync(p)) t = Math.max(t, newest(path.join(p, name)));
  return t;
}

/** Builds build/renderer when it is missing or older than what it is built from. */
export function ensureRendererBuilt(): void {
  const index = path.join(REPO, 'build', 'renderer', 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const sources = Math.max(
    ...['renderer/src', 'renderer/index.html', 'renderer/vite.config.ts', 'cluster/api'].map((p) =>
      newest(path.join(REPO, p)),
    ),
  );
  if (built > sources) return;
  execFileSync(
    process.execPath,
    [
      path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 },
  );
  if (!fs.existsSync(index)) throw new Error(`the renderer build did not write ${index}`);
}

export interface WebUiOptions {
  /** A short name: the temp dirs' prefix and the screenshots folder `build/<name>-screenshots`. */
  readonly name: string;
  /** `npm run cluster` arguments beyond `--data-dir` and `--port 0`. */
  readonly cliArgs: readonly string[];
  /** How long the UI gets to show an effect (a commit, an election, a catch-up). */
  readonly uiMs: number;
  /** A script run in the page before its own (e.g. a recorder of what the page shows). */
  readonly initScript?: string;
}

export interface WebUi {
  /** The running CLI (throws when it did not start). */
  cli(): RunningCli;
  page(): Page;
  /** False when the set-up failed: per-test set-up should then do nothing. */
  started(): boolean;
  /** Uncaught errors of the page (a test may add another page's). */
  readonly pageErrors: string[];
  /**
   * Saves build/<name>-screenshots/<file>.png of the page (or `opts.page`); with `readmeName`,
   * also the README's copy.
   */
  shot(
    file: string,
    readmeName?: string,
    opts?: { readonly page?: Page; readonly fullPage?: boolean },
  ): Promise<void>;
  /** A test that saves a screenshot when it fails, and fails on any uncaught error in the page. */
  test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
  /** Waits until `where` shows text matching `pattern`; returns that text. */
  waitForText(where: Locator, pattern: RegExp, what: string, ms?: number): Promise<string>;
  /** What scrolls sideways: the page, or any of the elements `boxes` selects. */
  overflowing(boxes: string): Promise<string[]>;
}

/** Call at the top level of a test file: the CLI and the browser for the file's tests. */
export function useWebUi(opts: WebUiOptions): WebUi {
  const shots = path.join(REPO, 'build', `${opts.name}-screenshots`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `raftboard-${opts.name}-`));
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `raftboard-${opts.name}-chromium-`));
  const pageErrors: string[] = [];
  let cli: RunningCli | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    fs.rmSync(shots, { recursive: true, force: true });
    fs.mkdirSync(shots, { recursive: true });
    ensureRendererBuilt();
    cli = startCli(['--data-dir', dataDir, '--port', '0', ...opts.cliArgs]);
    const [ready, browser] = await Promise.allSettled([
      cli.ready(),
      chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        headless: true,
        viewport: VIEWPORT,
        colorScheme: 'light',
        reducedMotion: 'reduce',
        timeout: 30_000,
      }),
    ]);
    if (browser.status === 'fulfilled') context = browser.value;
    if (ready.status === 'rejected') throw ready.reason;
    if (browser.status === 'rejected') throw browser.reason;
    if (context === undefined) throw new Error(`Chromium (${CHROMIUM}) did not start`);
    context.setDefaultTimeout(opts.uiMs);
    const p = context.pages()[0] ?? (await context.newPage());
    p.on('pageerror', (e) => pageErrors.push(e.message));
    if (opts.initScript !== undefined) await p.addInitScript(opts.initScript);
    await p.goto(`${cli.base}/?token=${encodeURIComponent(cli.token)}`);
    page = p;
  });

  afterAll(async () => {
    if (context !== undefined) {
      await Promise.race([context.close(), new Promise((r) => setTimeout(r, 10_000))]);
    }
    killAllOf(profileDir); // whatever Chromium left behind
    if (cli !== undefined && cli.child.exitCode === null) await cli.stop('SIGTERM');
    killAllOf(dataDir); // nodes and mariadbd, should the CLI have left any
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(profileDir, { recursive: true, force: true });
  });

  const ui: WebUi = {
    cli() {
      if (cli === undefined) throw new Error('the CLI did not start');
      return cli;
    },
    page() {
      if (page === undefined) throw new Error('the browser page did not open');
      return page;
    },
    started() {
      return cli !== undefined && cli.child.exitCode === null && page !== undefined;
    },
    pageErrors,
    async shot(file, readmeName, shotOpts = {}) {
      const out = path.join(shots, `${file}.png`);
      await (shotOpts.page ?? ui.page()).screenshot({ path: out, fullPage: shotOpts.fullPage });
      if (readmeName !== undefined && process.env.RAFTBOARD_UPDATE_SCREENSHOTS === '1') {
        fs.mkdirSync(README_SHOTS, { recursive: true });
        fs.copyFileSync(out, path.join(README_SHOTS, `${readmeName}.png`));
      }
    },
    test(name, fn, timeoutMs) {
      it(
        name,
        async () => {
          try {
            await fn();
          } catch (e) {
            const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
            await ui.shot(`failed-${slug}`).catch(() => undefined);
            throw e;
          }
          expect(pageErrors, 'uncaught errors in the page').toEqual([]);
        },
        timeoutMs,
      );
    },
    async waitForText(where, pattern, what, ms = opts.uiMs) {
      let last: string | null = null;
      try {
        return await waitFor(
          async () => {
            last = await where.textContent({ timeout: 1000 });
            return last !== null && pattern.test(last) ? last : undefined;
          },
          ms,
          what,
        );
      } catch (e) {
        throw new Error(`${(e as Error).message}; the text shown: ${JSON.stringify(last)}`);
      }
    },
    async overflowing(boxes) {
      const found: unknown = await ui.page().evaluate(`(() => {
        const bad = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) bad.push('the page scrolls sideways: ' + root.scrollWidth);
        for (const el of document.querySelectorAll(${JSON.stringify(boxes)})) {
          if (el.scrollWidth > el.clientWidth + 1) {
            const name = el.getAttribute('aria-label') || (el.textContent || '').slice(0, 40);
            bad.push(el.className + ' "' + name + '": ' + el.scrollWidth + ' > ' + el.clientWidth);
          }
        }
        return bad;
      })()`);
      return Array.isArray(found) ? found.map(String) : ['the overflow check returned nothing'];
    },
  };
  return ui;
}
