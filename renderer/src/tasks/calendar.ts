/** The weeks of a month view: Monday first, whole weeks, days of the months either side. Pure. */
import type { Task } from '../../../cluster/api/task.js';
import { addDays, weekdayOf, type Day } from './dates.js';

export const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;

/** `2026-12` → 5 or 6 weeks of 7 days, from the Monday on or before the 1st. */
export function monthGrid(month: string): Day[][] {
  const first = `${month}-01`;
  let day = addDays(first, -weekdayOf(first));
  const weeks: Day[][] = [];
  do {
    const week: Day[] = [];
    for (let i = 0; i < 7; i++) {
      week.push(day);
      day = addDays(day, 1);
    }
    weeks.push(week);
  } while (day.slice(0, 7) === month);
  return weeks;
}

/** Tasks with a due date, by day; within a day by time (untimed first), then title. */
export function tasksByDay(tasks: readonly Task[]): Map<Day, Task[]> {
  const out = new Map<Day, Task[]>();
  for (const t of tasks) {
    if (t.dueDate === null) continue;
    const list = out.get(t.dueDate);
    if (list === undefined) out.set(t.dueDate, [t]);
    else list.push(t);
  }
  for (const list of out.values()) {
    list.sort(
      (a, b) => (a.dueTime ?? '').localeCompare(b.dueTime ?? '') || a.title.localeCompare(b.title),
    );
  }
  return out;
}
