// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteOptions } from '../../renderer/src/api/types.js';
import { FakeApi, makeTask, noQuorum } from './fake-api.js';
import { renderApp } from './setup.js';

afterEach(cleanup);

function row(title: string): HTMLElement {
  const list = screen.getByRole('list', { name: 'Tasks' });
  const item = within(list)
    .getAllByRole('listitem')
    .find((li) => within(li).queryByText(title, { selector: '.task-title' }) !== null);
  if (item === undefined) throw new Error(`no row for ${title}`);
  return item;
}

function titles(): string[] {
  const list = screen.getByRole('list', { name: 'Tasks' });
  return within(list)
    .getAllByRole('listitem')
    .map((li) => li.querySelector('.task-title')?.textContent ?? '');
}

describe('tasks view', () => {
  it('creates a task from `n`: pending first, then committed with its log index', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    await renderApp(api);
    api.holding = true;

    await user.keyboard('n');
    const dialog = screen.getByRole('dialog', { name: 'New task' });
    await user.type(within(dialog).getByLabelText('Title'), 'Water the plants');
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(within(row('Water the plants')).getByText('pending')).toBeTruthy();

    act(() => api.release());
    await waitFor(() =>
      expect(within(row('Water the plants')).getByText('committed at index 101')).toBeTruthy(),
    );
    const changes = screen.getByRole('list', { name: 'Recent changes' });
    expect(within(changes).getByText(/committed at index 101 \(term 3, node 1\)/)).toBeTruthy();
  });

  it('with no quorum the change stays pending with a clear message, then commits on retry', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    await renderApp(api, { retry: { baseMs: 150, maxMs: 150 } });
    api.writeFailures.push(noQuorum());

    await user.click(screen.getByRole('button', { name: 'New task' }));
    await user.type(screen.getByLabelText('Title'), 'During the partition');
    await user.click(screen.getByRole('button', { name: 'Create task' }));

    const changes = screen.getByRole('list', { name: 'Recent changes' });
    await waitFor(() => expect(within(changes).getByText(/No quorum/)).toBeTruthy());
    expect(within(row('During the partition')).getByText(/pending/)).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Cluster health' }).textContent).toMatch(
      /1 change pending/,
    );

    await waitFor(() =>
      expect(within(row('During the partition')).getByText('committed at index 101')).toBeTruthy(),
    );
    const keys = api.callsOf('createTask').map((c) => (c.args[1] as WriteOptions).idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('deletes with undo: the row goes, Undo brings it back and nothing is sent', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([makeTask(1), makeTask(2)]);
    await renderApp(api, { settings: { undoMs: 60_000 } });

    await user.click(screen.getByRole('button', { name: 'Delete “Task 1”' }));
    expect(titles()).toEqual(['Task 2']);
    await user.click(screen.getByRole('button', { name: 'Undo delete of “Task 1”' }));
    expect(titles().sort()).toEqual(['Task 1', 'Task 2']);
    expect(api.callsOf('deleteTask')).toHaveLength(0);
  });

  it('deletes for real when the undo window is over', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([makeTask(1)]);
    await renderApp(api, { settings: { undoMs: 30 } });
    await user.click(screen.getByRole('button', { name: 'Delete “Task 1”' }));
    await waitFor(() => expect(api.tasks.size).toBe(0));
    const changes = screen.getByRole('list', { name: 'Recent changes' });
    await waitFor(() => expect(within(changes).getByText(/committed at index 101/)).toBeTruthy());
  });

  it('moves a card on the board with the keyboard control and by drag and drop', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([makeTask(1), makeTask(2)]);
    await renderApp(api, { settings: { view: 'board' } });

    const todo = screen.getByRole('region', { name: /To do/ });
    const done = screen.getByRole('region', { name: /Done/ });
    expect(within(todo).getByRole('article', { name: 'Task 1' })).toBeTruthy();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Move “Task 1”' }), 'done');
    expect(within(done).getByRole('article', { name: 'Task 1' })).toBeTruthy();
    await waitFor(() => expect(api.tasks.get(makeTask(1).id)?.status).toBe('done'));

    const card = within(todo).getByRole('article', { name: 'Task 2' });
    const progress = screen.getByRole('region', { name: /In progress/ });
    const data = new Map<string, string>();
    const dataTransfer = {
      setData: (k: string, v: string) => data.set(k, v),
      getData: (k: string) => data.get(k) ?? '',
      effectAllowed: 'all',
      dropEffect: 'none',
    };
    fireEvent.dragStart(card, { dataTransfer });
    fireEvent.dragOver(progress, { dataTransfer });
    fireEvent.drop(progress, { dataTransfer });
    expect(within(progress).getByRole('article', { name: 'Task 2' })).toBeTruthy();
    await waitFor(() => expect(api.tasks.get(makeTask(2).id)?.status).toBe('in_progress'));
    const update = api.callsOf('updateTask').at(-1);
    // Dropped on the column's free space: to its end, with a position there.
    expect(update?.args[1]).toEqual({ status: 'in_progress', position: expect.any(Number) });
    expect((update?.args[2] as WriteOptions).ifMatch).toBe(1);
  });

  it('filters by status and priority, and `/` jumps to the search box', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([
      makeTask(1, { title: 'Buy milk', priority: 'high' }),
      makeTask(2, { title: 'Call the bank', status: 'done', description: 'about the milk fund' }),
      makeTask(3, { title: 'Fix the bike', status: 'in_progress', priority: 'low' }),
    ]);
    await renderApp(api);

    await user.keyboard('/');
    const search = screen.getByRole('searchbox', { name: 'Search tasks' });
    expect(document.activeElement).toBe(search);
    await user.type(search, 'MILK');
    await waitFor(() => expect(titles().sort()).toEqual(['Buy milk', 'Call the bank']));

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter by status' }), 'done');
    await waitFor(() => expect(titles()).toEqual(['Call the bank']));

    await user.clear(search);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter by status' }), 'all');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter by priority' }), 'low');
    await waitFor(() => expect(titles()).toEqual(['Fix the bike']));
    expect(screen.getByText('1 of 3 tasks')).toBeTruthy();
  });

  it('edits a task: only the changed field is sent, with If-Match', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([makeTask(1, { version: 4 })]);
    await renderApp(api);
    await user.click(screen.getByRole('button', { name: 'Edit “Task 1”' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit “Task 1”' });
    await user.selectOptions(within(dialog).getByLabelText('Priority'), 'high');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.callsOf('updateTask')).toHaveLength(1));
    const call = api.callsOf('updateTask')[0];
    expect(call?.args[1]).toEqual({ priority: 'high' });
    expect((call?.args[2] as WriteOptions).ifMatch).toBe(4);
  });
});
