/** Text that explains a failure: output tails, exits, one line per node, output after a failed test. */
import { beforeEach } from 'vitest';
import type { NodeStatus } from '../../../cluster/api/node.js';
import type { Cluster } from './cluster.js';
import type { ExitInfo } from './node-process.js';

/** The last `lines` lines of `text`, indented. */
export function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}

export function describeExit(exit: ExitInfo | undefined): string {
  if (!exit) return 'still running';
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return `exit code ${exit.code}`;
}

/** One line: process state, role, term, leader, commit/applied, MySQL. */
export function describeNode(
  id: number,
  proc: { readonly running: boolean; readonly exit: ExitInfo | undefined },
  status: NodeStatus | Error | undefined,
): string {
  if (!proc.running) return `  n${id}: not running (${describeExit(proc.exit)})`;
  const s = status;
  if (!s || s instanceof Error) return `  n${id}: running, status: ${s?.message ?? '?'}`;
  return (
    `  n${id}: ${s.role} term ${s.term} leader ${s.leaderId} commit ${s.commitIndex} ` +
    `applied ${s.appliedIndex} last ${s.lastLogIndex} mysql ${s.mysql.status}` +
    (s.mysql.error ? ` (${s.mysql.error})` : '')
  );
}

const FAILURE_LINES = 40;

/**
 * After a failed test, prints the last lines every node wrote (over all its starts), so the
 * failure report carries the nodes' side of the story.
 */
export function printNodeOutputOnFailure(get: () => Cluster | undefined): void {
  beforeEach((ctx) => {
    ctx.onTestFailed(() => {
      const c = get();
      if (!c) return;
      const parts = c.ids.map(
        (id) =>
          `--- node ${id} output (last ${FAILURE_LINES} lines) ---\n` +
          tail(c.nodeStderr(id, 'all'), FAILURE_LINES),
      );
      process.stderr.write(`${parts.join('\n')}\n`);
    });
  });
}
