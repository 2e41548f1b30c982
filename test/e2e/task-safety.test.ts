/**
 * Changes that are safe, ordered and remembered (issue 14), in a real browser: Debian's Chromium
 * driven by playwright-core against `npm run cluster`. A board reorder that survives a reload;
 * undo of an edit with Ctrl+Z; a reminder shown as a desktop notification (the page's
 * Notification is a stub that records what it was asked to show); and a write whose answer was
 * lost, kept in the outbox across a reload, sent again with its key and applied once.
 * The node build must be current (`npm test` builds it); the renderer is built when stale.
 */
import { randomUUID } from 'node:crypto';
import type { Page, Request, Route } from 'playwright-core';
import { beforeAll, describe, expect } from 'vitest';
import type { TaskListResponse, WriteResponse } from '../../cluster/api/node.js';
import type { Task, TaskInput } from '../../cluster/api/task.js';
import { waitFor } from '../supervisor/cli-harness.js';
import { useWebUi } from './support/web-ui-session.js';

const UI_MS = 20_000;

/** Records each notification the page makes, and grants the permission. */
const NOTIFICATIONS = `(() => {
  const made = [];
  window.__notifications = made;
  class RecordedNotification {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, options) {
      made.push({ title, body: options && options.body, tag: options && options.tag });
      this.onclick = null;
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', {
    value: RecordedNotification,
    configurable: true,
    writable: true,
  });
})()`;

const ui = useWebUi({
  name: 'task-safety',
  cliArgs: ['--slow', '0.8', '--nodes', '3'],
  uiMs: UI_MS,
  initScript: NOTIFICATIONS,
});
let page: Page;

beforeAll(async () => {
  page = ui.page();
  // Leaving with unsent changes asks first (beforeunload): the tests mean to leave.
  page.on('dialog', (d) => void d.accept());
  await page.getByRole('tab', { name: 'Tasks' }).click();
});

async function seed(input: TaskInput): Promise<Task> {
  const key = `safety-${input.title.replace(/[^A-Za-z0-9]+/g, '-')}-${Date.now()}`;
  const r = await ui.cli().api<WriteResponse>('POST', '/api/tasks', input, {
    'idempotency-key': key,
  });
  if (r.status !== 201 || r.body.task === null) {
    throw new Error(`POST /api/tasks: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return r.body.task;
}

async function inCluster(id: string): Promise<Task | undefined> {
  const r = await ui.cli().api<TaskListResponse>('GET', '/api/tasks?limit=10000');
  return r.body.tasks.find((t) => t.id === id);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  return waitFor(fn, UI_MS, what);
}

async function view(name: 'List' | 'Board'): Promise<void> {
  await page.getByRole('group', { name: 'View' }).getByRole('button', { name }).click();
}

/** The titles of the To do column's cards among `titles`, top to bottom. */
async function todoOrder(titles: readonly string[]): Promise<string[]> {
  const names = await page
    .getByRole('region', { name: /^To do/ })
    .getByRole('article')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return names.filter((n) => titles.includes(n));
}

/** How many records the outbox holds (IndexedDB `raftboard-outbox`). */
async function outboxSize(): Promise<number> {
  const n: unknown = await page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('raftboard-outbox');
    open.onerror = () => reject(new Error(String(open.error)));
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('outbox')) return resolve(0);
      const count = db.transaction('outbox').objectStore('outbox').count();
      count.onsuccess = () => resolve(count.result);
      count.onerror = () => reject(new Error(String(count.error)));
    };
  })`);
  return Number(n);
}

describe('safe, ordered and remembered changes, in Chromium', () => {
  ui.test('a card dragged above another keeps its place after a reload', async () => {
    const titles = ['Order first', 'Order second', 'Order third'];
    const [a, , c] = [
      await seed({ title: titles[0]!, position: 1000 }),
      await seed({ title: titles[1]!, position: 2000 }),
      await seed({ title: titles[2]!, position: 3000 }),
    ];
    await view('Board');
    for (const t of titles) await page.getByRole('article', { name: t, exact: true }).waitFor();
    expect(await todoOrder(titles)).toEqual(titles);

    // The third onto the upper half of the first: it goes before it.
    await page
      .getByRole('article', { name: titles[2], exact: true })
      .dragTo(page.getByRole('article', { name: titles[0], exact: true }), {
        targetPosition: { x: 30, y: 4 },
      });
    const moved = [titles[2]!, titles[0]!, titles[1]!];
    expect(await todoOrder(titles)).toEqual(moved);
    await until('the new position to commit', async () => {
      const [ca, cc] = [await inCluster(a.id), await inCluster(c.id)];
      return ca !== undefined && cc !== undefined && cc.position < ca.position ? true : undefined;
    });

    await page.reload();
    await page.getByRole('article', { name: titles[0], exact: true }).waitFor();
    expect(await todoOrder(titles)).toEqual(moved);
    await ui.shot('board-reordered');
  });

  ui.test('Ctrl+Z undoes an edit, as a new change', async () => {
    const t = await seed({ title: 'Undo the rename' });
    await view('List');
    await page.getByRole('button', { name: 'Edit “Undo the rename”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “Undo the rename”' });
    await dialog.getByLabel('Title').fill('Renamed by mistake');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await until('the rename to commit', async () =>
      (await inCluster(t.id))?.title === 'Renamed by mistake' ? true : undefined,
    );
    await page.getByText('Edited “Undo the rename”.').waitFor();
    await ui.shot('undo-toast');

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    const back = await until('the undo to commit', async () => {
      const now = await inCluster(t.id);
      return now?.title === 'Undo the rename' ? now : undefined;
    });
    // Seed, rename, undo: the undo is a change of its own.
    expect(back.version).toBe(3);
  });

  ui.test('undo of a sent delete brings the task and its subtask back, ids and all', async () => {
    const parent = await seed({ title: 'Plan the move', priority: 'high' });
    const child = await seed({ title: 'Book the van', parentId: parent.id });
    await view('List');
    await page.getByRole('button', { name: 'Delete “Plan the move”' }).click();
    // Past the delete's own window: it is sent, and the subtask goes with it.
    await until('the delete to commit', async () =>
      (await inCluster(child.id)) === undefined ? true : undefined,
    );
    await page.getByRole('button', { name: 'Undo delete of “Plan the move”' }).click();
    const back = await until('the task to come back', async () => {
      const [p, c] = [await inCluster(parent.id), await inCluster(child.id)];
      return p !== undefined && c !== undefined ? { p, c } : undefined;
    });
    expect(back.p).toMatchObject({ title: 'Plan the move', priority: 'high', parentId: null });
    expect(back.c).toMatchObject({ title: 'Book the van', parentId: parent.id });
  });

  ui.test('exports JSON, imports a file with counts shown, and undoes the import', async () => {
    await seed({ title: 'Already here' });
    await view('List');
    await page.getByText('Already here').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^raftboard-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        void download.createReadStream().then((stream) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          stream.on('error', reject);
        }, reject);
      }),
    ) as { format: string; tasks: Task[] };
    expect(exported.format).toBe('raftboard/1');
    expect(exported.tasks.length).toBeGreaterThan(0);

    const at = new Date().toISOString();
    const project = {
      id: randomUUID(),
      name: `Imported ${Date.now()}`,
      color: null,
      position: 1,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    const row = (title: string): Record<string, unknown> => ({
      id: randomUUID(),
      title,
      projectId: project.id,
      createdAt: at,
      updatedAt: at,
    });
    const doc = {
      format: 'raftboard/1',
      exportedAt: at,
      projects: [project],
      tasks: [row('Imported one'), row('Imported two'), exported.tasks[0]],
    };
    await page.getByLabel('Import file').setInputFiles({
      name: 'backup.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(doc)),
    });
    // The exported task exists already: skipped.
    await page.getByText('Imported 2 tasks and 1 project; 1 skipped.').waitFor();
    const ids = [doc.tasks[0]!.id as string, doc.tasks[1]!.id as string];
    for (const id of ids) expect(await inCluster(id)).toBeDefined();
    await ui.shot('import-counts');

    await page.getByRole('button', { name: 'Undo import' }).click();
    await until('the imported tasks to go', async () => {
      const left = await Promise.all(ids.map(inCluster));
      return left.every((t) => t === undefined) ? true : undefined;
    });
    expect(await inCluster(exported.tasks[0]!.id)).toBeDefined();
  });

  ui.test('a reminder due now shows as a notification with the task title', async () => {
    // The browser's local date and time, as the reminder reads the due fields.
    const now = (await page.evaluate(`(() => {
      const d = new Date();
      const p = (n) => String(n).padStart(2, '0');
      return {
        date: d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()),
        time: p(d.getHours()) + ':' + p(d.getMinutes()),
      };
    })()`)) as { date: string; time: string };
    const title = 'Call the plumber';
    await seed({ title, dueDate: now.date, dueTime: now.time });
    await until('the notification', async () => {
      const made = (await page.evaluate('window.__notifications')) as { title: string }[];
      return made.some((n) => n.title === title) ? true : undefined;
    });
    const reminder = page.getByRole('alert', { name: 'Reminders' });
    await reminder.getByRole('button', { name: `Snooze “${title}” 10 minutes` }).waitFor();
    await ui.shot('reminder');
    await reminder.getByRole('button', { name: `Open “${title}”` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit “${title}”` });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  ui.test('a write whose answer was lost is resent after a reload and applied once', async () => {
    const t = await seed({ title: 'Survive the reload' });
    await view('List');
    const keys: string[] = [];
    // The first PATCH reaches the cluster but its answer is lost; later ones do not get out.
    const lose = async (route: Route): Promise<void> => {
      if (route.request().method() !== 'PATCH') return route.continue();
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length === 1) await route.fetch();
      await route.abort('connectionreset');
    };
    await page.route('**/api/tasks/*', lose);
    await page.getByRole('button', { name: 'Edit “Survive the reload”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “Survive the reload”' });
    await dialog.getByLabel('Priority').selectOption({ label: 'High' });
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await until('the PATCH to land without an answer', async () =>
      (await inCluster(t.id))?.priority === 'high' ? true : undefined,
    );
    await until('the change to be written down', async () =>
      (await outboxSize()) === 1 ? true : undefined,
    );

    const resent: string[] = [];
    const watch = (r: Request): void => {
      if (r.method() === 'PATCH') resent.push(r.headers()['idempotency-key'] ?? '');
    };
    page.on('request', watch);
    await page.reload();
    await page.unroute('**/api/tasks/*', lose);
    await until('the resent change to commit', async () =>
      (await outboxSize()) === 0 ? true : undefined,
    );
    const after = await inCluster(t.id);
    // Answered from the session of the first attempt: still one update.
    expect(after?.priority).toBe('high');
    expect(after?.version).toBe(2);
    // The page after the reload sent it again, with the key of the first attempt.
    page.off('request', watch);
    expect(keys[0]).toMatch(/\S/);
    expect(resent).toContain(keys[0]);
  });
});
