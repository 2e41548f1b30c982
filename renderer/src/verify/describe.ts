/** Words for one recorded operation, for the counterexample's timeline and its list. */
import type { Op } from '../../../cluster/verify/history.js';

function patchText(patch: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(patch).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? '{}' : parts.join(', ');
}

/** What was asked, e.g. `update status="done"`. */
export function opCall(op: Op): string {
  switch (op.f) {
    case 'create':
      return `create “${op.input.title}”`;
    case 'read':
      return 'read';
    case 'update':
      return `update ${patchText(op.patch)}${op.expectedVersion === undefined ? '' : ` if v${op.expectedVersion}`}`;
    case 'delete':
      return `delete${op.expectedVersion === undefined ? '' : ` if v${op.expectedVersion}`}`;
  }
}

/** What came back, e.g. `200 v4 “Buy milk” done`, or that nothing did. */
export function opResult(op: Op): string {
  if (op.out === null) return 'no answer (may have taken effect)';
  const out = op.out;
  if ('task' in out) {
    const t = out.task;
    return `${out.status} v${t.version} “${t.title}” ${t.status}`;
  }
  return String(out.status);
}

export function opText(op: Op): string {
  const when = op.ret === null ? `from ${ms(op.call)}, open-ended` : `${ms(op.call)}–${ms(op.ret)}`;
  return `${op.client}: ${opCall(op)} → ${opResult(op)} (${when})`;
}

export function ms(t: number): string {
  return t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${Math.round(t)} ms`;
}
