/**
 * The Metrics tab, the slow-motion slider and the window's themes in a real browser (issue 5 §2):
 * Debian's Chromium driven by playwright-core against `npm run cluster` (3 node processes, 3
 * managed MariaDB servers), set up like web-ui.test.ts. The charts are canvases, so what they
 * draw is checked in their pixels; their numbers are checked in the summaries beside them.
 *
 * Screenshots of every tab at 1024×700, light and dark, go to build/e2e-metrics-screenshots/;
 * RAFTBOARD_UPDATE_SCREENSHOTS=1 also copies the Metrics one to renderer/screenshots/metrics.png
 * for the README. The node build must be current (`npm test` builds it); the renderer is built
 * here when build/renderer is missing or older than its sources.
 */
import type { Locator, Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect } from 'vitest';
import { waitFor, type RunningCli } from '../supervisor/cli-harness.js';
import { useWebUi } from './support/web-ui-session.js';

/** How long the UI gets to show a commit or an election. */
const UI_MS = 20_000;
/** The cluster's own factor: 20 ms Raft ticks (the defaults are 25 ms), as in web-ui.test.ts. */
const BASE_SLOW = 0.8;
const TABS = ['Tasks', 'Cluster', 'Metrics', 'Lessons'] as const;

const ui = useWebUi({ name: 'e2e-metrics', cliArgs: ['--slow', String(BASE_SLOW)], uiMs: UI_MS });
let page: Page;
const theCli = (): RunningCli => ui.cli();
const uiTest = ui.test;
const waitForText = ui.waitForText;
const shot = ui.shot;

beforeAll(async () => {
  page = ui.page();
  await waitForText(health(), /^leader node \d/, 'the header to show a leader');
});

beforeEach(async () => {
  if (!ui.started()) return;
  await page.emulateMedia({ colorScheme: 'light' });
  if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
});

function health(): Locator {
  return page.getByRole('status', { name: 'Cluster health' });
}

function figure(title: string): Locator {
  return page.getByRole('figure', { name: title, exact: true });
}

function summary(title: string): Locator {
  return figure(title).locator('.metric-summary');
}

async function tab(name: (typeof TABS)[number]): Promise<void> {
  const t = page.getByRole('tab', { name });
  await t.click();
  expect(await t.getAttribute('aria-selected')).toBe('true');
}

/** Entries the Throughput summary says were committed in its window. */
async function entriesShown(): Promise<number> {
  const m = /(\d+) entr(?:y|ies) committed in the last/.exec(
    (await summary('Throughput').textContent()) ?? '',
  );
  if (m === null) throw new Error('no entry count in the Throughput summary');
  return Number(m[1]);
}

interface Ink {
  /** Pixels of the colour. */
  readonly count: number;
  /** The highest such pixel, as a fraction of the canvas height from the top (1: none). */
  readonly top: number;
}

/**
 * How much of a theme colour (a CSS variable, e.g. `--accent`) the chart in `title`'s figure
 * has drawn, and how high up. Axes and grid use other colours, so this is the data's ink.
 */
async function ink(title: string, variable: string): Promise<Ink> {
  const canvas = figure(title).locator('canvas').first();
  await canvas.waitFor();
  // A script in a string: the root tsconfig has no DOM types (this runs in the page).
  const r: unknown = await page.evaluate(`(() => {
    const fig = [...document.querySelectorAll('figure')].find(
      (f) => f.querySelector('h2')?.textContent === ${JSON.stringify(title)},
    );
    const c = fig?.querySelector('canvas');
    const css = getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(variable)}).trim();
    const probe = document.createElement('canvas').getContext('2d');
    const ctx = c?.getContext('2d');
    if (!probe || !ctx) return null;
    probe.fillStyle = css;
    probe.fillRect(0, 0, 1, 1);
    const [r0, g0, b0] = probe.getImageData(0, 0, 1, 1).data;
    const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
    let count = 0;
    let top = height;
    for (let i = 0; i < data.length; i += 4) {
      const near = Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0);
      if (data[i + 3] > 200 && near < 60) {
        count++;
        top = Math.min(top, Math.floor(i / 4 / width));
      }
    }
    return { count, top: top / height };
  })()`);
  if (r === null || typeof r !== 'object') throw new Error(`cannot read the ${title} canvas`);
  return r as Ink;
}

/** Elements at 1024×700 whose content is wider than they are, and a sideways-scrolling page. */
/** What scrolls sideways at 1024×700. */
function overflowing(): Promise<string[]> {
  return ui.overflowing(
    '.app-header, .tabs, .app-main, .toolbar, .metrics-top, .metric, .slow-motion, .node-card, .timeline',
  );
}

async function createFromUi(title: string): Promise<void> {
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByRole('button', { name: 'Create task' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

async function createByApi(title: string): Promise<void> {
  const r = await theCli().api(
    'POST',
    '/api/tasks',
    { title },
    {
      'idempotency-key': title.replace(/[^A-Za-z0-9]+/g, '-'),
    },
  );
  expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
}

// ---------------------------------------------------------------------------------------------

describe('the Metrics tab of a 3-node cluster, in Chromium', () => {
  uiTest('charts commits, this window’s write latency and the elections', async () => {
    // Two writes from this window, so it has latencies of its own to chart.
    await tab('Tasks');
    for (const title of ['Measure me', 'Measure me too']) await createFromUi(title);
    await waitForText(health(), /3\/3 up$/, 'both writes committed (nothing pending)');

    await tab('Metrics');
    await figure('Throughput').waitFor();
    await waitForText(
      summary('Commit latency'),
      /^Median \d+ ms, max \d+ ms from sent to committed, over 2 writes from this window/,
      'the latency of the two writes',
    );
    const before = await entriesShown();

    // Writes from another client while the tab is open: the rate rises above zero, live.
    let n = 0;
    const rate = await waitFor(
      async () => {
        await createByApi(`Metrics load ${++n}`);
        const m = /^([\d.]+) entries\/s committed/.exec(
          (await summary('Throughput').textContent()) ?? '',
        );
        return m !== null && Number(m[1]) > 0 ? Number(m[1]) : undefined;
      },
      UI_MS,
      'the throughput summary to rise above 0 entries/s',
    );
    expect(rate).toBeGreaterThan(0);
    await waitFor(
      async () => (await entriesShown()) >= before + n,
      UI_MS,
      `at least ${n} more entries counted`,
    );

    // The line rose off the floor of its chart: the canvas shows the commits, not just axes.
    const line = await waitFor(
      async () => {
        const i = await ink('Throughput', '--accent');
        return i.count > 20 && i.top < 0.5 ? i : undefined;
      },
      UI_MS,
      'the throughput line to rise in its canvas',
    );
    expect(line.top).toBeLessThan(0.5);
    // Latencies are points (one per second with writes); the max is drawn over the median.
    expect((await ink('Commit latency', '--pending')).count).toBeGreaterThan(0);

    // The elections summary names the cluster's own leader and term.
    const status = await theCli().cluster();
    await waitForText(
      summary('Elections'),
      new RegExp(`^Term ${status.term}, leader node ${status.leaderId}\\. [1-9]\\d* elections? in`),
      'the elections summary',
    );
    await shot('metrics', 'metrics');
  });

  uiTest('every tab fits 1024×700, light and dark (screenshots saved)', async () => {
    const backgrounds = new Map<string, string>();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const name of TABS) {
        await tab(name);
        if (name === 'Metrics') await figure('Throughput').locator('canvas').first().waitFor();
        if (name === 'Tasks') await page.getByRole('button', { name: 'New task' }).waitFor();
        expect(await overflowing(), `${name}, ${scheme}`).toEqual([]);
        // The tabs and the main control of each view are on screen, not scrolled away.
        for (const t of TABS)
          expect(await page.getByRole('tab', { name: t }).isVisible()).toBe(true);
        await shot(`${name.toLowerCase()}-${scheme}`);
      }
      backgrounds.set(
        scheme,
        String(await page.evaluate('getComputedStyle(document.body).backgroundColor')),
      );
      // The charts follow the theme: drawn in this scheme's accent colour.
      await tab('Metrics');
      expect((await ink('Throughput', '--accent')).count, scheme).toBeGreaterThan(20);
    }
    expect(backgrounds.get('light')).not.toBe(backgrounds.get('dark'));
  });

  uiTest(
    'the slow-motion slider sets every Raft timer’s factor on the cluster',
    async () => {
      await tab('Metrics');
      const tickBefore = (await theCli().cluster()).nodes[0]?.tickMs ?? 0;
      expect(tickBefore).toBeGreaterThan(0);
      const slider = page.getByRole('slider', { name: 'Slow motion' });
      expect(await slider.getAttribute('aria-valuetext')).toBe(
        `${BASE_SLOW}× (faster than normal)`,
      );
      await slider.fill('2'); // the third step: 1, 2, 5, 10, 20
      expect(await slider.getAttribute('aria-valuetext')).toBe('5× slower');
      await waitFor(
        async () => (await theCli().cluster()).slow === 5,
        UI_MS,
        'GET /api/cluster to report slow 5',
      );
      // The nodes restart one by one at the new pace; the window says so, then shows the factor.
      await waitForText(
        page.getByRole('group', { name: 'Slow motion' }).locator('output'),
        /^Raft timers 5× slower$/,
        'the slider to show the cluster’s factor',
      );
      await page.getByText(/^Setting 5×/).waitFor({ state: 'detached', timeout: 120_000 });
      expect(await page.getByRole('alert').count()).toBe(0);
      // Every node runs with the stretched tick once it is back.
      await waitFor(
        async () =>
          (await theCli().cluster()).nodes.every(
            (node) => node.status === 'running' && node.tickMs === (tickBefore * 5) / BASE_SLOW,
          ),
        UI_MS,
        `every node to tick every ${(tickBefore * 5) / BASE_SLOW} ms`,
      );

      // Back to the pace the other tests expect.
      const r = await theCli().api('PUT', '/api/slow', { factor: BASE_SLOW });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect((await theCli().cluster()).slow).toBe(BASE_SLOW);
    },
    240_000,
  );
});
