/**
 * Synthetic histories that are linearizable by construction, for the checker's tests, its
 * benchmark and demos: sequential clients issue operations with random latencies; each operation
 * takes effect at a random instant inside its [call, return] interval, and its answer is what the
 * sequential model gives at that instant. Some writes lose their answer (unknown outcome) and
 * then either took effect or not, at random. Seeded: the same options give the same history.
 */
import type { Task, TaskPatch, TaskPriority, TaskStatus } from '../api/task.js';
import { TASK_PRIORITIES, TASK_STATUSES } from '../api/task.js';
import { SimRng } from '../sim/rng.js';
import type { Op } from './history.js';
import { ANY, effect, type State, type TaskState } from './model.js';

export interface SynthOptions {
  readonly seed: number;
  readonly ops: number;
  readonly clients: number;
  /** How many tasks the clients keep alive at once. */
  readonly tasks: number;
  /** Share of operations whose answer is lost (reads with a lost answer are left out). */
  readonly unknownRate: number;
  /** Upper bound of each half of an operation's latency (ms): wider means more overlap. */
  readonly latencyMs?: number;
  /** Share of operations that are deletes (default 5%); each one makes room for a new task. */
  readonly deleteRate?: number;
}

/** What the generator decided before knowing the state; the answer is filled in later. */
interface Planned {
  readonly kind: 'create' | 'read' | 'update' | 'delete';
  readonly client: string;
  readonly taskId: string;
  readonly call: number;
  /** The instant the operation takes effect; +∞ when its answer was lost and it never applied. */
  readonly at: number;
  readonly ret: number | null;
  readonly title: string;
  readonly patch: TaskPatch;
  /**
   * Whether an update or delete names an expected version, and which: the one the task is at
   * when it takes effect ('fresh'), or the one before ('stale': a client that read too early).
   * Chosen at that instant — as a client that read the task just before would — so conditional
   * writes mostly succeed and sometimes conflict, as in real use.
   */
  readonly condition: 'none' | 'fresh' | 'stale';
}

export function synthesize(o: SynthOptions): Op[] {
  const rng = new SimRng(o.seed, 'verify-synth');
  const latency = o.latencyMs ?? 20;
  const cursor = new Array<number>(o.clients).fill(0);
  const alive: string[] = [];
  const everCreated: string[] = [];
  const plans: Planned[] = [];
  let serial = 0;
  while (plans.length < o.ops) {
    const c = cursor.indexOf(Math.min(...cursor));
    const call = cursor[c] + rng.float() * 3;
    const at = call + rng.float() * latency;
    const lost = rng.chance(o.unknownRate);
    const ret = lost ? null : at + rng.float() * latency;
    // A client that lost an answer waits out a timeout before its next request.
    cursor[c] = ret ?? at + 2 * latency;
    const kind = chooseKind(rng, alive.length, o.tasks, o.deleteRate ?? 0.05);
    if (kind === 'read' && lost) continue; // a read with no answer says nothing
    const taskId =
      kind === 'create'
        ? `task-${o.seed}-${everCreated.length}`
        : rng.chance(0.05) || alive.length === 0
          ? rng.pick(everCreated)
          : rng.pick(alive);
    if (kind === 'create') {
      everCreated.push(taskId);
      alive.push(taskId);
    }
    if (kind === 'delete' && alive.includes(taskId)) alive.splice(alive.indexOf(taskId), 1);
    const conditional = (kind === 'update' || kind === 'delete') && rng.chance(0.5);
    plans.push({
      kind,
      client: `c${c + 1}`,
      taskId,
      call,
      // A lost write applied half the time: at its instant, or never.
      at: lost && rng.chance(0.5) ? Infinity : at,
      ret,
      title: `${kind} ${++serial}`,
      patch: randomPatch(rng, serial),
      condition: !conditional ? 'none' : rng.chance(0.85) ? 'fresh' : 'stale',
    });
  }
  return answer(plans);
}

function chooseKind(rng: SimRng, alive: number, target: number, deletes: number): Planned['kind'] {
  if (alive === 0 || (alive < target && rng.chance(0.5))) return 'create';
  const r = rng.float();
  if (r < deletes) return 'delete';
  return r < deletes + 0.45 ? 'update' : 'read';
}

function randomPatch(rng: SimRng, serial: number): TaskPatch {
  const patch: { -readonly [K in keyof TaskPatch]: TaskPatch[K] } = {};
  if (rng.chance(0.6)) patch.title = `title ${serial}`;
  if (rng.chance(0.4)) patch.status = rng.pick<TaskStatus>(TASK_STATUSES);
  if (rng.chance(0.3)) patch.priority = rng.pick<TaskPriority>(TASK_PRIORITIES);
  if (rng.chance(0.2)) patch.dueDate = rng.chance(0.5) ? null : '2030-01-31';
  if (Object.keys(patch).length === 0) patch.description = `note ${serial}`;
  return patch;
}

/** Runs the sequential model in order of effect instants and writes each answer. */
function answer(plans: readonly Planned[]): Op[] {
  const state = new Map<string, TaskState | null>();
  const out = new Map<Planned, Op>();
  // Writes that never applied come last (+∞), so they name a version the task ends at.
  for (const p of plans.slice().sort((a, b) => a.at - b.at)) {
    const before = state.get(p.taskId) ?? null;
    const blind = unanswered(p, expected(p, before));
    if (p.at === Infinity) {
      out.set(p, blind);
      continue;
    }
    const after = known(effect(before, blind));
    if (after !== undefined) state.set(p.taskId, after);
    out.set(p, p.ret === null ? blind : answered(p, p.ret, expected(p, before), before, after));
  }
  return plans.map((p) => out.get(p)!);
}

function expected(p: Planned, s: TaskState | null): number | undefined {
  if (p.condition === 'none') return undefined;
  const v = s?.version ?? 1;
  if (p.condition === 'fresh') return v;
  return v > 1 ? v - 1 : v + 1;
}

/** The generator starts every task absent, so the model never reaches ANY here. */
function known(s: State | undefined): TaskState | null | undefined {
  if (s === ANY) throw new Error('synth: the model reached ANY from a known start');
  return s;
}

/** The record with no answer; also what `effect` reads to apply the operation. */
function unanswered(p: Planned, expectedVersion: number | undefined): Op {
  const base = { client: p.client, call: p.call, taskId: p.taskId, ret: null, out: null };
  switch (p.kind) {
    case 'create':
      return { ...base, f: 'create', input: { title: p.title } };
    case 'read':
      return { ...base, f: 'read' };
    case 'update':
      return { ...base, f: 'update', patch: p.patch, expectedVersion };
    case 'delete':
      return { ...base, f: 'delete', expectedVersion };
  }
}

/** The record with the answer the model gives: `after` undefined means it changed nothing. */
function answered(
  p: Planned,
  ret: number,
  expectedVersion: number | undefined,
  before: TaskState | null,
  after: TaskState | null | undefined,
): Op {
  const base = { client: p.client, call: p.call, taskId: p.taskId, ret };
  const refused = before === null ? 404 : 409;
  switch (p.kind) {
    case 'create': {
      const input = { title: p.title };
      return after
        ? { ...base, f: 'create', input, out: { status: 201, task: toTask(p, after) } }
        : { ...base, f: 'create', input, out: { status: 409 } };
    }
    case 'read':
      return before
        ? { ...base, f: 'read', out: { status: 200, task: toTask(p, before) } }
        : { ...base, f: 'read', out: { status: 404 } };
    case 'update': {
      const u = { ...base, f: 'update' as const, patch: p.patch, expectedVersion };
      return after
        ? { ...u, out: { status: 200, task: toTask(p, after) } }
        : { ...u, out: { status: refused } };
    }
    case 'delete':
      return {
        ...base,
        f: 'delete',
        expectedVersion,
        out: { status: after === null ? 200 : refused },
      };
  }
}

/** A full Task for an answer; the server-chosen fields are filler the checker ignores. */
export function toTask(p: { taskId: string }, s: TaskState): Task {
  const at = new Date(Date.UTC(2030, 0, 1)).toISOString();
  return {
    ...s,
    id: p.taskId,
    dueTime: null,
    projectId: null,
    tags: [],
    parentId: null,
    recurrence: null,
    position: 0,
    completedAt: null,
    createdAt: at,
    updatedAt: at,
    raftIndex: s.version,
  };
}
