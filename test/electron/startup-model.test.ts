/** The start-up view's model: progress per node and per step, from the supervisor's events. */
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterStatus } from '../../cluster/api/control.js';
import {
  EMPTY_MODEL,
  MAX_LINES,
  foldEvent,
  type StartupModel,
} from '../../electron/startup/model.js';

let seq = 0;
const at = '2025-01-01T00:00:00.000Z';
const progress = (message: string): ClusterEvent => ({ type: 'progress', message, seq: ++seq, at });

function fold(events: ClusterEvent[], from: StartupModel = EMPTY_MODEL): StartupModel {
  return events.reduce(foldEvent, from);
}

describe('foldEvent', () => {
  it('puts "nN mysql:" and "nN:" steps on node N’s row, the rest cluster-wide', () => {
    const m = fold([
      progress('new cluster of 2 node(s)'),
      progress('n2 mysql: initialising MariaDB data dir /d/n2/mysql (once)'),
      progress('n1 mysql: ready (1.2s)'),
      { type: 'mysql', nodeId: 1, status: 'connecting', server: 'running', seq: ++seq, at },
      progress('n1: starting node process'),
      { type: 'process', nodeId: 1, status: 'starting', seq: ++seq, at },
      progress('n1: listening on http://127.0.0.1:4000 (0.8s)'),
    ]);
    expect(m.nodes).toEqual([
      {
        id: 1,
        mysqlStep: 'ready (1.2s)',
        mysqlState: 'running',
        nodeStep: 'listening on http://127.0.0.1:4000 (0.8s)',
        process: 'starting',
        role: '',
      },
      {
        id: 2,
        mysqlStep: 'initialising MariaDB data dir /d/n2/mysql (once)',
        mysqlState: '',
        nodeStep: '',
        process: '',
        role: '',
      },
    ]);
    expect(m.lines).toHaveLength(5);
    expect(m.lines[0]).toBe('new cluster of 2 node(s)');
  });

  it('takes roles, process and MySQL states from status snapshots (seq 0 in a replay)', () => {
    const cluster = {
      nodes: [
        { id: 1, role: 'leader', status: 'running', reportedAt: at, mysql: { server: 'running' } },
        {
          id: 2,
          role: 'follower',
          status: 'starting',
          reportedAt: null,
          mysql: { server: 'starting' },
        },
      ],
    } as unknown as ClusterStatus;
    const m = fold([{ type: 'status', cluster, seq: 0, at }]);
    expect(m.nodes.map((n) => [n.id, n.role, n.process, n.mysqlState])).toEqual([
      [1, 'leader', 'running', 'running'],
      [2, '', 'starting', 'starting'],
    ]);
  });

  it('shows errors, ignores an event it has already folded, and keeps the last lines only', () => {
    const e = progress('n1: starting node process');
    const once = fold([e, { type: 'error', message: 'n1 crashed', seq: ++seq, at }]);
    expect(fold([e], once)).toBe(once);
    expect(once.lines).toEqual(['n1: starting node process', 'error: n1 crashed']);
    const many = fold(Array.from({ length: MAX_LINES + 10 }, (_, i) => progress(`line ${i}`)));
    expect(many.lines).toHaveLength(MAX_LINES);
    expect(many.lines.at(-1)).toBe(`line ${MAX_LINES + 9}`);
  });
});
