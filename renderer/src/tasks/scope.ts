/**
 * The sidebar's views over the loaded tasks: which tasks a scope shows, and the counts the
 * sidebar displays. Client-side and pure: the window already holds every task (up to 10,000),
 * so a click filters at once, pending changes included, with no round trip; one pass over the
 * tasks computes every count.
 */
import type { Task } from '../../../cluster/api/task.js';
import type { Scope } from '../store/ui.js';
import { addDays, type Day } from './dates.js';

/** Upcoming: due in the next 7 days after today (as the API's `due=upcoming`). */
export const UPCOMING_DAYS = 7;

export type DueState = 'overdue' | 'today' | 'later' | 'none';

/** Where a task's due date falls relative to `today`; done tasks are never overdue. */
export function dueState(t: Task, today: Day): DueState {
  if (t.dueDate === null) return 'none';
  if (t.dueDate === today) return 'today';
  if (t.dueDate < today) return t.status === 'done' ? 'later' : 'overdue';
  return 'later';
}

export function inScope(t: Task, scope: Scope, today: Day): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'inbox':
      return t.projectId === null;
    case 'today':
      return t.dueDate === today;
    case 'upcoming':
      return t.dueDate !== null && t.dueDate > today && t.dueDate <= addDays(today, UPCOMING_DAYS);
    case 'overdue':
      return t.dueDate !== null && t.dueDate < today && t.status !== 'done';
    case 'project':
      return t.projectId === scope.id;
    case 'tag': {
      const name = scope.name.toLocaleLowerCase();
      return t.tags.some((x) => x.toLocaleLowerCase() === name);
    }
  }
}

export interface ScopeCounts {
  readonly all: number;
  readonly inbox: number;
  readonly today: number;
  readonly upcoming: number;
  readonly overdue: number;
  readonly byProject: ReadonlyMap<string, number>;
  /** Tag (first spelling seen) → tasks carrying it, by name ignoring case. */
  readonly tags: readonly { readonly name: string; readonly count: number }[];
}

/**
 * Counts of open top-level tasks per scope (what is left to do); tags count every task that
 * carries them. The scopes themselves filter as the API's `due`, `projectId` and `tag` do.
 */
export function scopeCounts(tasks: readonly Task[], today: Day): ScopeCounts {
  let all = 0;
  let inbox = 0;
  let todayN = 0;
  let upcoming = 0;
  let overdue = 0;
  const byProject = new Map<string, number>();
  const tags = new Map<string, { name: string; count: number }>();
  const horizon = addDays(today, UPCOMING_DAYS);
  for (const t of tasks) {
    for (const tag of t.tags) {
      const key = tag.toLocaleLowerCase();
      const seen = tags.get(key);
      if (seen === undefined) tags.set(key, { name: tag, count: 1 });
      else seen.count++;
    }
    if (t.parentId !== null || t.status === 'done') continue;
    all++;
    if (t.projectId === null) inbox++;
    else byProject.set(t.projectId, (byProject.get(t.projectId) ?? 0) + 1);
    const due = t.dueDate;
    if (due === null) continue;
    if (due < today) overdue++;
    else if (due === today) todayN++;
    else if (due <= horizon) upcoming++;
  }
  const tagList = [...tags.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { all, inbox, today: todayN, upcoming, overdue, byProject, tags: tagList };
}

export interface SubtaskProgress {
  readonly done: number;
  readonly total: number;
}

/** Parent id → how many of its subtasks are done. */
export function subtaskProgress(tasks: readonly Task[]): Map<string, SubtaskProgress> {
  const out = new Map<string, { done: number; total: number }>();
  for (const t of tasks) {
    if (t.parentId === null) continue;
    const p = out.get(t.parentId) ?? { done: 0, total: 0 };
    p.total++;
    if (t.status === 'done') p.done++;
    out.set(t.parentId, p);
  }
  return out;
}

/** The scope's name as a heading says it. */
export function scopeTitle(scope: Scope, projectName: (id: string) => string | undefined): string {
  switch (scope.kind) {
    case 'all':
      return 'All tasks';
    case 'inbox':
      return 'Inbox';
    case 'today':
      return 'Today';
    case 'upcoming':
      return 'Upcoming';
    case 'overdue':
      return 'Overdue';
    case 'project':
      return projectName(scope.id) ?? 'Project';
    case 'tag':
      return `#${scope.name}`;
  }
}
