/**
 * Moving a card to a place in a column: one PATCH with its new `position` (and `status` when
 * the column changes), plus one per card renumbered when the column had no room left. The
 * PATCHes are made in one go, so they are undone as one.
 */
import type { Task, TaskPatch, TaskStatus } from '../../../cluster/api/task.js';
import type { TasksStore } from '../store/tasks.js';
import { byPosition, placeAt } from './order.js';

/** The column as shown, in order. */
export function columnOf(tasks: readonly Task[], status: TaskStatus): Task[] {
  return tasks.filter((t) => t.status === status).sort(byPosition);
}

/**
 * Puts `id` at `index` of the `status` column (indices counted without the card itself).
 * Returns false when nothing changes.
 */
export function moveCard(
  store: TasksStore,
  shown: readonly Task[],
  id: string,
  status: TaskStatus,
  index: number,
): boolean {
  const card = shown.find((t) => t.id === id);
  if (card === undefined) return false;
  const full = columnOf(shown, status);
  const column = full.filter((t) => t.id !== id);
  if (card.status === status && full.indexOf(card) === index) return false;
  const { position, renumber } = placeAt(column, index);
  const s = store.getState();
  for (const r of renumber) s.updateTask(r.id, { position: r.position });
  const patch: TaskPatch = card.status === status ? { position } : { status, position };
  s.updateTask(id, patch);
  return true;
}

/** One place up (-1) or down (+1) within its column; false at either end. */
export function nudgeCard(
  store: TasksStore,
  shown: readonly Task[],
  id: string,
  by: -1 | 1,
): boolean {
  const card = shown.find((t) => t.id === id);
  if (card === undefined) return false;
  const column = columnOf(shown, card.status);
  const at = column.findIndex((t) => t.id === id);
  const to = at + by;
  if (to < 0 || to >= column.length) return false;
  return moveCard(store, shown, id, card.status, to);
}
