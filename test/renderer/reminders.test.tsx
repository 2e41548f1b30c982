// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '../../cluster/api/task.js';
import { App } from '../../renderer/src/App.js';
import { dueInstant } from '../../renderer/src/reminders/due.js';
import { reminderLog } from '../../renderer/src/reminders/fired.js';
import type { Notifier } from '../../renderer/src/reminders/notify.js';
import {
  SNOOZE_MS,
  createReminderScheduler,
  type Reminder,
} from '../../renderer/src/reminders/scheduler.js';
import { startReminders } from '../../renderer/src/reminders/start.js';
import { FakeApi, makeTask } from './fake-api.js';
import { ManualClock } from './manual-clock.js';
import { testStores } from './setup.js';

afterEach(cleanup);

/** A Storage in memory, shared between "page loads" of one test. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

// 09:00 local time on 5 January 2026.
const T0 = new Date(2026, 0, 5, 9, 0, 0).getTime();
const due = (n: number, hhmm: string, over: Partial<Task> = {}): Task =>
  makeTask(n, { dueDate: '2026-01-05', dueTime: hhmm, ...over });

function setup(storage = memoryStorage(), clock = new ManualClock(T0)) {
  const fired: Reminder[] = [];
  const scheduler = createReminderScheduler({
    clock,
    log: reminderLog(storage, () => clock.now()),
    notify: (r) => fired.push(r),
  });
  return { clock, storage, fired, scheduler };
}

describe('reminder scheduler', () => {
  it('reads the due instant in local time, and only with a due time', () => {
    expect(dueInstant(due(1, '14:30'))).toBe(new Date(2026, 0, 5, 14, 30).getTime());
    expect(dueInstant(makeTask(1, { dueDate: '2026-01-05', dueTime: null }))).toBeNull();
    expect(dueInstant(due(1, '14:30', { status: 'done' }))).toBeNull();
  });

  it('fires at the due instant, once, and not for a done task', () => {
    const { clock, fired, scheduler } = setup();
    scheduler.update([due(1, '09:10'), due(2, '09:05', { status: 'done' }), due(3, '11:00')]);
    clock.advance(9 * 60_000);
    expect(fired).toEqual([]);
    clock.advance(60_000);
    expect(fired.map((r) => r.title)).toEqual(['Task 1']);
    scheduler.update([due(1, '09:10'), due(3, '11:00')]);
    clock.advance(60_000);
    expect(fired).toHaveLength(1);
    clock.advance(2 * 3600_000);
    expect(fired.map((r) => r.title)).toEqual(['Task 1', 'Task 3']);
  });

  it('remembers on the device what fired, across page loads', () => {
    const first = setup();
    first.scheduler.update([due(1, '09:00')]);
    expect(first.fired).toHaveLength(1);
    first.scheduler.stop();
    const again = setup(first.storage, first.clock);
    again.scheduler.update([due(1, '09:00')]);
    expect(again.fired).toEqual([]);
    // A new due time is a new reminder.
    again.scheduler.update([due(1, '09:30')]);
    again.clock.advance(30 * 60_000);
    expect(again.fired).toHaveLength(1);
  });

  it('fires in one window of the device only', () => {
    const a = setup();
    const b = setup(a.storage, a.clock);
    a.scheduler.update([due(1, '09:05')]);
    b.scheduler.update([due(1, '09:05')]);
    // b's timer is due after a's (set second): a fires and writes it down first.
    a.clock.advance(5 * 60_000);
    expect(a.fired.length + b.fired.length).toBe(1);
  });

  it('fires a recently missed reminder on opening, but not one long past', () => {
    const { fired, scheduler } = setup();
    scheduler.update([due(1, '08:30'), makeTask(2, { dueDate: '2026-01-04', dueTime: '09:00' })]);
    expect(fired.map((r) => r.title)).toEqual(['Task 1']);
  });

  it('snoozes for 10 minutes, and that survives a reload', () => {
    const { clock, storage, fired, scheduler } = setup();
    scheduler.update([due(1, '09:00')]);
    expect(fired).toHaveLength(1);
    scheduler.snooze(makeTask(1).id, SNOOZE_MS);
    scheduler.stop();
    const again = setup(storage, clock);
    again.scheduler.update([due(1, '09:00')]);
    clock.advance(SNOOZE_MS - 1000);
    expect(again.fired).toEqual([]);
    clock.advance(1000);
    expect(again.fired).toMatchObject([{ title: 'Task 1', snoozed: true }]);
  });
});

describe('reminders in the window', () => {
  it('shows a toast and a notification; Open opens the task, Snooze brings it back', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([due(1, '09:00')]);
    const stores = testStores(api);
    await stores.tasks.getState().loadTasks();
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    let click: () => void = () => undefined;
    const notifier: Notifier = {
      permission: () => 'granted',
      request: () => Promise.resolve('granted'),
      show: (r, body, onClick) => {
        shown.push(`${r.title}: ${body}`);
        click = onClick;
      },
    };
    const stop = startReminders(stores, { notifier, clock, storage: memoryStorage() });
    render(<App stores={stores} />);

    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^Task 1: Due at/);
    await user.click(screen.getByRole('button', { name: 'Snooze “Task 1” 10 minutes' }));
    expect(screen.queryByRole('alert', { name: 'Reminders' })).toBeNull();
    act(() => clock.advance(SNOOZE_MS));
    expect(shown).toHaveLength(2);
    expect(screen.getByRole('button', { name: 'Open “Task 1”' })).toBeTruthy();

    act(() => click());
    expect(stores.ui.getState().form).toEqual({ mode: 'edit', taskId: makeTask(1).id });
    expect(screen.queryByRole('alert', { name: 'Reminders' })).toBeNull();
    stop();
  });
});
