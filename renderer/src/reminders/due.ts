/**
 * When a task's reminder is due: its dueDate at its dueTime, in the user's local time (the
 * fields are wall-clock values, not instants). No dueTime, no reminder; done tasks remind no one.
 */
import type { Task } from '../../../cluster/api/task.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

/** ms since the epoch, or null. */
export function dueInstant(task: Pick<Task, 'dueDate' | 'dueTime' | 'status'>): number | null {
  if (task.status === 'done' || task.dueDate === null || !task.dueTime) return null;
  const d = DATE.exec(task.dueDate);
  const t = TIME.exec(task.dueTime);
  if (d === null || t === null) return null;
  const at = new Date(
    Number(d[1]),
    Number(d[2]) - 1,
    Number(d[3]),
    Number(t[1]),
    Number(t[2]),
    0,
    0,
  ).getTime();
  return Number.isFinite(at) ? at : null;
}

/** What identifies one reminder: the task and the instant (a new due time reminds again). */
export function reminderKey(taskId: string, at: number): string {
  return `${taskId}@${at}`;
}
