/**
 * The task manager's views in a real browser (issue 14): quick add in plain words, the sidebar's
 * project and tag views, the subtask checklist, completing a recurring task, and the calendar —
 * Debian's Chromium driven by playwright-core against `npm run cluster` (3 nodes, managed
 * MariaDB). What the UI shows is checked against the cluster through the control API.
 *
 * Screenshots go to build/e2e-views-screenshots/; RAFTBOARD_UPDATE_SCREENSHOTS=1 also copies the
 * views (sidebar and list, board, calendar, quick add with its chips) to renderer/screenshots/.
 * The node build must be current (`npm run build`); the renderer is built here when needed.
 */
import { beforeAll, beforeEach, describe, expect } from 'vitest';
import type { ProjectListResponse, TaskListResponse } from '../../cluster/api/node.js';
import type { Project, Task } from '../../cluster/api/task.js';
import { waitFor } from '../supervisor/cli-harness.js';
import { useWebUi } from './support/web-ui-session.js';
import type { Locator, Page } from 'playwright-core';

const UI_MS = 20_000;

const ui = useWebUi({
  name: 'e2e-views',
  cliArgs: ['--slow', '0.8', '--nodes', '3'],
  uiMs: UI_MS,
});
let page: Page;
const uiTest = ui.test;

beforeAll(async () => {
  page = ui.page();
  await ui.waitForText(
    page.getByRole('status', { name: 'Cluster health' }),
    /^leader node \d/,
    'the header to show a leader',
  );
});

beforeEach(async () => {
  if (!ui.started()) return;
  if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
});

// ---------------------------------------------------------------------------------------------

function sidebar(): Locator {
  return page.getByRole('navigation', { name: 'Task views' });
}

function scope(name: RegExp): Locator {
  return sidebar().getByRole('button', { name });
}

function quickAdd(): Locator {
  return page.getByRole('textbox', { name: 'Quick add' });
}

function listRow(title: string): Locator {
  return page
    .getByRole('list', { name: 'Tasks', exact: true })
    .getByRole('listitem')
    .filter({ has: page.locator('.task-title', { hasText: new RegExp(`^${title}$`) }) });
}

/** The titles the list shows, sorted. */
async function listTitles(): Promise<string[]> {
  const list = page.getByRole('list', { name: 'Tasks', exact: true });
  if ((await list.count()) === 0) return [];
  return (await list.locator('.task-title').allTextContents()).sort();
}

async function view(name: 'List' | 'Board' | 'Calendar'): Promise<void> {
  const b = page.getByRole('group', { name: 'View' }).getByRole('button', { name });
  await b.click();
  expect(await b.getAttribute('aria-pressed')).toBe('true');
}

async function tasksInCluster(): Promise<readonly Task[]> {
  const r = await ui.cli().api<TaskListResponse>('GET', '/api/tasks?limit=10000');
  if (r.status !== 200) throw new Error(`GET /api/tasks: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.tasks;
}

async function projectsInCluster(): Promise<readonly Project[]> {
  const r = await ui.cli().api<ProjectListResponse>('GET', '/api/projects');
  if (r.status !== 200) throw new Error(`GET /api/projects: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.projects;
}

/** Waits until the cluster holds what `check` looks for; returns it. */
function inCluster<T>(what: string, check: (tasks: readonly Task[]) => T | undefined): Promise<T> {
  return waitFor(async () => check(await tasksInCluster()), UI_MS, what);
}

/** A local calendar day in the browser (its time zone decides "tomorrow"). */
function browserDay(offset: number): Promise<string> {
  return page.evaluate(`(() => {
    const d = new Date();
    d.setDate(d.getDate() + ${offset});
    const p = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate());
  })()`) as Promise<string>;
}

/** The accessible name of what has the keyboard focus. */
function focusedName(): Promise<string | null> {
  return page.evaluate(
    "document.activeElement && document.activeElement.getAttribute('aria-label')",
  ) as Promise<string | null>;
}

function overflowing(): Promise<string[]> {
  return ui.overflowing(
    '.app-header, .toolbar, .task-row, .card, .changes, .dialog, .sidebar, .quick-add, .calendar',
  );
}

async function add(line: string): Promise<void> {
  await quickAdd().fill(line);
  await quickAdd().press('Enter');
  await waitFor(async () => (await quickAdd().inputValue()) === '', UI_MS, 'quick add to clear');
}

// ---------------------------------------------------------------------------------------------

describe('the task views of a 3-node cluster, in Chromium', () => {
  uiTest('quick add: the acceptance line gives one task with exactly its fields', async () => {
    await page.getByRole('tab', { name: 'Tasks' }).click();
    await view('List');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('q');
    expect(await focusedName()).toBe('Quick add');

    const line = 'Water plants tomorrow 9am every week #home !high';
    await page.keyboard.type(line);
    const chips = page.getByRole('list', { name: 'Recognised fields' });
    await ui.waitForText(
      chips,
      /^Title Water plants\s*Due \w{3}, \d{1,2} \w{3} \d{4}\s*At 09:00\s*Repeats every week\s*Priority high\s*Tag #home$/,
      'a chip per recognised field',
    );
    expect(await overflowing()).toEqual([]);
    await ui.shot('quick-add');
    await page.keyboard.press('Enter');

    const tomorrow = await browserDay(1);
    await listRow('Water plants').waitFor();
    const task = await inCluster('“Water plants” in the cluster', (tasks) => {
      const mine = tasks.filter((t) => t.title === 'Water plants');
      return mine.length > 0 ? mine : undefined;
    });
    expect(task).toHaveLength(1);
    expect(task[0]).toMatchObject({
      title: 'Water plants',
      dueDate: tomorrow,
      dueTime: '09:00',
      recurrence: { rrule: 'FREQ=WEEKLY', from: 'due' },
      tags: ['home'],
      priority: 'high',
      projectId: null,
      parentId: null,
      status: 'todo',
    });
  });

  uiTest('project and tag views: a click scopes the list', async () => {
    await view('List');
    await sidebar().getByRole('button', { name: 'Add project' }).click();
    await sidebar().getByRole('textbox', { name: 'New project name' }).fill('Garden');
    await sidebar().getByRole('textbox', { name: 'New project name' }).press('Enter');
    await scope(/^Garden/).waitFor();
    const garden = await waitFor(
      async () => (await projectsInCluster()).find((p) => p.name === 'Garden'),
      UI_MS,
      'the project in the cluster',
    );

    await add('Prune the roses @garden #outside');
    await add('Buy milk #errand !low');
    await add('Return the library books yesterday');
    await inCluster('the three tasks', (tasks) =>
      ['Prune the roses', 'Buy milk', 'Return the library books'].every((t) =>
        tasks.some((x) => x.title === t),
      )
        ? true
        : undefined,
    );
    const tasks = await tasksInCluster();
    expect(tasks.find((t) => t.title === 'Prune the roses')).toMatchObject({
      projectId: garden.id,
      tags: ['outside'],
    });
    expect(tasks.find((t) => t.title === 'Buy milk')).toMatchObject({
      projectId: null,
      tags: ['errand'],
      priority: 'low',
    });

    await scope(/^Garden/).click();
    await waitFor(
      async () => ((await listTitles()).join() === 'Prune the roses' ? true : undefined),
      UI_MS,
      'the Garden view',
    );
    await scope(/^#errand/).click();
    await waitFor(
      async () => ((await listTitles()).join() === 'Buy milk' ? true : undefined),
      UI_MS,
      'the #errand view',
    );
    expect(await scope(/^#errand/).getAttribute('aria-current')).toBe('true');
    await scope(/^Inbox/).click();
    await waitFor(
      async () => ((await listTitles()).includes('Prune the roses') ? undefined : true),
      UI_MS,
      'the Inbox without the Garden task',
    );
    expect(await listTitles()).toContain('Buy milk');

    // Dated yesterday: overdue, counted and listed.
    await ui.waitForText(scope(/^Overdue/), /^Overdue[1-9]/, 'an overdue count');
    await scope(/^Overdue/).click();
    await listRow('Return the library books').waitFor();
    expect(await listRow('Return the library books').textContent()).toContain('overdue');
    await scope(/^All tasks/).click();
    await listRow('Water plants').waitFor();
    expect(await overflowing()).toEqual([]);
    await ui.shot('sidebar-list');
  });

  uiTest('a subtask checklist: add, check, remove, progress on the parent', async () => {
    await view('List');
    await scope(/^All tasks/).click();
    const parent = (await tasksInCluster()).find((t) => t.title === 'Water plants');
    if (parent === undefined) throw new Error('no “Water plants” (the first test failed?)');

    await listRow('Water plants').getByRole('button', { name: 'Edit “Water plants”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “Water plants”' });
    const input = dialog.getByRole('textbox', { name: 'New subtask' });
    for (const title of ['Fill the can', 'Check the soil', 'Feed the orchid']) {
      await input.fill(title);
      await input.press('Enter');
      await dialog.getByRole('checkbox', { name: `Complete subtask “${title}”` }).waitFor();
    }
    const subtasks = (tasks: readonly Task[]) => tasks.filter((t) => t.parentId === parent.id);
    await inCluster('three subtasks', (t) => (subtasks(t).length === 3 ? true : undefined));

    await dialog.getByRole('checkbox', { name: 'Complete subtask “Fill the can”' }).check();
    await dialog.getByRole('button', { name: 'Remove subtask “Feed the orchid”' }).click();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await ui.waitForText(listRow('Water plants'), /1\/2/, 'the progress 1/2');
    // Subtasks show under their parent, not in the list.
    expect(await listRow('Fill the can').count()).toBe(0);

    const done = await inCluster('one of two subtasks done', (t) => {
      const s = subtasks(t);
      return s.length === 2 && s.some((x) => x.status === 'done') ? s : undefined;
    });
    expect(done.map((t) => [t.title, t.status]).sort()).toEqual([
      ['Check the soil', 'todo'],
      ['Fill the can', 'done'],
    ]);
  });

  uiTest('the editor sets project, tags, time and repeat; the cluster keeps them', async () => {
    await view('List');
    await scope(/^All tasks/).click();
    const due = await browserDay(2);
    await listRow('Buy milk').getByRole('button', { name: 'Edit “Buy milk”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “Buy milk”' });
    await dialog.getByLabel('Due date').fill(due);
    await dialog.getByLabel('Due time').fill('08:15');
    await dialog.getByLabel('Repeat', { exact: true }).selectOption({ label: 'Every week' });
    await dialog.getByLabel('Repeat from').selectOption({ label: 'completion' });
    await dialog.getByLabel('Project').selectOption({ label: 'Garden' });
    await dialog.getByLabel('Tags').fill('errand dairy');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    const garden = (await projectsInCluster()).find((p) => p.name === 'Garden');
    const milk = await inCluster('the edited task', (tasks) =>
      tasks.find((t) => t.title === 'Buy milk' && t.dueTime === '08:15'),
    );
    expect(milk).toMatchObject({
      dueDate: due,
      dueTime: '08:15',
      recurrence: { rrule: 'FREQ=WEEKLY', from: 'completion' },
      projectId: garden?.id,
      tags: ['errand', 'dairy'],
    });
    await ui.waitForText(listRow('Buy milk'), /Garden/, 'the project on the row');
  });

  uiTest('completing a recurring task in one click shows its next occurrence', async () => {
    await view('List');
    const before = (await tasksInCluster()).find((t) => t.title === 'Water plants');
    if (before === undefined || before.dueDate === null) throw new Error('no “Water plants”');
    await listRow('Water plants')
      .getByRole('checkbox', { name: 'Complete “Water plants”' })
      .check();
    const notice = page.locator('.next-notice');
    await ui.waitForText(notice, /^Next: “Water plants” due /, 'the next-occurrence notice');
    const next = await inCluster('the next occurrence', (tasks) =>
      tasks.find((t) => t.title === 'Water plants' && t.id !== before.id),
    );
    expect(next.status).toBe('todo');
    expect(next.dueDate! > before.dueDate).toBe(true);
    expect((await tasksInCluster()).find((t) => t.id === before.id)?.status).toBe('done');
    await notice.getByRole('button').click();
  });

  uiTest('board and calendar; a calendar day opens quick add on it', async () => {
    await scope(/^All tasks/).click();
    await view('Board');
    await page.getByRole('article', { name: 'Buy milk', exact: true }).waitFor();
    expect(await overflowing()).toEqual([]);
    await ui.shot('board');

    await view('Calendar');
    const today = await browserDay(0);
    const calendar = page.locator('.calendar');
    await calendar
      .getByRole('button', { name: /^Edit “Water plants”/ })
      .first()
      .waitFor();
    expect(await overflowing()).toEqual([]);
    await ui.shot('calendar');

    // A day's number opens quick add on that day.
    await calendar
      .locator('td[aria-current="date"]')
      .getByRole('button', { name: /^Add a task on / })
      .click();
    expect(await focusedName()).toBe('Quick add');
    await add('Sweep the patio');
    const swept = await inCluster('the task added from the calendar', (tasks) =>
      tasks.find((t) => t.title === 'Sweep the patio'),
    );
    expect(swept.dueDate).toBe(today);
    await calendar.getByRole('button', { name: 'Edit “Sweep the patio”' }).waitFor();
    await view('List');
  });

  uiTest('a fuller board for the README: every view fits 1024×700', async () => {
    const cli = ui.cli();
    const day = async (n: number): Promise<string> => browserDay(n);
    const colours: Record<string, string> = {
      Work: '#2f6fdb',
      Home: '#1f8a4c',
      'Side project': '#c8691c',
    };
    const ids: Record<string, string> = {};
    for (const [name, color] of Object.entries(colours)) {
      const r = await cli.api<{ project: Project }>(
        'POST',
        '/api/projects',
        { name, color },
        {
          'idempotency-key': `seed-project-${name.replace(/\W+/g, '-')}`,
        },
      );
      expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
      ids[name] = r.body.project.id;
    }
    const seed: Record<string, unknown>[] = [
      {
        title: 'Plan the Q3 roadmap',
        projectId: ids.Work,
        priority: 'high',
        status: 'in_progress',
        dueDate: await day(3),
        tags: ['planning'],
      },
      {
        title: 'Fix the flaky login test',
        projectId: ids.Work,
        priority: 'high',
        dueDate: await day(-2),
        tags: ['bug'],
      },
      {
        title: 'Write release notes for 0.2',
        projectId: ids['Side project'],
        dueDate: await day(5),
        tags: ['writing'],
      },
      { title: 'Review pull request #42', projectId: ids['Side project'], status: 'in_progress' },
      {
        title: 'Book the team offsite',
        projectId: ids.Work,
        priority: 'low',
        dueDate: await day(12),
      },
      {
        title: 'Call the plumber',
        projectId: ids.Home,
        priority: 'high',
        dueDate: await day(0),
        dueTime: '10:30',
        tags: ['home', 'errand'],
      },
      {
        title: 'Renew the TLS certificate',
        projectId: ids.Work,
        status: 'done',
        dueDate: await day(-4),
      },
      {
        title: 'Gym',
        projectId: ids.Home,
        dueDate: await day(1),
        dueTime: '18:00',
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO,TH', from: 'due' },
        tags: ['health'],
      },
    ];
    let parentId = '';
    for (const input of seed) {
      const r = await cli.api<{ task: Task }>('POST', '/api/tasks', input, {
        'idempotency-key': `seed-${String(input.title).replace(/\W+/g, '-')}`,
      });
      expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
      if (input.title === 'Plan the Q3 roadmap') parentId = r.body.task.id;
    }
    for (const [title, status] of [
      ['Gather input from sales', 'done'],
      ['Draft the goals', 'todo'],
      ['Review with the team', 'todo'],
    ] as const) {
      const r = await cli.api(
        'POST',
        '/api/tasks',
        { title, status, parentId },
        {
          'idempotency-key': `seed-${title.replace(/\W+/g, '-')}`,
        },
      );
      expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    }

    await scope(/^All tasks/).click();
    await view('List');
    // Written by another client: the window re-reads the list once the log has moved.
    await ui.waitForText(listRow('Plan the Q3 roadmap'), /1\/3/, 'the seeded tasks');
    await scope(/^Work/).waitFor();
    expect(await overflowing()).toEqual([]);
    await ui.shot('readme-sidebar-list', 'views-sidebar-list');

    await view('Board');
    await page.getByRole('article', { name: 'Plan the Q3 roadmap', exact: true }).waitFor();
    expect(await overflowing()).toEqual([]);
    await ui.shot('readme-board', 'views-board');

    await view('Calendar');
    await page
      .locator('.calendar')
      .getByRole('button', { name: 'Edit “Call the plumber”' })
      .waitFor();
    expect(await overflowing()).toEqual([]);
    await ui.shot('readme-calendar', 'views-calendar');

    await view('List');
    await quickAdd().fill('Water plants tomorrow 9am every week #home !high');
    await ui.waitForText(
      page.getByRole('list', { name: 'Recognised fields' }),
      /Tag #home$/,
      'the chips',
    );
    expect(await overflowing()).toEqual([]);
    await ui.shot('readme-quick-add', 'views-quick-add');
    await quickAdd().press('Escape');
  });
});
