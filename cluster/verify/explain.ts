/**
 * Human-readable account of why a (small, shrunk) set of operations on one task cannot be
 * linearized: the operations in call order, the real-time order they must respect, and the
 * closest attempt — the longest order that explains every answer so far — with the reason each
 * operation that could come next does not fit. Meant for people learning what linearizability
 * means, so it names the anomaly ("stale read", "lost update") when it can.
 */
import type { Op } from './history.js';
import { closestAttempt } from './attempt.js';
import { ANY, created, patched, type State, type TaskState } from './model.js';

/**
 * `ops`: the counterexample; `relaxed`: writes whose answers shrinking set aside — not part of
 * the proof, but they may have happened, and the closest attempt may use them.
 */
export function explain(
  taskId: string,
  ops: readonly Op[],
  start: State,
  relaxed: readonly Op[] = [],
): string {
  const order = ops.slice().sort((a, b) => a.call - b.call);
  const label = new Map(order.map((op, k) => [op, `#${k + 1}`]));
  const name = (op: Op): string => label.get(op) ?? '#?';
  const from =
    start === ANY ? 'whatever state the task was in before' : `starting ${describe(start)}`;
  const lines = [
    `Task ${taskId}: no order of ${ops.length === 1 ? 'this operation' : `these ${ops.length} operations`} respects real time and explains every answer (${from}).`,
    ...order.map((op) => `  ${name(op)} ${describeOp(op)}`),
  ];
  const before = realTimeEdges(ops);
  if (before.length > 0) {
    const edges = before.map(
      ([a, b]) => `${name(ops[a])} returned before ${name(ops[b])} was called`,
    );
    lines.push(`Real time: ${edges.join('; ')}.`);
  }
  const best = closestAttempt(ops, relaxed, start);
  const extra = best.placed.filter((op) => !label.has(op));
  extra.forEach((op, k) => label.set(op, `~${k + 1}`));
  const placed = best.placed.map(name);
  lines.push(
    placed.length === 0
      ? 'No operation can go first:'
      : `Closest attempt: ${placed.join(' → ')} leaves ${describe(best.state)}; then nothing fits:`,
  );
  for (const i of best.blocked) lines.push(`  ${name(ops[i])}: ${whyNot(best.state, ops[i])}`);
  // Only if the attempt's own search limit was hit before the contradiction (a huge example).
  if (best.blocked.length === 0) lines.push('  (the attempt stopped at its search limit)');
  if (extra.length > 0) {
    lines.push('Writes whose answers were set aside (they may have happened), used above:');
    for (const op of extra) lines.push(`  ${name(op)} ${describeOp(op)}`);
  }
  return lines.join('\n');
}

export function describeOp(op: Op): string {
  const until = op.out === null ? op.until : undefined;
  const end = op.ret !== null ? fmt(op.ret) : until !== undefined ? fmt(until) : '?';
  const when = `[${fmt(op.call)} – ${end} ms]`;
  const ev = op.f === 'update' || op.f === 'delete' ? op.expectedVersion : undefined;
  const ifv = ev !== undefined ? ` if v${ev}` : '';
  const what =
    op.f === 'create'
      ? `create ${JSON.stringify(op.input)}`
      : op.f === 'update'
        ? `update ${JSON.stringify(op.patch)}${ifv}`
        : op.f === 'delete'
          ? `delete${ifv}`
          : 'read';
  let result = until !== undefined ? 'answer set aside' : 'outcome unknown';
  if (op.out !== null) {
    result =
      'task' in op.out ? `${op.out.status} ${describeState(op.out.task)}` : `${op.out.status}`;
  }
  return `client ${op.client} ${when} ${what} → ${result}`;
}

export function describeState(s: TaskState): string {
  const desc = s.description.length > 40 ? `${s.description.slice(0, 40)}…` : s.description;
  const parts = [`title ${JSON.stringify(s.title)}`, s.status, s.priority];
  if (desc !== '') parts.push(`description ${JSON.stringify(desc)}`);
  if (s.dueDate !== null) parts.push(`due ${s.dueDate}`);
  return `v${s.version} {${parts.join(', ')}}`;
}

/** "the task absent" / "the task at v2 {…}" / "the task in any state". */
function describe(s: State): string {
  if (s === null) return 'the task absent';
  return s === ANY ? 'the task in any state' : `the task at ${describeState(s)}`;
}

/** Why an answered operation cannot be the next one in state `s`. */
export function whyNot(s: State, op: Op): string {
  if (op.out === null) return 'its outcome is unknown, so it always fits';
  // From ANY only an answer that contradicts its own request fails (see `fits`).
  if (s === ANY) return 'its answer contradicts its own request';
  const at = s === null ? 'the task does not exist' : `the task is at ${describeState(s)}`;
  switch (op.f) {
    case 'create':
      if (op.out.status === 409) return `a create only conflicts with an existing task, but ${at}`;
      if (s !== null) return `it created the task, but ${at} already`;
      return `it answered ${describeState(op.out.task)}, not what it asked for: ${describeState(created(op.input))}`;
    case 'read':
      if (op.out.status === 404) return `it found nothing, but ${at}`;
      if (s === null) {
        return `it read ${describeState(op.out.task)}, but ${at} (not created yet, or deleted)`;
      }
      return op.out.task.version < s.version
        ? `it read ${describeState(op.out.task)}, but ${at}: a stale read`
        : `it read ${describeState(op.out.task)}, but ${at}: a value no write in this order produced`;
    case 'update':
    case 'delete': {
      if (op.out.status === 404) return `it answered 404, but ${at}`;
      if (s === null) return `it answered ${op.out.status}, but ${at}`;
      const ev = op.expectedVersion;
      if (op.out.status === 409) {
        return ev === undefined
          ? `it answered 409 without an expected version`
          : `it answered 409, but ${at}, which matches its expected version`;
      }
      if (ev !== undefined && ev !== s.version) {
        return `it succeeded with expected version ${ev}, but ${at}: it should have been a 409 (a lost update, if another write had already moved the task on)`;
      }
      if (op.f === 'update' && 'task' in op.out) {
        return `it answered ${describeState(op.out.task)}, but patching the task gives ${describeState(patched(s, op.patch))}`;
      }
      return `it does not fit: ${at}`;
    }
  }
}

/** Pairs (a, b) where a returned before b was called, without the ones implied transitively. */
function realTimeEdges(ops: readonly Op[]): [number, number][] {
  const lt = (a: number, b: number): boolean => {
    const r = ops[a].ret;
    return r !== null && r < ops[b].call;
  };
  const edges: [number, number][] = [];
  for (let a = 0; a < ops.length; a++) {
    for (let b = 0; b < ops.length; b++) {
      if (lt(a, b) && !ops.some((_, c) => lt(a, c) && lt(c, b))) edges.push([a, b]);
    }
  }
  return edges.sort((x, y) => ops[x[0]].call - ops[y[0]].call);
}

function fmt(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(1);
}
