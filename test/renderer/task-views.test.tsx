// @vitest-environment jsdom
// The views of issue 14 over the fake API: quick add with its chips, the sidebar's scopes,
// projects (create, rename, reorder, delete keeping or deleting their tasks), one-click
// completion (and a recurring task's next occurrence), the subtask checklist, the calendar and
// the task keys.
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  formatDay,
  formatDayMonth,
  formatMonth,
  localDay,
} from '../../renderer/src/tasks/dates.js';
import { FakeApi, makeProject, makeTask } from './fake-api.js';
import { renderApp } from './setup.js';

afterEach(cleanup);

const today = localDay(new Date());

function titles(): string[] {
  const list = screen.queryByRole('list', { name: 'Tasks' });
  if (list === null) return [];
  return within(list)
    .getAllByRole('listitem')
    .map((li) => li.querySelector('.task-title')?.textContent ?? '');
}

function row(title: string): HTMLElement {
  const li = within(screen.getByRole('list', { name: 'Tasks' }))
    .getAllByRole('listitem')
    .find((x) => x.querySelector('.task-title')?.textContent === title);
  if (li === undefined) throw new Error(`no row for ${title}`);
  return li;
}

function views(): HTMLElement {
  return screen.getByRole('navigation', { name: 'Task views' });
}

function scope(name: RegExp): HTMLElement {
  return within(views()).getByRole('button', { name });
}

describe('quick add', () => {
  it('the acceptance line gives one task with exactly its fields, chips shown as typed', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    await renderApp(api);

    await user.keyboard('q');
    const input = screen.getByRole('textbox', { name: 'Quick add' });
    expect(document.activeElement).toBe(input);
    await user.type(input, 'Water plants tomorrow 9am every week #home !high');

    const chips = within(screen.getByRole('list', { name: 'Recognised fields' }));
    const tomorrow = addDays(today, 1);
    expect(chips.getByText(formatDay(tomorrow))).toBeTruthy();
    expect(chips.getByText('09:00')).toBeTruthy();
    expect(chips.getByText('every week')).toBeTruthy();
    expect(chips.getByText('#home')).toBeTruthy();
    expect(chips.getByText('high')).toBeTruthy();
    expect(chips.getByText('Water plants')).toBeTruthy();

    await user.keyboard('{Enter}');
    await waitFor(() => expect(api.callsOf('createTask')).toHaveLength(1));
    expect(api.callsOf('createTask')[0]?.args[0]).toEqual({
      title: 'Water plants',
      priority: 'high',
      dueDate: tomorrow,
      dueTime: '09:00',
      recurrence: { rrule: 'FREQ=WEEKLY', from: 'due' },
      tags: ['home'],
    });
    expect((input as HTMLInputElement).value).toBe('');
    await waitFor(() => expect(titles()).toEqual(['Water plants']));
    expect(within(row('Water plants')).getByText('#home')).toBeTruthy();
  });

  it('@project picks an existing project; the selected project is the default', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([], [makeProject(1, { name: 'Garden' }), makeProject(2)]);
    await renderApp(api);
    await within(views()).findByRole('button', { name: /^Garden/ });

    const input = screen.getByRole('textbox', { name: 'Quick add' });
    await user.type(input, 'Prune roses @garden{Enter}');
    await user.click(scope(/^Project 2/));
    await user.type(input, 'Plan budget{Enter}');
    await waitFor(() => expect(api.callsOf('createTask')).toHaveLength(2));
    expect(api.callsOf('createTask').map((c) => c.args[0])).toEqual([
      { title: 'Prune roses', projectId: makeProject(1).id },
      { title: 'Plan budget', projectId: makeProject(2).id },
    ]);
  });

  it('an empty title is refused with a message, and typing in it fires no shortcut', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([makeTask(1)]);
    await renderApp(api);
    const input = screen.getByRole('textbox', { name: 'Quick add' });
    await user.type(input, '#only-a-tag{Enter}');
    expect(screen.getByRole('alert').textContent).toMatch(/title/);
    expect(api.callsOf('createTask')).toHaveLength(0);
    await user.clear(input);
    await user.type(input, 'jkx?n');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.callsOf('updateTask')).toHaveLength(0);
  });
});

describe('sidebar', () => {
  const home = makeProject(1, { name: 'Home', color: '#1f8a4c' });
  const work = makeProject(2, { name: 'Work' });
  const seed = () => [
    makeTask(1, { title: 'Late', dueDate: addDays(today, -2), projectId: home.id }),
    makeTask(2, { title: 'Now', dueDate: today, tags: ['errand'] }),
    makeTask(3, { title: 'Soon', dueDate: addDays(today, 3), tags: ['Errand', 'car'] }),
    makeTask(4, { title: 'Later', dueDate: addDays(today, 30), projectId: work.id }),
    makeTask(5, { title: 'Someday' }),
    makeTask(6, { title: 'Done late', dueDate: addDays(today, -1), status: 'done' }),
    makeTask(7, { title: 'A subtask', parentId: makeTask(5).id, tags: ['car'] }),
  ];

  it('scopes the list to Inbox, Today, Upcoming, Overdue, a project or a tag, with counts', async () => {
    const user = userEvent.setup();
    const api = new FakeApi(seed(), [home, work]);
    await renderApp(api, { settings: { view: 'list' } });
    await within(views()).findByRole('button', { name: /^Home/ });
    const sorted = (): string[] => titles().sort();

    // Subtasks show under their parent, not in the list.
    expect(sorted()).toEqual(['Done late', 'Late', 'Later', 'Now', 'Someday', 'Soon']);
    expect(scope(/^Overdue/).textContent).toBe('Overdue1');
    expect(scope(/^Today/).textContent).toBe('Today1');
    expect(scope(/^Upcoming/).textContent).toBe('Upcoming1');
    expect(scope(/^#errand/).textContent).toBe('#errand2');
    expect(scope(/^#car/).textContent).toBe('#car2');

    await user.click(scope(/^Overdue/));
    expect(scope(/^Overdue/).getAttribute('aria-current')).toBe('true');
    expect(sorted()).toEqual(['Late']);
    expect(screen.getByRole('heading', { name: 'Overdue' })).toBeTruthy();
    await user.click(scope(/^Today/));
    expect(sorted()).toEqual(['Now']);
    await user.click(scope(/^Upcoming/));
    expect(sorted()).toEqual(['Soon']);
    await user.click(scope(/^Inbox/));
    expect(sorted()).toEqual(['Done late', 'Now', 'Someday', 'Soon']);
    await user.click(scope(/^Work/));
    expect(sorted()).toEqual(['Later']);
    await user.click(scope(/^#errand/));
    expect(sorted()).toEqual(['Now', 'Soon']);
    await user.click(scope(/^All tasks/));
    expect(sorted()).toHaveLength(6);
  });

  it('creates, renames, recolours and reorders a project', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([], [home, work]);
    await renderApp(api);
    await within(views()).findByRole('button', { name: /^Home/ });

    await user.click(within(views()).getByRole('button', { name: 'Add project' }));
    await user.type(
      within(views()).getByRole('textbox', { name: 'New project name' }),
      'Trips{Enter}',
    );
    await within(views()).findByRole('button', { name: /^Trips/ });
    expect(api.callsOf('createProject')[0]?.args[0]).toMatchObject({ name: 'Trips' });
    const projectNames = (): string[] =>
      within(within(views()).getByRole('list', { name: 'Projects' }))
        .getAllByRole('listitem')
        .map((li) => li.querySelector('.scope-name')?.textContent ?? '');
    expect(projectNames()).toEqual(['Home', 'Work', 'Trips']);

    await user.click(within(views()).getByRole('button', { name: 'Edit project “Trips”' }));
    let dialog = screen.getByRole('dialog', { name: 'Edit project “Trips”' });
    await user.click(within(dialog).getByRole('button', { name: 'Move up' }));
    await waitFor(() => expect(projectNames()).toEqual(['Home', 'Trips', 'Work']));
    const name = within(dialog).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'Travel');
    fireEvent.change(within(dialog).getByLabelText('Colour'), { target: { value: '#c8691c' } });
    await user.click(within(dialog).getByRole('button', { name: 'Save project' }));
    await waitFor(() => expect(projectNames()).toEqual(['Home', 'Travel', 'Work']));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.callsOf('updateProject').at(-1)?.args[1]).toEqual({
      name: 'Travel',
      color: '#c8691c',
    });

    // A clash is refused by the cluster, and the dialog says why.
    await user.click(within(views()).getByRole('button', { name: 'Edit project “Travel”' }));
    dialog = screen.getByRole('dialog', { name: 'Edit project “Travel”' });
    await user.clear(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), 'work');
    await user.click(within(dialog).getByRole('button', { name: 'Save project' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/name exists/);
  });

  it('deleting a project asks about its tasks: keep moves them to the Inbox', async () => {
    const user = userEvent.setup();
    const api = new FakeApi(seed(), [home, work]);
    await renderApp(api, { settings: { view: 'list' } });
    await user.click(await within(views()).findByRole('button', { name: /^Home/ }));
    expect(titles()).toEqual(['Late']);

    await user.click(within(views()).getByRole('button', { name: 'Edit project “Home”' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit project “Home”' });
    const group = within(dialog).getByRole('group', { name: 'Delete the project' });
    expect(within(group).getByRole('radio', { name: /Keep its tasks/ })).toHaveProperty(
      'checked',
      true,
    );
    await user.click(within(group).getByRole('button', { name: 'Delete project' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('deleteProject')[0]?.args.slice(0, 2)).toEqual([home.id, 'keep']);
    expect(within(views()).queryByRole('button', { name: /^Home/ })).toBeNull();
    // Back to all tasks; the kept task is in the Inbox now.
    await user.click(scope(/^Inbox/));
    await waitFor(() => expect(titles()).toContain('Late'));
  });

  it('… and "delete its tasks too" deletes them', async () => {
    const user = userEvent.setup();
    const api = new FakeApi(seed(), [home, work]);
    await renderApp(api, { settings: { view: 'list' } });
    await user.click(await within(views()).findByRole('button', { name: 'Edit project “Work”' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit project “Work”' });
    await user.click(within(dialog).getByRole('radio', { name: 'Delete its tasks too' }));
    await user.click(within(dialog).getByRole('button', { name: 'Delete project' }));
    await waitFor(() => expect(titles()).not.toContain('Later'));
    expect(api.callsOf('deleteProject')[0]?.args.slice(0, 2)).toEqual([work.id, 'delete']);
    expect(api.tasks.has(makeTask(4).id)).toBe(false);
  });
});

describe('completing, subtasks and the editor', () => {
  it('one click completes; a recurring task shows its next occurrence', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([
      makeTask(1, { title: 'Plain' }),
      makeTask(2, {
        title: 'Water plants',
        dueDate: today,
        recurrence: { rrule: 'FREQ=WEEKLY', from: 'due' },
      }),
    ]);
    await renderApp(api, { settings: { view: 'list' } });

    await user.click(screen.getByRole('checkbox', { name: 'Complete “Plain”' }));
    await waitFor(() => expect(api.tasks.get(makeTask(1).id)?.status).toBe('done'));
    expect(screen.getByRole('checkbox', { name: 'Complete “Plain”' })).toHaveProperty(
      'checked',
      true,
    );

    await user.click(screen.getByRole('checkbox', { name: 'Complete “Water plants”' }));
    const next = addDays(today, 7);
    await waitFor(() =>
      expect(screen.getByText(`Next: “Water plants” due ${formatDay(next)}`)).toBeTruthy(),
    );
    // The occurrence is in the list at once, not done.
    const open = screen
      .getAllByRole('checkbox', { name: 'Complete “Water plants”' })
      .filter((c) => !(c as HTMLInputElement).checked);
    expect(open).toHaveLength(1);
  });

  it('the editor sets project, tags, time and repeat; subtasks are a checklist', async () => {
    const user = userEvent.setup();
    const parent = makeTask(1, { title: 'Trip', dueDate: '2030-05-01' });
    const api = new FakeApi(
      [parent, makeTask(2, { title: 'Book hotel', parentId: parent.id, status: 'done' })],
      [makeProject(1, { name: 'Travel' })],
    );
    await renderApp(api, { settings: { view: 'list' } });
    expect(titles()).toEqual(['Trip']);
    expect(within(row('Trip')).getByText('1/1')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Edit “Trip”' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit “Trip”' });
    await user.selectOptions(within(dialog).getByLabelText('Project'), 'Travel');
    await user.type(within(dialog).getByLabelText('Tags'), 'fun, #Summer');
    await user.type(within(dialog).getByLabelText('Due time'), '08:30');
    await user.selectOptions(within(dialog).getByLabelText('Repeat'), 'Every year');
    await user.selectOptions(within(dialog).getByLabelText('Repeat from'), 'completion');

    const checklist = within(dialog).getByRole('list', { name: 'Subtasks' });
    expect(
      within(checklist).getByRole('checkbox', { name: 'Complete subtask “Book hotel”' }),
    ).toHaveProperty('checked', true);
    await user.type(within(dialog).getByRole('textbox', { name: 'New subtask' }), 'Pack{Enter}');
    await within(checklist).findByRole('checkbox', { name: 'Complete subtask “Pack”' });
    expect(api.callsOf('createTask')[0]?.args[0]).toEqual({
      title: 'Pack',
      parentId: parent.id,
      projectId: null,
    });
    await waitFor(() => expect(within(row('Trip')).getByText('1/2')).toBeTruthy());
    await user.click(within(checklist).getByRole('checkbox', { name: 'Complete subtask “Pack”' }));
    await waitFor(() => expect(within(row('Trip')).getByText('2/2')).toBeTruthy());
    await user.click(
      within(checklist).getByRole('button', { name: 'Remove subtask “Book hotel”' }),
    );
    await waitFor(() => expect(within(row('Trip')).getByText('1/1')).toBeTruthy());
    // The focus stays in the dialog, so Escape still closes it.
    expect(document.activeElement).toBe(
      within(dialog).getByRole('textbox', { name: 'New subtask' }),
    );
    // The subtask's Enter did not save the task.
    expect(api.callsOf('updateTask').every((c) => c.args[0] !== parent.id)).toBe(true);

    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() =>
      expect(api.callsOf('updateTask').find((c) => c.args[0] === parent.id)?.args[1]).toEqual({
        dueTime: '08:30',
        projectId: makeProject(1).id,
        tags: ['fun', 'Summer'],
        recurrence: { rrule: 'FREQ=YEARLY', from: 'completion' },
      }),
    );
    expect(titles()).toEqual(['Trip']);
  });
});

describe('the new-task form', () => {
  it('checks the new fields with the contract schemas and sends only what was given', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([], [makeProject(1, { name: 'Home' })]);
    await renderApp(api);
    await user.keyboard('n');
    const dialog = screen.getByRole('dialog', { name: 'New task' });
    await user.type(within(dialog).getByLabelText('Title'), 'Fix the tap');
    await user.type(within(dialog).getByLabelText('Due time'), '07:45');
    await user.type(within(dialog).getByLabelText('Tags'), 'home #diy, Home');
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));
    expect(within(dialog).getByText('Due time needs a dueDate')).toBeTruthy();
    expect(api.callsOf('createTask')).toHaveLength(0);

    await user.type(within(dialog).getByLabelText('Due date'), '2030-04-05');
    await user.selectOptions(within(dialog).getByLabelText('Project'), 'Home');
    await user.selectOptions(within(dialog).getByLabelText('Repeat'), 'Every weekday');
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));
    await waitFor(() => expect(api.callsOf('createTask')).toHaveLength(1));
    expect(api.callsOf('createTask')[0]?.args[0]).toEqual({
      title: 'Fix the tap',
      description: '',
      status: 'todo',
      priority: 'medium',
      dueDate: '2030-04-05',
      dueTime: '07:45',
      projectId: makeProject(1).id,
      tags: ['home', 'diy'],
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', from: 'due' },
    });
  });
});

describe('calendar', () => {
  it('shows tasks on their days and moves by month', async () => {
    const user = userEvent.setup();
    const month = today.slice(0, 7);
    const next = addMonths(month, 1);
    const api = new FakeApi([
      makeTask(1, { title: 'Today’s', dueDate: today, dueTime: '07:15' }),
      makeTask(2, { title: 'Mid next month', dueDate: `${next}-15` }),
      makeTask(3, { title: 'Undated' }),
    ]);
    await renderApp(api, { settings: { view: 'list' } });
    await user.click(screen.getByRole('button', { name: 'Calendar' }));

    const cal = screen.getByRole('region', { name: formatMonth(month) });
    const day = within(cal).getByRole('list', { name: `Due ${formatDay(today)}` });
    expect(within(day).getByRole('button', { name: 'Edit “Today’s”' }).textContent).toBe(
      '07:15Today’s',
    );
    expect(within(cal).queryByText('Undated')).toBeNull();
    expect(within(cal).queryByText('Mid next month')).toBeNull();

    await user.click(within(cal).getByRole('button', { name: 'Next month' }));
    expect(screen.getByRole('region', { name: formatMonth(next) })).toBe(cal);
    expect(within(cal).getByText('Mid next month')).toBeTruthy();
    await user.click(within(cal).getByRole('button', { name: 'Previous month' }));
    await user.click(within(cal).getByRole('button', { name: 'Previous month' }));
    expect(cal.querySelector('h3')?.textContent).toBe(formatMonth(addMonths(month, -1)));
    await user.click(within(cal).getByRole('button', { name: 'This month' }));
    expect(cal.querySelector('h3')?.textContent).toBe(formatMonth(month));

    // A task opens its editor.
    await user.click(within(cal).getByRole('button', { name: 'Edit “Today’s”' }));
    expect(screen.getByRole('dialog', { name: 'Edit “Today’s”' })).toBeTruthy();
  });

  it('a day click pre-fills quick add with that date', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([]);
    await renderApp(api, { settings: { view: 'calendar' } });
    const first = `${today.slice(0, 7)}-01`;
    const label = formatDayMonth(first);
    const buttons = screen.getAllByRole('button', { name: `Add a task on ${label}` });
    await user.click(buttons[0]!);
    const input = screen.getByRole('textbox', { name: 'Quick add' });
    expect(document.activeElement).toBe(input);
    expect(
      within(screen.getByRole('list', { name: 'Recognised fields' })).getByText(formatDay(first)),
    ).toBeTruthy();
    await user.type(input, 'Pay rent{Enter}');
    await waitFor(() =>
      expect(api.callsOf('createTask')[0]?.args[0]).toEqual({ title: 'Pay rent', dueDate: first }),
    );
    const cal = screen.getByRole('region', { name: /\d{4}$/ });
    await within(cal).findByRole('button', { name: 'Edit “Pay rent”' });
  });
});

describe('keyboard', () => {
  it('j/k select, x completes, e edits, Delete deletes, ? lists every shortcut', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([
      makeTask(1, { title: 'Alpha' }),
      makeTask(2, { title: 'Bravo' }),
      makeTask(3, { title: 'Charlie' }),
    ]);
    const { stores } = await renderApp(api, { settings: { view: 'list' } });
    act(() => stores.ui.getState().setFilter({ sort: 'title' }));
    const selected = (): string | null =>
      document.querySelector('.task-row.selected .task-title')?.textContent ?? null;

    await user.keyboard('j');
    expect(selected()).toBe('Alpha');
    await user.keyboard('jj');
    expect(selected()).toBe('Charlie');
    await user.keyboard('j');
    expect(selected()).toBe('Charlie');
    await user.keyboard('k');
    expect(selected()).toBe('Bravo');

    await user.keyboard('x');
    await waitFor(() => expect(api.tasks.get(makeTask(2).id)?.status).toBe('done'));
    await user.keyboard('e');
    expect(screen.getByRole('dialog', { name: 'Edit “Bravo”' })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();

    await user.keyboard('{Delete}');
    await waitFor(() => expect(api.tasks.has(makeTask(2).id)).toBe(false));
    expect(selected()).toBe('Charlie');

    await user.keyboard('?');
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const text = dialog.textContent ?? '';
    for (const what of [
      'Quick add',
      'Select the next task',
      'Complete the selected',
      'Edit the selected',
      'Delete the selected',
      'Undo the last change',
      'Search the tasks',
      'New task',
    ]) {
      expect(text).toContain(what);
    }
    // The dialog owns the keyboard: j does nothing behind it.
    await user.keyboard('k');
    expect(selected()).toBe('Charlie');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();

    // A click selects a row; after a click on a checkbox the keys still work.
    await user.click(screen.getByRole('checkbox', { name: 'Complete “Alpha”' }));
    expect(selected()).toBe('Alpha');
    await user.keyboard('j');
    expect(selected()).toBe('Charlie');
  });
});
