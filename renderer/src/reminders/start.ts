/**
 * Runs the reminders for the window: feeds the scheduler the tasks as shown, and for each
 * reminder shows a toast (Open, Snooze 10 min) and a desktop notification when allowed.
 */
import type { Task } from '../../../cluster/api/task.js';
import { overlay } from '../store/changes.js';
import { systemClock, type Clock } from '../store/clock.js';
import type { Stores } from '../store/stores.js';
import { reminderLog } from './fired.js';
import type { Notifier } from './notify.js';
import { SNOOZE_MS, createReminderScheduler, type Reminder } from './scheduler.js';

export interface ReminderOptions {
  readonly notifier: Notifier;
  readonly clock?: Clock;
  readonly storage?: Storage | null;
}

export function dueText(r: Reminder): string {
  const time = new Date(r.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return r.snoozed ? `Snoozed reminder (${time})` : `Due at ${time}`;
}

/** Brings the task up: the tasks tab, its form open. */
export function openTask(stores: Stores, taskId: string): void {
  stores.settings.getState().update({ tab: 'tasks' });
  stores.ui.getState().openForm({ mode: 'edit', taskId });
}

export function startReminders(stores: Stores, o: ReminderOptions): () => void {
  const clock = o.clock ?? systemClock;
  const { reminders, tasks } = stores;
  const log = reminderLog(o.storage === undefined ? globalThis.localStorage : o.storage, () =>
    clock.now(),
  );
  const find = (key: string): Reminder | undefined =>
    reminders.getState().shown.find((r) => r.key === key);
  const open = (key: string): void => {
    const r = find(key);
    reminders.getState().dismiss(key);
    if (r !== undefined) openTask(stores, r.taskId);
  };
  const scheduler = createReminderScheduler({
    clock,
    log,
    notify(r) {
      reminders.getState().show(r);
      o.notifier.show(r, dueText(r), () => open(r.key));
    },
  });
  reminders.setState({
    permission: o.notifier.permission(),
    open,
    snooze(key) {
      const r = find(key);
      reminders.getState().dismiss(key);
      if (r !== undefined) scheduler.snooze(r.taskId, SNOOZE_MS);
    },
  });

  let last: readonly Task[] = [];
  const feed = (): void => {
    const s = tasks.getState();
    if (s.load.status === 'idle') return;
    const now = overlay(s.tasks, s.changes);
    if (now.length === last.length && now.every((t, i) => t === last[i])) return;
    last = now;
    scheduler.update(now);
  };
  const unsubscribe = tasks.subscribe(feed);
  feed();
  return () => {
    unsubscribe();
    scheduler.stop();
  };
}
