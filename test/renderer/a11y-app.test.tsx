// @vitest-environment jsdom
// Every control of the window has an accessible name, so a screen reader can say it and tests
// can find it by role and label. Walks every tab (and the task list, board, calendar, sidebar and
// the dialogs) over a fake API and fails on any button, input, select, textarea or control role
// without a name.
// Also: 10,000 tasks on the board still render a bounded number of cards.
import { act, cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
// @ts-expect-error -- Testing Library's own name algorithm; its package "exports" hide its types
import { computeAccessibleName as accessibleName } from 'dom-accessibility-api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MainTab } from '../../renderer/src/store/settings.js';
import { FakeApi, makeProject, makeTask } from './fake-api.js';
import { renderApp } from './setup.js';

beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = () => null; // jsdom has no canvas
});
afterEach(cleanup);

const computeAccessibleName = accessibleName as (el: Element) => string;

const CONTROLS = [
  'button',
  'input:not([type="hidden"])',
  'select',
  'textarea',
  '[role="button"]',
  '[role="tab"]',
  '[role="slider"]',
  '[role="checkbox"]',
  '[role="radio"]',
  '[role="combobox"]',
  '[role="switch"]',
  '[role="menuitem"]',
  'a[href]',
].join(', ');

function hidden(el: Element): boolean {
  return el.closest('[aria-hidden="true"], [hidden]') !== null;
}

/** Every visible control without an accessible name, described so the failure says which. */
function unnamed(where: string): string[] {
  const bad: string[] = [];
  for (const el of document.body.querySelectorAll(CONTROLS)) {
    if (hidden(el)) continue;
    if (computeAccessibleName(el).trim() === '') {
      bad.push(`${where}: ${el.outerHTML.slice(0, 160)}`);
    }
  }
  return bad;
}

function controlCount(): number {
  return [...document.body.querySelectorAll(CONTROLS)].filter((el) => !hidden(el)).length;
}

describe('accessible names across the window', () => {
  it('every control on every tab, in the list, the board and the form, has a name', async () => {
    const user = userEvent.setup();
    const tasks = [
      makeTask(1, { title: 'Plan the sprint', dueDate: '2030-01-02', priority: 'high' }),
      makeTask(2, { title: 'Ship it', status: 'in_progress', tags: ['release'] }),
      makeTask(3, { title: 'Celebrate', status: 'done', priority: 'low' }),
      makeTask(4, { title: 'Tag the release', parentId: makeTask(2).id }),
    ];
    const api = new FakeApi(tasks, [makeProject(1, { name: 'Home', color: '#2f6fdb' })]);
    const { stores } = await renderApp(api, { settings: { undoMs: 5000 } });
    const bad: string[] = [];
    let seen = 0;

    // A pending change and a scheduled delete, so their badges, toasts and buttons show.
    api.holding = true;
    act(() => {
      stores.tasks.getState().updateTask(tasks[0]!.id, { title: 'Plan the sprint again' });
      stores.tasks.getState().deleteTask(tasks[2]!.id);
    });

    const tabs: MainTab[] = ['tasks', 'cluster', 'metrics', 'lessons'];
    for (const tab of tabs) {
      await user.click(screen.getByRole('tab', { name: new RegExp(`^${tab}$`, 'i') }));
      expect(screen.getByRole('tab', { selected: true }).textContent?.toLowerCase()).toBe(tab);
      bad.push(...unnamed(`${tab} tab`));
      seen += controlCount();
      if (tab !== 'tasks') continue;

      await user.click(
        within(screen.getByRole('group', { name: 'View' })).getByRole('button', { name: 'Board' }),
      );
      bad.push(...unnamed('board'));
      seen += controlCount();
      await user.click(
        within(screen.getByRole('group', { name: 'View' })).getByRole('button', {
          name: 'Calendar',
        }),
      );
      bad.push(...unnamed('calendar'));
      seen += controlCount();
      await user.click(
        within(screen.getByRole('group', { name: 'View' })).getByRole('button', { name: 'List' }),
      );

      // The editor with its subtasks, a project's dialog, the shortcuts list.
      await user.click(screen.getByRole('button', { name: 'Edit “Ship it”' }));
      bad.push(...unnamed('edit form'));
      seen += controlCount();
      await user.keyboard('{Escape}');
      await user.click(await screen.findByRole('button', { name: 'Edit project “Home”' }));
      bad.push(...unnamed('project dialog'));
      seen += controlCount();
      await user.keyboard('{Escape}');
      await user.keyboard('?');
      expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
      bad.push(...unnamed('shortcuts dialog'));
      await user.keyboard('{Escape}');
      expect(screen.queryByRole('dialog')).toBeNull();

      await user.keyboard('n');
      expect(screen.getByRole('dialog', { name: 'New task' })).toBeTruthy();
      bad.push(...unnamed('new-task form'));
      seen += controlCount();
      await user.keyboard('{Escape}');
      expect(screen.queryByRole('dialog')).toBeNull();
    }
    act(() => api.release());

    expect(bad).toEqual([]);
    // The walk did find controls (a broken selector would pass vacuously).
    expect(seen).toBeGreaterThan(40);
  });

  it('the walk does catch a control without a name', async () => {
    await renderApp(new FakeApi());
    const rogue = document.createElement('button');
    rogue.append(document.createElement('span'));
    document.body.append(rogue);
    expect(unnamed('test')).toHaveLength(1);
    rogue.remove();
  });
});

describe('10,000 tasks', () => {
  it('the board renders a bounded number of cards per column', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      makeTask(i + 1, { status: i % 3 === 0 ? 'todo' : i % 3 === 1 ? 'in_progress' : 'done' }),
    );
    await renderApp(new FakeApi(many), { settings: { view: 'board' } });
    expect(await screen.findByText('10000 tasks')).toBeTruthy();
    const cards = screen.getAllByRole('article');
    expect(cards.length).toBeGreaterThan(3);
    expect(cards.length).toBeLessThan(100);
    for (const label of ['To do', 'In progress', 'Done']) {
      const column = screen.getByRole('list', { name: `${label} tasks` });
      const shown = within(column).getAllByRole('article').length;
      expect(shown).toBeGreaterThan(0);
      expect(shown).toBeLessThan(40);
    }
  });
});
