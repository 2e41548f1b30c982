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
import { beforeAll, beforeEach, describe, expect } from 'vitest';
import type { NetworkFaults } from '../../cluster/api/control.js';
import type { TaskListResponse } from '../../cluster/api/node.js';
import type { Task, TaskInput } from '../../cluster/api/task.js';
import { waitFor, type RunningCli } from '../supervisor/cli-harness.js';
import { useWebUi } from './support/web-ui-session.js';
import type { Locator, Page } from 'playwright-core';

/** How long the UI gets to show a commit, an election, a catch-up. */
const UI_MS = 20_000;

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

// `--slow 0.8`: Raft ticks of 20 ms (the defaults are 25 ms), so elections take well under a second.
const ui = useWebUi({
  name: 'e2e',
  cliArgs: ['--slow', '0.8', '--nodes', '3'],
  uiMs: UI_MS,
  initScript: RECORDER,
});
let page: Page;
const theCli = (): RunningCli => ui.cli();
const uiTest = ui.test;
const waitForText = ui.waitForText;
const shot = ui.shot;

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
  const { network } = await c.cluster();
  if (network.partitions.length > 0 || network.links.length > 0) {
    await c.api('DELETE', '/api/network');
  }
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
  page = ui.page();
  await waitForText(health(), /^leader node \d/, 'the header to show a leader');
});

beforeEach(async () => {
  if (!ui.started()) return;
  await everyNodeRunning();
  // A dialog left open by a failed test would own the keyboard.
  if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
});

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
/** What scrolls sideways at 1024×700. */
function overflowing(): Promise<string[]> {
  return ui.overflowing(
    '.app-header, .toolbar, .task-row, .card, .changes, .node-card, .partition-editor, .timeline, .dialog, .message-flow, .link-matrix, .checksums',
  );
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

  uiTest(
    'the message flow draws the real traffic: heartbeats from the leader, appends for a write',
    async () => {
      await tab('Cluster');
      const legend = page.getByRole('list', { name: 'Messages seen since the view opened' });
      const count = async (label: string): Promise<number> =>
        Number(/: (\d+)$/.exec((await legend.getByText(label).textContent()) ?? '')?.[1] ?? NaN);
      const appendsBefore = await count('Appends:');
      await waitFor(async () => (await count('Heartbeats:')) > 0, UI_MS, 'heartbeats drawn');
      await theCli().write('drawn as an append');
      await waitFor(
        async () => (await count('Appends:')) > appendsBefore,
        UI_MS,
        'the append of the write drawn',
      );
      const flow = page.getByRole('img', { name: /^Message flow between 3 nodes/ });
      await flow.scrollIntoViewIfNeeded();
      await shot('cluster-message-flow');
    },
  );

  uiTest('sets link faults with the matrix: GET /api/network shows them; clears them', async () => {
    await tab('Cluster');
    const matrix = page.getByRole('region', { name: 'Link faults' });
    await matrix.getByRole('textbox', { name: 'Drop % from node 1 to node 2' }).fill('30');
    await matrix.getByRole('textbox', { name: 'Delay ms from node 2 to node 3' }).fill('120');
    await matrix.getByRole('button', { name: 'Apply link faults' }).click();
    const want = [
      { from: 1, to: 2, drop: 0.3 },
      { from: 2, to: 3, delayMs: 120 },
    ];
    await waitFor(
      async () => {
        const r = await theCli().api<NetworkFaults>('GET', '/api/network');
        return JSON.stringify(r.body.links) === JSON.stringify(want);
      },
      UI_MS,
      'the link faults in GET /api/network',
    );
    await waitForText(matrix.getByText(/^Drop % and delay/), /2 faulty links$/, 'the matrix');
    await matrix.scrollIntoViewIfNeeded();
    await shot('cluster-link-matrix');

    await matrix.getByRole('button', { name: 'Clear link faults' }).click();
    await waitFor(
      async () =>
        (await theCli().api<NetworkFaults>('GET', '/api/network')).body.links.length === 0,
      UI_MS,
      'the link faults cleared',
    );
    await waitForText(matrix.getByText(/^Drop % and delay/), /no link faults$/, 'the matrix');
    expect(
      await matrix.getByRole('textbox', { name: 'Drop % from node 1 to node 2' }).inputValue(),
    ).toBe('');
  });

  uiTest('the checksums panel shows every replica agreeing', async () => {
    await tab('Cluster');
    await theCli().write('checksummed from the UI');
    const sums = await theCli().checksums();
    const panel = page.getByRole('region', { name: 'Replica checksums' });
    const verdict = panel.getByRole('status', { name: 'Checksum verdict' });
    const text = await waitFor(
      async () => {
        await panel.getByRole('button', { name: 'Compare checksums' }).click();
        const t = (await verdict.textContent({ timeout: 2000 })) ?? '';
        return /^All 3 replicas agree at index \d+\.$/.test(t) ? t : undefined;
      },
      UI_MS,
      'all replicas to agree in the panel',
    );
    expect(text).toMatch(/^All 3 replicas agree/);
    const shown = new Set(sums.values());
    expect(shown.size).toBe(1);
    const full = [...shown][0] as string;
    for (const id of [1, 2, 3]) {
      const row = panel.getByRole('row', { name: new RegExp(`^Node ${id} `) });
      expect(await row.textContent()).toContain('agrees');
      expect(await row.locator('code').getAttribute('title')).toBe(full);
    }
    await panel.scrollIntoViewIfNeeded();
    await shot('cluster-checksums');
  });

  uiTest('adds a fourth node and removes it again from the cluster view', async () => {
    await tab('Cluster');
    await page.getByRole('button', { name: 'Add node' }).click();
    // A new node gets its own MariaDB first, then joins as a learner and is promoted.
    await nodeCard(4).waitFor({ timeout: 90_000 });
    await waitFor(
      async () => {
        const c = await theCli().cluster();
        const leader = c.nodes.find((n) => n.id === c.leaderId);
        const n4 = c.nodes.find((n) => n.id === 4);
        return n4?.status === 'running' && leader?.voters.includes(4);
      },
      90_000,
      'node 4 running and a voter',
    );
    await waitForText(nodeCard(4), /running/, 'node 4’s card to show it running');
    await waitForText(health(), /4\/4 up/, 'four nodes up');

    await nodeCard(4).getByRole('button', { name: 'Remove node 4' }).click();
    await nodeCard(4)
      .getByRole('group', { name: 'Confirm removal of node 4' })
      .getByRole('button', { name: 'Yes, remove node 4' })
      .click();
    await nodeCard(4).waitFor({ state: 'detached', timeout: 60_000 });
    const c = await theCli().cluster();
    expect(c.nodes.map((n) => n.id)).toEqual([1, 2, 3]);
    await waitForText(health(), /3\/3 up/, 'three nodes up');
  });

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
    await shot('tasks-list', 'tasks-list');

    await view('Board');
    for (const input of seed) await boardCard(input.title).waitFor();
    expect(await overflowing()).toEqual([]);
    await shot('tasks-board', 'tasks-board');

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
    await shot('cluster', 'cluster');

    // The OS's dark setting switches the theme (prefers-color-scheme), no reload needed.
    const background = (): Promise<string> =>
      page.evaluate('getComputedStyle(document.body).backgroundColor') as Promise<string>;
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await waitFor(async () => (await background()) !== light, UI_MS, 'the dark theme');
      expect(await overflowing()).toEqual([]);
      await shot('cluster-dark', 'cluster-dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
