/**
 * Fires each task's reminder at its due instant, once per device, with one timer for the next
 * one due. A reminder missed while the app was closed still fires on opening if it is recent
 * (within `graceMs`); older ones are marked as fired without a word. Timers wake at least once a
 * minute, so a laptop waking from sleep catches up at once.
 */
import type { Task } from '../../../cluster/api/task.js';
import type { Clock } from '../store/clock.js';
import { dueInstant, reminderKey } from './due.js';
import type { ReminderLog } from './fired.js';

export interface Reminder {
  readonly key: string;
  readonly taskId: string;
  readonly title: string;
  /** When it was due (or the snooze ended). */
  readonly at: number;
  readonly snoozed: boolean;
}

export interface SchedulerOptions {
  readonly clock: Clock;
  readonly log: ReminderLog;
  readonly notify: (r: Reminder) => void;
  readonly graceMs?: number;
  readonly maxSleepMs?: number;
}

export interface ReminderScheduler {
  /** The tasks as they are now (call on every change). */
  update(tasks: readonly Task[]): void;
  snooze(taskId: string, ms: number): void;
  stop(): void;
}

export const SNOOZE_MS = 10 * 60_000;

export function createReminderScheduler(o: SchedulerOptions): ReminderScheduler {
  const { clock, log } = o;
  const graceMs = o.graceMs ?? 60 * 60_000;
  const maxSleepMs = o.maxSleepMs ?? 60_000;
  let tasks: readonly Task[] = [];
  let timer: unknown;
  let stopped = false;

  function check(): void {
    if (stopped) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    log.refresh();
    const now = clock.now();
    let next = Infinity;
    const byId = new Map(tasks.map((t) => [t.id, t]));
    for (const [taskId, until] of log.snoozes()) {
      const t = byId.get(taskId);
      if (t === undefined || t.status === 'done') {
        if (t !== undefined || tasks.length > 0) log.unsnooze(taskId);
        continue;
      }
      if (until > now) {
        next = Math.min(next, until);
        continue;
      }
      log.unsnooze(taskId);
      o.notify({
        key: reminderKey(taskId, until),
        taskId,
        title: t.title,
        at: until,
        snoozed: true,
      });
    }
    for (const t of tasks) {
      const at = dueInstant(t);
      if (at === null) continue;
      const key = reminderKey(t.id, at);
      if (log.has(key)) continue;
      if (at > now) {
        next = Math.min(next, at);
        continue;
      }
      log.add(key, now);
      if (now - at <= graceMs) o.notify({ key, taskId: t.id, title: t.title, at, snoozed: false });
    }
    if (next !== Infinity) {
      timer = clock.setTimeout(check, Math.min(maxSleepMs, Math.max(0, next - now)));
    }
  }

  return {
    update(next) {
      tasks = next;
      check();
    },
    snooze(taskId, ms) {
      log.snooze(taskId, clock.now() + ms);
      check();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
