/**
 * The web UI in a real browser (issue 5 §3): Debian's Chromium driven by playwright-core against
 * `npm run cluster` (3 node processes, 3 managed MariaDB servers). Controls are found by role and
 * accessible name, the way a screen reader finds them; what the UI shows is checked against the
 * control API. One cluster and one browser for the file: the tests run in order, and each starts
 * from every node running and the network healed.
 *
 * Screenshots of the main views go to build/e2e-screenshots/ (plus one of the page when a test
 * fails). RAFTBOARD_UPDATE_SCREENSHOTS=1 also copies the views to renderer/screenshots/ for the
 * README. The node build must be current (`npm test` builds it); the renderer is built here when
 * build/renderer is missing or older than its sources.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TaskListResponse } from '../../cluster/api/node.js';
import type { Task, TaskInput } from '../../cluster/api/task.js';
import { CHROMIUM } from '../support/global-setup.js';
import { killAllOf, startCli, waitFor, type RunningCli } from '../supervisor/cli-harness.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = path.join(REPO, 'build', 'e2e-screenshots');
const README_SHOTS = path.join(REPO, 'renderer', 'screenshots');
const VIEWPORT = { width: 1024, height: 700 };
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** How long the UI gets to show a commit, an election, a catch-up. */
const UI_MS = 20_000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-e2e-'));
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-e2e-chromium-'));
let cli: RunningCli | undefined;
let context: BrowserContext | undefined;
let page: Page;
const pageErrors: string[] = [];

// ---------------------------------------------------------------------------------------------
// Set-up

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
function ensureRendererBuilt(): void {
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

/**
 * Records every text the changes panel shows, in order, so a test can tell that a change was
 * seen pending before it was seen committed (the commit can land within milliseconds).
 */
const RECORDER = `(() => {
  const seen = [];
  window.__raftboardSeen = seen;
  const record = () => {
    for (const li of document.querySelectorAll('[aria-label="Recent changes"] > li')) {
      const t = li.textContent || '';
      if (!seen.includes(t)) seen.push(t);
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
  });
})()`;

function theCli(): RunningCli {
  if (cli === undefined) throw new Error('the CLI did not start');
  return cli;
}

/** Every member running, every MySQL up, the network healed: one failure does not cascade. */
async function everyNodeRunning(): Promise<void> {
  const c = theCli();
  for (const n of (await c.cluster()).nodes) {
    if (n.status === 'paused') await c.api('POST', `/api/nodes/${n.id}/resume`);
    else if (n.status === 'stopped' || n.status === 'crashed') {
      await c.api('POST', `/api/nodes/${n.id}/start`);
    }
    if (n.mysql.server === 'stopped') await c.api('POST', `/api/nodes/${n.id}/mysql/start`);
  }
  if ((await c.cluster()).network.partitions.length > 0) await c.api('DELETE', '/api/network');
  await waitFor(
    async () => {
      const s = await c.cluster();
      return s.leaderId !== 0 && s.nodes.every((n) => n.status === 'running');
    },
    UI_MS,
    'every node running under a leader',
  );
}

beforeAll(async () => {
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  ensureRendererBuilt();
  // `--slow 0.4`: Raft timers 2.5× faster than the defaults, so elections take a second or so.
  cli = startCli(['--data-dir', dataDir, '--port', '0', '--slow', '0.4', '--nodes', '3']);
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
  context.setDefaultTimeout(UI_MS);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript(RECORDER);
  await page.goto(`${cli.base}/?token=${encodeURIComponent(cli.token)}`);
  await waitForText(health(), /^leader node \d/, 'the header to show a leader');
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

beforeEach(async () => {
  if (cli === undefined || cli.child.exitCode !== null || context === undefined) return;
  await everyNodeRunning();
  // A dialog left open by a failed test would own the keyboard.
  if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
});

/** A test that saves a screenshot when it fails, and fails on any uncaught error in the page. */
function uiTest(name: string, fn: () => Promise<void>): void {
  it(name, async () => {
    try {
      await fn();
    } catch (e) {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await shot(`failed-${slug}`).catch(() => undefined);
      throw e;
    }
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });
}

// ---------------------------------------------------------------------------------------------
// What the page shows

function health(): Locator {
  return page.getByRole('status', { name: 'Cluster health' });
}

function summary(): Locator {
  return page.getByRole('status', { name: 'Cluster summary' });
}

function nodeCard(id: number): Locator {
  return page.getByRole('article', { name: `Node ${id}`, exact: true });
}

/** A fact of a node card's definition list (`Leader`, `Commit`, …). */
function fact(id: number, term: string): Locator {
  return nodeCard(id)
    .locator('dt', { hasText: new RegExp(`^${term}$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/** The commit index a node's log strip reports (its accessible name). */
async function commitShown(id: number): Promise<number> {
  const bar = page.getByRole('img', { name: new RegExp(`^Log of node ${id}:`) });
  const m = /, commit (\d+),/.exec((await bar.getAttribute('aria-label')) ?? '');
  if (m === null) throw new Error(`no commit index in node ${id}'s log strip`);
  return Number(m[1]);
}

function listRow(title: string): Locator {
  return page
    .getByRole('list', { name: 'Tasks', exact: true })
    .getByRole('listitem')
    .filter({ hasText: title });
}

function boardCard(title: string): Locator {
  return page.getByRole('article', { name: title, exact: true });
}

function column(label: string): Locator {
  return page.getByRole('list', { name: `${label} tasks`, exact: true });
}

/** The newest entry of the changes panel that starts with `what` (e.g. `Create “Buy milk”`). */
function changeItem(what: string): Locator {
  return page
    .getByRole('list', { name: 'Recent changes' })
    .getByRole('listitem')
    .filter({ hasText: what })
    .first();
}

async function waitForText(where: Locator, pattern: RegExp, what: string): Promise<string> {
  let last: string | null = null;
  try {
    return await waitFor(
      async () => {
        last = await where.textContent({ timeout: 1000 });
        return last !== null && pattern.test(last) ? last : undefined;
      },
      UI_MS,
      what,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; the text shown: ${JSON.stringify(last)}`);
  }
}

async function tab(name: 'Tasks' | 'Cluster'): Promise<void> {
  const t = page.getByRole('tab', { name });
  await t.click();
  expect(await t.getAttribute('aria-selected')).toBe('true');
}

async function view(name: 'List' | 'Board'): Promise<void> {
  const b = page.getByRole('group', { name: 'View' }).getByRole('button', { name });
  await b.click();
  expect(await b.getAttribute('aria-pressed')).toBe('true');
}

/** The leader the cluster view names (other than `not`), once it names one. */
async function leaderShown(not?: number): Promise<{ id: number; term: number }> {
  return waitFor(
    async () => {
      const m = /^Leader: node (\d+), term (\d+)\./.exec((await summary().textContent()) ?? '');
      if (m === null || Number(m[1]) === not) return undefined;
      return { id: Number(m[1]), term: Number(m[2]) };
    },
    UI_MS,
    not === undefined ? 'the cluster view to name a leader' : `a leader other than node ${not}`,
  );
}

interface Committed {
  readonly index: number;
  readonly term: number;
  readonly node: number;
}

/**
 * Waits for the change `what` to show committed in the changes panel, checks it was shown
 * pending before, and returns where it committed.
 */
async function seenPendingThenCommitted(what: string): Promise<Committed> {
  const text = await waitForText(
    changeItem(what),
    /committed at index \d+ \(term \d+, node \d+\)/,
    `“${what}” to show committed`,
  );
  const m = /committed at index (\d+) \(term (\d+), node (\d+)\)/.exec(text);
  if (m === null) throw new Error(`unreadable commit: ${text}`);
  const committed = { index: Number(m[1]), term: Number(m[2]), node: Number(m[3]) };

  const seen: unknown = await page.evaluate('window.__raftboardSeen');
  if (!Array.isArray(seen)) throw new Error('the change recorder is not installed');
  const texts = seen.filter((s): s is string => typeof s === 'string' && s.startsWith(what));
  const pending = texts.findIndex((s) => s.slice(what.length).startsWith('pending'));
  const done = texts.findIndex((s) => s.includes(`committed at index ${committed.index} `));
  expect(pending, `“${what}” shown pending; seen: ${JSON.stringify(texts)}`).toBeGreaterThanOrEqual(
    0,
  );
  expect(pending, `pending before committed; seen: ${JSON.stringify(texts)}`).toBeLessThan(done);
  return committed;
}

async function createFromUi(input: {
  title: string;
  priority?: 'Low' | 'Medium' | 'High';
  dueDate?: string;
}): Promise<void> {
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByLabel('Title').fill(input.title);
  if (input.priority !== undefined) {
    await dialog.getByLabel('Priority').selectOption({ label: input.priority });
  }
  if (input.dueDate !== undefined) await dialog.getByLabel('Due date').fill(input.dueDate);
  await dialog.getByRole('button', { name: 'Create task' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** The task as the cluster holds it (a linearizable read through the control API). */
async function taskInCluster(title: string): Promise<Task | undefined> {
  const r = await theCli().api<TaskListResponse>('GET', '/api/tasks?limit=10000');
  if (r.status !== 200) throw new Error(`GET /api/tasks: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.tasks.find((t) => t.title === title);
}

async function mustExist(title: string): Promise<Task> {
  const t = await taskInCluster(title);
  if (t === undefined) throw new Error(`“${title}” is not in the cluster`);
  return t;
}

/** Elements at 1024×700 whose content is wider than they are (cut-off buttons, clipped text). */
async function overflowing(): Promise<string[]> {
  const found: unknown = await page.evaluate(`(() => {
    const bad = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) bad.push('the page scrolls sideways: ' + root.scrollWidth);
    const boxes = '.app-header, .toolbar, .task-row, .card, .changes, .node-card, .partition-editor, .timeline, .dialog';
    for (const el of document.querySelectorAll(boxes)) {
      if (el.scrollWidth > el.clientWidth + 1) {
        const name = el.getAttribute('aria-label') || (el.textContent || '').slice(0, 40);
        bad.push(el.className + ' "' + name + '": ' + el.scrollWidth + ' > ' + el.clientWidth);
      }
    }
    return bad;
  })()`);
  return Array.isArray(found) ? found.map(String) : ['the overflow check returned nothing'];
}

async function shot(name: string, readme = false): Promise<void> {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (readme && process.env.RAFTBOARD_UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(README_SHOTS, { recursive: true });
    fs.copyFileSync(file, path.join(README_SHOTS, `${name}.png`));
  }
}

function isoDay(daysFromNow: number): string {
  return new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------

describe('the web UI of a 3-node cluster, in Chromium', () => {
  uiTest(
    'creates, edits, moves on the board and deletes a task, each shown pending then committed at its log index',
    async () => {
      await tab('Tasks');
      await view('List');
      const title = 'Draft the replication chapter';
      const due = isoDay(14);
      await createFromUi({ title, priority: 'High', dueDate: due });
      const created = await seenPendingThenCommitted(`Create “${title}”`);
      const row = listRow(title);
      await waitForText(
        row,
        new RegExp(`committed at index ${created.index}(?!\\d)`),
        'the row badge',
      );
      expect(await row.textContent()).toContain(`due ${due}`);
      const stored = await mustExist(title);
      expect(stored).toMatchObject({
        raftIndex: created.index,
        priority: 'high',
        dueDate: due,
        status: 'todo',
        version: 1,
      });

      // Edit: any Unicode is kept exactly.
      const renamed = 'Explain Figure 8 — “replicated” ≠ “committed” ✓';
      await row.getByRole('button', { name: `Edit “${title}”` }).click();
      const dialog = page.getByRole('dialog', { name: `Edit “${title}”` });
      await dialog.getByLabel('Title').fill(renamed);
      await dialog.getByRole('button', { name: 'Save changes' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const edited = await seenPendingThenCommitted(`Edit “${title}”`);
      expect(edited.index).toBeGreaterThan(created.index);
      await waitForText(
        listRow(renamed),
        new RegExp(`committed at index ${edited.index}(?!\\d)`),
        'the renamed row',
      );
      expect(await listRow(title).count()).toBe(0);
      expect(await mustExist(renamed)).toMatchObject({
        id: stored.id,
        raftIndex: edited.index,
        version: 2,
      });

      // Board: drag the card to "In progress", then move it with its select (the keyboard way).
      await view('Board');
      const card = boardCard(renamed);
      expect(await column('To do').getByRole('article', { name: renamed }).count()).toBe(1);
      await card.dragTo(page.getByRole('region', { name: /^In progress/ }));
      const dragged = await seenPendingThenCommitted(`Move “${renamed}” to In progress`);
      expect(dragged.index).toBeGreaterThan(edited.index);
      await column('In progress').getByRole('article', { name: renamed }).waitFor();
      expect(await mustExist(renamed)).toMatchObject({
        status: 'in_progress',
        raftIndex: dragged.index,
      });

      await card.getByRole('combobox', { name: `Move “${renamed}”` }).selectOption('done');
      const moved = await seenPendingThenCommitted(`Move “${renamed}” to Done`);
      expect(moved.index).toBeGreaterThan(dragged.index);
      await column('Done').getByRole('article', { name: renamed }).waitFor();
      expect(await mustExist(renamed)).toMatchObject({ status: 'done', raftIndex: moved.index });

      // Delete, undo inside the undo window, then delete for good.
      await card.getByRole('button', { name: `Delete “${renamed}”` }).click();
      await card.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: `Undo delete of “${renamed}”` }).click();
      await column('Done').getByRole('article', { name: renamed }).waitFor();
      expect(await changeItem(`Delete “${renamed}”`).count()).toBe(0);

      await card.getByRole('button', { name: `Delete “${renamed}”` }).click();
      await card.waitFor({ state: 'detached' });
      const deleted = await seenPendingThenCommitted(`Delete “${renamed}”`);
      expect(deleted.index).toBeGreaterThan(moved.index);
      expect(await card.count()).toBe(0);
      const gone = await theCli().api('GET', `/api/tasks/${stored.id}`);
      expect(gone.status).toBe(404);
      await page
        .getByRole('button', { name: `Undo delete of “${renamed}”` })
        .waitFor({ state: 'detached' });
    },
  );

  uiTest(
    'kills the leader from the cluster view, shows a new leader, and a task is still created',
    async () => {
      await tab('Cluster');
      const old = await leaderShown();
      expect((await theCli().cluster()).leaderId).toBe(old.id);
      expect(await fact(old.id, 'Leader').textContent()).toBe('itself');

      await nodeCard(old.id)
        .getByRole('button', { name: `Kill node ${old.id}` })
        .click();
      await waitForText(nodeCard(old.id), /crashed|stopped/, `node ${old.id} to show it is down`);
      const next = await leaderShown(old.id);
      expect(next.term).toBeGreaterThan(old.term);
      await waitForText(health(), new RegExp(`^leader node ${next.id} .*2/3 up`), 'the header');
      await shot('cluster-leader-killed');

      await tab('Tasks');
      const title = `Written after node ${old.id}, the leader, was killed`;
      await createFromUi({ title });
      const c = await seenPendingThenCommitted(`Create “${title}”`);
      expect(c.term).toBeGreaterThanOrEqual(next.term);
      expect((await mustExist(title)).raftIndex).toBe(c.index);

      // Back up from the UI: it restarts, follows the new leader and catches up.
      await tab('Cluster');
      await nodeCard(old.id)
        .getByRole('button', { name: `Restart node ${old.id}` })
        .click();
      await waitFor(
        async () =>
          (await fact(old.id, 'Leader').textContent())?.startsWith('node ') &&
          (await commitShown(old.id)) >= c.index,
        UI_MS,
        `node ${old.id} to rejoin and commit index ${c.index}`,
      );
      await waitForText(health(), /3\/3 up/, 'all three nodes up');
    },
  );

  uiTest(
    'isolates the leader with the partition editor: it loses its leader, the majority still commits; heal',
    async () => {
      await tab('Cluster');
      const old = await leaderShown();
      const majority = [1, 2, 3].filter((id) => id !== old.id);
      const editor = page.getByRole('region', { name: 'Network partition' });
      await editor.getByRole('radio', { name: `Node ${old.id} in group B` }).check();
      const plan = `{${majority.join(', ')}} | {${old.id}}`;
      await waitForText(editor.getByText(/^Planned:/), new RegExp(`${esc(plan)}$`), 'the plan');
      await editor.getByRole('button', { name: 'Apply partition' }).click();
      await waitForText(editor.getByText(/^Now:/), new RegExp(`${esc(plan)}$`), 'the partition');
      expect((await theCli().cluster()).network.partitions).toEqual([majority, [old.id]]);

      // The minority (the old leader alone) steps down and knows no leader; the majority elects.
      await waitForText(fact(old.id, 'Leader'), /^none$/, `node ${old.id} to lose its leader`);
      expect(await nodeCard(old.id).textContent()).not.toContain('★');
      const next = await leaderShown(old.id);
      expect(majority).toContain(next.id);
      for (const id of majority) {
        await waitForText(fact(id, 'Leader'), /^(node \d|itself)/, `node ${id} to follow`);
      }
      await shot('cluster-partitioned');

      await tab('Tasks');
      const title = `Written while node ${old.id} was cut off`;
      await createFromUi({ title, priority: 'Low' });
      const c = await seenPendingThenCommitted(`Create “${title}”`);
      expect((await mustExist(title)).raftIndex).toBe(c.index);

      await tab('Cluster');
      await waitFor(
        async () => (await commitShown(next.id)) >= c.index,
        UI_MS,
        'the leader’s commit',
      );
      expect(await commitShown(old.id)).toBeLessThan(c.index);
      expect(await fact(old.id, 'Leader').textContent()).toBe('none');

      await editor.getByRole('button', { name: 'Heal network' }).click();
      await waitForText(editor.getByText(/^Now:/), /no partition/, 'the network to heal');
      await waitFor(
        async () =>
          (await fact(old.id, 'Leader').textContent())?.startsWith('node ') &&
          (await commitShown(old.id)) >= c.index,
        UI_MS,
        `node ${old.id} to follow a leader again and commit index ${c.index}`,
      );
      const sums = await theCli().checksums();
      expect(new Set(sums.values()).size, JSON.stringify([...sums])).toBe(1);
    },
  );

  uiTest('the main views fit 1024×700 (screenshots saved)', async () => {
    const seed: TaskInput[] = [
      {
        title: 'Plan the Q3 roadmap',
        description: 'Gather input from sales and support first',
        status: 'in_progress',
        priority: 'high',
        dueDate: isoDay(10),
      },
      { title: 'Fix the flaky login test', status: 'todo', priority: 'high' },
      {
        title: 'Write release notes for 0.2',
        status: 'todo',
        priority: 'medium',
        dueDate: isoDay(5),
      },
      { title: 'Review pull request #42', status: 'in_progress', priority: 'medium' },
      { title: 'Renew the TLS certificate', status: 'done', priority: 'high' },
      { title: 'Book the team offsite', status: 'todo', priority: 'low', dueDate: isoDay(30) },
      { title: 'Update dependencies', status: 'done', priority: 'low' },
    ];
    for (const input of seed) {
      const r = await theCli().api('POST', '/api/tasks', input, {
        'idempotency-key': `seed-${input.title.replace(/[^A-Za-z0-9]+/g, '-')}`,
      });
      expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    }

    await tab('Tasks');
    await view('List');
    // Written by another client: the window re-reads the list once the log has moved.
    for (const input of seed) await listRow(input.title).waitFor();
    await waitForText(health(), /3\/3 up$/, 'a healthy cluster with nothing pending');
    expect(await overflowing()).toEqual([]);
    await shot('tasks-list', true);

    await view('Board');
    for (const input of seed) await boardCard(input.title).waitFor();
    expect(await overflowing()).toEqual([]);
    await shot('tasks-board', true);

    await page.getByRole('button', { name: 'New task' }).click();
    await page.getByRole('dialog', { name: 'New task' }).waitFor();
    expect(await overflowing()).toEqual([]);
    await shot('task-form');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await tab('Cluster');
    await leaderShown();
    for (const id of [1, 2, 3]) await waitForText(nodeCard(id), /running/, `node ${id} running`);
    expect(await overflowing()).toEqual([]);
    await shot('cluster', true);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
