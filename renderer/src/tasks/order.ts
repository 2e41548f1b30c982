/**
 * Card order within a board column: ascending `position`. A card put between two others gets the
 * midpoint of their positions, so one move is one PATCH. Repeated halving eventually leaves no
 * room between two doubles; then the whole column is renumbered in even steps.
 */
import { isStorablePosition, type Task } from '../../../cluster/api/task.js';

/** The gap between cards after renumbering, and the distance kept past either end. */
export const POSITION_STEP = 1024;

/** Ascending position; ties (equal positions from old data) by creation, then id. */
export function byPosition(a: Task, b: Task): number {
  return (
    a.position - b.position || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)
  );
}

export interface Placement {
  /** The moved card's new position. */
  readonly position: number;
  /** Other cards that must move too (only when the column was renumbered). */
  readonly renumber: readonly { readonly id: string; readonly position: number }[];
}

/** Too close to put a card between: the midpoint would round onto a neighbour, or nearly. */
export function tooClose(before: number, after: number): boolean {
  const scale = Math.max(1, Math.abs(before), Math.abs(after));
  return after - before <= scale * 1e-12;
}

/**
 * Where a card lands at `index` of `column` (sorted by byPosition, without the moved card):
 * between its neighbours, one step past the end it is put at, or, when there is no room left,
 * at `index` of a renumbered column.
 */
export function placeAt(column: readonly Task[], index: number): Placement {
  const i = Math.max(0, Math.min(index, column.length));
  const prev = column[i - 1];
  const next = column[i];
  if (prev === undefined && next === undefined) return { position: POSITION_STEP, renumber: [] };
  // A position the nodes refuse (too near 0, or past 1e15: isStorablePosition) is no room either.
  if (prev === undefined && next !== undefined) {
    const position = next.position - POSITION_STEP;
    if (isStorablePosition(position)) return { position, renumber: [] };
  } else if (next === undefined && prev !== undefined) {
    const position = prev.position + POSITION_STEP;
    if (isStorablePosition(position)) return { position, renumber: [] };
  } else {
    const a = (prev as Task).position;
    const b = (next as Task).position;
    const position = a + (b - a) / 2;
    if (!tooClose(a, b) && isStorablePosition(position)) return { position, renumber: [] };
  }
  const renumber: { id: string; position: number }[] = [];
  column.forEach((t, k) => {
    const position = (k < i ? k + 1 : k + 2) * POSITION_STEP;
    if (t.position !== position) renumber.push({ id: t.id, position });
  });
  return { position: (i + 1) * POSITION_STEP, renumber };
}
