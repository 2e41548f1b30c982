/** Search, filter and sort of the task list: pure, run over up to 10,000 tasks per keystroke. */
import type { Task, TaskPriority } from '../../../cluster/api/task.js';
import type { SortKey, TaskFilter } from '../store/ui.js';

const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = { high: 0, medium: 1, low: 2 };
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export const SORT_LABELS: Readonly<Record<SortKey, string>> = {
  updated: 'Recently updated',
  created: 'Recently created',
  title: 'Title',
  priority: 'Priority',
  due: 'Due date',
};

function compare(sort: SortKey): (a: Task, b: Task) => number {
  switch (sort) {
    case 'updated':
      return (a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id);
    case 'created':
      return (a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);
    case 'title':
      return (a, b) => collator.compare(a.title, b.title) || a.id.localeCompare(b.id);
    case 'priority':
      return (a, b) =>
        PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
        b.updatedAt.localeCompare(a.updatedAt);
    case 'due':
      // Tasks without a due date last; "YYYY-MM-DD" sorts as text.
      return (a, b) =>
        (a.dueDate ?? '9999-99-99').localeCompare(b.dueDate ?? '9999-99-99') ||
        collator.compare(a.title, b.title);
  }
}

export function filterAndSort(tasks: readonly Task[], f: TaskFilter): Task[] {
  const q = f.q.trim().toLocaleLowerCase();
  const out = tasks.filter(
    (t) =>
      (f.status === 'all' || t.status === f.status) &&
      (f.priority === 'all' || t.priority === f.priority) &&
      (q === '' ||
        t.title.toLocaleLowerCase().includes(q) ||
        t.description.toLocaleLowerCase().includes(q)),
  );
  return out.sort(compare(f.sort));
}
