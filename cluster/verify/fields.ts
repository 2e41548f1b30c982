/**
 * Field-value pruning for the search, the companion of horizon.ts for what versions cannot see.
 *
 * An answer shows field values: a read all of them, an update the ones its patch did not set
 * (those came from the state before it). Once the task's value for a field differs from what an
 * unplaced answer needs, and no unplaced write can set that value again, that answer can never
 * fit: the branch is dead. It catches at once a read of a value never written, or of one long
 * overwritten — which the search would otherwise prove only by trying every order of the writes
 * in between.
 */
import type { Op } from './history.js';
import { ANY, created, type State, type TaskState } from './model.js';

const FIELDS = ['title', 'description', 'status', 'priority', 'dueDate'] as const;
type Field = (typeof FIELDS)[number];

/** A (field, value) pair, interned. */
interface Need {
  readonly field: Field;
  readonly value: string | null;
}

export class FieldWatch {
  private readonly needs: Need[] = [];
  private readonly ids = new Map<string, number>();
  /** Per operation: the pairs its answer needs of the state before it, and the pairs it writes. */
  private readonly needed: number[][];
  private readonly writes: number[][];
  private readonly neededLeft: Int32Array;
  private readonly writersLeft: Int32Array;
  /** Pairs still needed that no unplaced write can produce: the ones to compare to the state. */
  private readonly orphans = new Set<number>();

  constructor(ops: readonly Op[]) {
    this.needed = ops.map((op) => this.neededBy(op));
    this.writes = ops.map((op) => this.writtenBy(op));
    this.neededLeft = new Int32Array(this.needs.length);
    this.writersLeft = new Int32Array(this.needs.length);
  }

  /** Operation `i` is unplaced (+1: the owner counts every operation in at the start) or placed (-1). */
  count(i: number, delta: 1 | -1): void {
    for (const id of this.needed[i]) {
      this.neededLeft[id] += delta;
      this.track(id);
    }
    for (const id of this.writes[i]) {
      this.writersLeft[id] += delta;
      this.track(id);
    }
  }

  /** True when some unplaced answer needs a value the state lost for good. */
  dead(s: State): boolean {
    if (s === ANY || this.orphans.size === 0) return false;
    for (const id of this.orphans) {
      const { field, value } = this.needs[id];
      if (s === null || s[field] !== value) return true;
    }
    return false;
  }

  private track(id: number): void {
    if (this.neededLeft[id] > 0 && this.writersLeft[id] === 0) this.orphans.add(id);
    else this.orphans.delete(id);
  }

  private neededBy(op: Op): number[] {
    if (op.out === null || !('task' in op.out) || op.f === 'create') return [];
    const t = op.out.task;
    const patched = op.f === 'update' ? op.patch : {};
    return FIELDS.filter((f) => patched[f] === undefined).map((f) => this.id(f, t[f]));
  }

  private writtenBy(op: Op): number[] {
    // A write answered 404 or 409 wrote nothing; one with no answer may have.
    if (op.out !== null && op.out.status !== 200 && op.out.status !== 201) return [];
    if (op.f === 'create') {
      const s: TaskState = created(op.input);
      return FIELDS.map((f) => this.id(f, s[f]));
    }
    if (op.f !== 'update') return [];
    const p = op.patch;
    return FIELDS.flatMap((f) => {
      const v = f === 'title' ? p.title?.trim() : p[f];
      return v === undefined ? [] : [this.id(f, v)];
    });
  }

  private id(field: Field, value: string | null): number {
    const key = `${field}\u0000${value ?? '\u0001'}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.needs.length;
      this.needs.push({ field, value });
      this.ids.set(key, id);
    }
    return id;
  }
}
