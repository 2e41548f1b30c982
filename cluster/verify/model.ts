/**
 * The sequential specification of ONE task, the object the checker linearizes: its state is
 * `absent` or `{version, fields}`, and each operation either fits the state (and gives the next
 * state) or does not. It mirrors `execute` in db/statemachine.ts, which is what every replica
 * runs; createdAt/updatedAt/raftIndex are chosen by the server and are not part of the model.
 */
import type { Task, TaskInput, TaskPatch } from '../api/task.js';
import type { Op } from './history.js';

/** What the model compares: the fields a client sets, and the version. */
export type TaskState = Pick<
  Task,
  'version' | 'title' | 'description' | 'status' | 'priority' | 'dueDate'
>;

/** Interned state 0: the task does not exist. */
export const ABSENT = 0;
/** `step`'s answer when the operation cannot happen in that state. */
export const NO = -1;

/** The state a create starts from: the schema's defaults, and the title trimmed as the API does. */
export function created(input: TaskInput): TaskState {
  return {
    version: 1,
    title: input.title.trim(),
    description: input.description ?? '',
    status: input.status ?? 'todo',
    priority: input.priority ?? 'medium',
    dueDate: input.dueDate ?? null,
  };
}

export function patched(s: TaskState, patch: TaskPatch): TaskState {
  return {
    version: s.version + 1,
    title: patch.title !== undefined ? patch.title.trim() : s.title,
    description: patch.description ?? s.description,
    status: patch.status ?? s.status,
    priority: patch.priority ?? s.priority,
    dueDate: patch.dueDate !== undefined ? patch.dueDate : s.dueDate,
  };
}

export function sameState(s: TaskState, t: TaskState): boolean {
  return (
    s.version === t.version &&
    s.title === t.title &&
    s.description === t.description &&
    s.status === t.status &&
    s.priority === t.priority &&
    s.dueDate === t.dueDate
  );
}

/**
 * A state of the model: absent (null), a known task, or ANY — "could be anything". ANY is the
 * start of windows and of shrinking: a piece cut out of a long history must not fail merely
 * because the create that preceded it was cut away. Every answer that shows the whole task (a
 * read, a successful write) pins ANY down to a known state.
 */
export type State = TaskState | null | typeof ANY;
export const ANY = 'any';

/**
 * The model of one task over the operations of one partition. States are interned to small
 * integers so the search can memoize (linearized set, state) pairs cheaply, and each
 * (state, operation) transition is computed once.
 */
export class TaskModel {
  private readonly states: State[] = [null];
  private readonly index = new Map<string, number>();
  private readonly transitions = new Map<number, number>();
  /** The interned initial state. */
  readonly initial: number;

  /** `initial`: the task before the history started (absent unless given). */
  constructor(
    private readonly ops: readonly Op[],
    initial: State = null,
  ) {
    this.initial = this.intern(initial);
  }

  state(id: number): State {
    return this.states[id];
  }

  intern(s: State): number {
    if (s === null) return ABSENT;
    const key =
      s === ANY
        ? ANY
        : JSON.stringify([s.version, s.title, s.description, s.status, s.priority, s.dueDate]);
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(s);
      this.index.set(key, id);
    }
    return id;
  }

  /** The state after operation `i` in state `state`, or NO. */
  step(state: number, i: number): number {
    const key = state * this.ops.length + i;
    let next = this.transitions.get(key);
    if (next === undefined) {
      const after = apply(this.states[state], this.ops[i]);
      next = after === undefined ? NO : this.intern(after);
      this.transitions.set(key, next);
    }
    return next;
  }
}

/**
 * One step of the specification: the state after `op` in state `s`, or undefined when the
 * operation cannot happen there. For an unknown outcome only an effective write is a step: the
 * write either happened here or never, and taking it as a no-op is never needed — leaving it
 * unplaced keeps the choice open — so pruning those steps loses no linearization.
 */
export function apply(s: State, op: Op): State | undefined {
  if (op.out === null) return effect(s, op);
  if (!fits(s, op)) return undefined;
  if (op.f === 'read') return op.out.status === 200 ? stateOf(op.out.task) : null;
  switch (op.out.status) {
    case 201:
      return stateOf(op.out.task);
    case 200:
      return 'task' in op.out ? stateOf(op.out.task) : null;
    case 404:
      return null;
    case 409:
      return s;
  }
}

/** Whether an answered operation's result is what the model gives in state `s`. */
export function fits(s: State, op: Op): boolean {
  if (op.out === null) return true;
  if (s === ANY) return fitsAny(op);
  switch (op.f) {
    case 'create':
      if (op.out.status === 409) return s !== null;
      return s === null && sameState(created(op.input), op.out.task);
    case 'read':
      return op.out.status === 404 ? s === null : s !== null && sameState(s, op.out.task);
    case 'update':
    case 'delete': {
      if (op.out.status === 404) return s === null;
      if (s === null) return false;
      const matches = versionMatches(s, op.expectedVersion);
      if (op.out.status === 409) return !matches;
      if (!matches) return false;
      return (
        op.f === 'delete' || ('task' in op.out && sameState(patched(s, op.patch), op.out.task))
      );
    }
  }
}

/** From "any state", an answer fits unless it contradicts its own request. */
function fitsAny(op: Op): boolean {
  if (op.out === null || op.out.status === 404) return true;
  if (op.f === 'create') return op.out.status === 409 || sameState(created(op.input), op.out.task);
  if (op.f === 'read') return true;
  if (op.out.status === 409) return op.expectedVersion !== undefined;
  if (op.f === 'delete' || !('task' in op.out)) return true;
  const t = op.out.task;
  const before = { ...t, version: t.version - 1 };
  return (
    t.version >= 2 &&
    versionMatches(before, op.expectedVersion) &&
    sameState(patched(before, op.patch), t)
  );
}

/** Just the model's fields of a task from an answer (it also carries timestamps and an index). */
export function stateOf(t: TaskState): TaskState {
  return {
    version: t.version,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    dueDate: t.dueDate,
  };
}

function versionMatches(s: TaskState, expected: number | undefined): boolean {
  return expected === undefined || expected === s.version;
}

/**
 * The state a write with a lost answer leaves if it takes effect, or undefined when it would
 * change nothing we can know (it would fail, it is a read, or the state stays ANY).
 */
export function effect(s: State, op: Op): State | undefined {
  if (s === ANY) {
    // Only what pins the state down is worth a step: a create (it succeeded, so it was absent)
    // or a delete. An update from ANY stays ANY.
    if (op.f === 'create') return created(op.input);
    return op.f === 'delete' ? null : undefined;
  }
  switch (op.f) {
    case 'read':
      return undefined;
    case 'create':
      return s === null ? created(op.input) : undefined;
    case 'update':
      return s !== null && versionMatches(s, op.expectedVersion) ? patched(s, op.patch) : undefined;
    case 'delete':
      return s !== null && versionMatches(s, op.expectedVersion) ? null : undefined;
  }
}
