/**
 * Pruning for the search: what the operations not yet placed still need of the task.
 *
 * A task's version only grows while it exists; once deleted it stays absent unless a create is
 * still to come, and once present it stays so unless a delete is. So a branch is dead as soon as
 * the state has moved past what some unplaced answered operation needs: a read of v3 when the
 * task is at v5 and no delete-then-create is left to start over, a 404 still to place when no
 * delete is left, any answer that needs the task when it is gone for good. Without this the
 * search would wander through every subset of the lost-answer updates (each one "fits", bumping
 * the version) before noticing that nothing can be read any more.
 */
import type { Op } from './history.js';
import { FieldWatch } from './fields.js';
import { ANY, type State } from './model.js';

/** What an answered operation needs before it: the task present, and maybe an exact version. */
export function needs(op: Op): { version?: number } | undefined {
  if (op.out === null) return undefined;
  switch (op.f) {
    case 'create':
      return op.out.status === 409 ? {} : undefined;
    case 'read':
      return op.out.status === 200 ? { version: op.out.task.version } : undefined;
    case 'update':
      if (op.out.status === 404) return undefined;
      return 'task' in op.out ? { version: op.out.task.version - 1 } : {};
    case 'delete':
      if (op.out.status === 404) return undefined;
      return op.out.status === 200 && op.expectedVersion !== undefined
        ? { version: op.expectedVersion }
        : {};
  }
}

/** Whether an answered operation needs the task absent before it. */
function needsAbsent(op: Op): boolean {
  if (op.out === null) return false;
  return op.out.status === 404 || op.out.status === 201;
}

export class Horizon {
  private readonly need: ({ version?: number } | undefined)[];
  private readonly absent: boolean[];
  private readonly isCreate: boolean[];
  private readonly isDelete: boolean[];
  /** Rank of each needed version among the distinct ones, for the Fenwick tree. */
  private readonly rank = new Map<number, number>();
  private readonly sorted: number[];
  private readonly tree: Int32Array;
  private createsLeft = 0;
  private deletesLeft = 0;
  private presenceLeft = 0;
  private absenceLeft = 0;

  private readonly fields: FieldWatch;

  constructor(ops: readonly Op[]) {
    this.fields = new FieldWatch(ops);
    this.need = ops.map(needs);
    this.absent = ops.map(needsAbsent);
    this.isCreate = ops.map((op) => op.f === 'create');
    this.isDelete = ops.map((op) => op.f === 'delete');
    const versions = new Set<number>();
    for (const n of this.need) if (n?.version !== undefined) versions.add(n.version);
    this.sorted = [...versions].sort((a, b) => a - b);
    this.sorted.forEach((v, i) => this.rank.set(v, i + 1));
    this.tree = new Int32Array(this.sorted.length + 1);
    ops.forEach((_, i) => this.count(i, +1));
  }

  /** Operation `i` has been placed (-1) or taken back (+1). */
  private count(i: number, delta: 1 | -1): void {
    this.fields.count(i, delta);
    if (this.isCreate[i]) this.createsLeft += delta;
    if (this.isDelete[i]) this.deletesLeft += delta;
    if (this.absent[i]) this.absenceLeft += delta;
    const n = this.need[i];
    if (n === undefined) return;
    this.presenceLeft += delta;
    if (n.version === undefined) return;
    for (let r = this.rank.get(n.version)!; r < this.tree.length; r += r & -r)
      this.tree[r] += delta;
  }

  place(i: number): void {
    this.count(i, -1);
  }

  unplace(i: number): void {
    this.count(i, +1);
  }

  /** True when some unplaced answered operation can never fit after state `s`. */
  dead(s: State): boolean {
    if (s === ANY) return false;
    if (this.fields.dead(s)) return true;
    if (s === null) return this.createsLeft === 0 && this.presenceLeft > 0;
    // Present with no delete left: a 404 still to place can never fit.
    if (this.absenceLeft > 0 && this.deletesLeft === 0) return true;
    return !this.canStartOver() && this.below(s.version) > 0;
  }

  /**
   * True when no write with a lost answer can usefully take effect in state `s`: an update or a
   * delete would move the task past what some unplaced operation needs now, and from absent only
   * a create does anything.
   */
  frozen(s: State): boolean {
    if (s === ANY) return false;
    if (s === null) return this.createsLeft === 0;
    return !this.canStartOver() && this.below(s.version + 1) > 0;
  }

  /** Whether versions can still go down: a delete and then a create are both left to place. */
  private canStartOver(): boolean {
    return this.createsLeft > 0 && this.deletesLeft > 0;
  }

  /** How many unplaced operations need a version strictly below `v`. */
  private below(v: number): number {
    // Binary search: the number of distinct needed versions < v is the rank to sum up to.
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    let sum = 0;
    for (let r = lo; r > 0; r -= r & -r) sum += this.tree[r];
    return sum;
  }
}
