/**
 * Mutations of one answer in a linearizable history, and whether the mutation is observable —
 * provably impossible in every linearization — for the histories `synthesize` makes (one create
 * per task id, ids never reused).
 */
import { taskIdOf, type Op, type ReadOp } from '../../cluster/verify/index.js';
import { SimRng } from '../../cluster/sim/rng.js';
import { task } from './builders.js';

export type ReadMutation = 'never-written' | 'older' | 'gone' | 'ghost';

export interface Mutated {
  readonly ops: Op[];
  readonly victim: ReadOp;
  readonly kind: ReadMutation;
  /** True when no linearization can explain the mutated answer, whatever the lost writes did. */
  readonly observable: boolean;
}

/** Mutates one answered read of `ops`, or returns undefined if the history has none. */
export function mutateRead(ops: readonly Op[], rng: SimRng): Mutated | undefined {
  const reads = ops.flatMap((op, i) => (op.f === 'read' && op.out !== null ? [i] : []));
  if (reads.length === 0) return undefined;
  const at = rng.pick(reads);
  const r = ops[at] as ReadOp & { ret: number };
  const out = r.out;
  if (out === null) return undefined;
  let victim: ReadOp;
  let kind: ReadMutation;
  let observable: boolean;
  const span = { f: 'read' as const, client: r.client, call: r.call, taskId: r.taskId, ret: r.ret };
  if (out.status === 404) {
    kind = 'ghost';
    victim = { ...span, out: { status: 200, task: task(r.taskId, 1, { title: 'ghost' }) } };
    observable = true; // no create or patch ever writes that title
  } else {
    kind = rng.pick<ReadMutation>(['never-written', 'older', 'gone']);
    const t = out.task;
    if (kind === 'never-written') {
      victim = { ...span, out: { status: 200, task: { ...t, title: 'MUTANT' } } };
      observable = true;
    } else if (kind === 'older' && t.version > 1) {
      victim = { ...span, out: { status: 200, task: { ...t, version: t.version - 1 } } };
      observable = ops.some(
        (p) => taskIdOf(p) === r.taskId && before(p, r) && showsVersionAtLeast(p, t.version),
      );
    } else {
      kind = 'gone';
      victim = { ...span, out: { status: 404 } };
      const shownBefore = ops.some(
        (p) => taskIdOf(p) === r.taskId && before(p, r) && showsPresent(p),
      );
      const deleteMayPrecede = ops.some(
        (p) => p.f === 'delete' && p.taskId === r.taskId && p.call < r.ret,
      );
      observable = shownBefore && !deleteMayPrecede;
    }
  }
  const mutated = ops.slice();
  mutated[at] = victim;
  return { ops: mutated, victim, kind, observable };
}

/** `p` returned before `r` was called (strictly: the checker treats a tie as concurrent). */
function before(p: Op, r: Op): boolean {
  return p !== r && p.ret !== null && p.ret < r.call;
}

function showsVersionAtLeast(p: Op, v: number): boolean {
  if (p.out === null) return false;
  if (p.f === 'delete') return p.out.status === 200; // gone for good: ids are never reused
  return 'task' in p.out && p.out.task.version >= v;
}

function showsPresent(p: Op): boolean {
  if (p.out === null) return false;
  return p.out.status === 409 || 'task' in p.out;
}
