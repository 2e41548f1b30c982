/**
 * HistoryLog (cluster/verify/workload): requests and answers become the checker's history by
 * the rules of history.ts — one record per Idempotency-Key, unknown outcomes never "failed",
 * refused requests left out, list reads split per task, stale reads kept apart.
 */
import { describe, expect, it } from 'vitest';
import { HistoryLog, type TaskRequest } from '../../cluster/verify/workload/index.js';
import { checkHistory } from '../../cluster/verify/index.js';
import { task } from './builders.js';

const q = (o: Record<string, string> = {}): URLSearchParams => new URLSearchParams(o);
const create = (key: string, title: string): TaskRequest => ({
  method: 'POST',
  path: '/tasks',
  query: q(),
  idempotencyKey: key,
  body: { title },
});
const written = (t: ReturnType<typeof task>, raftIndex = t.raftIndex) => ({
  task: t,
  raftIndex,
  term: 1,
  servedBy: 1,
});

describe('HistoryLog', () => {
  it('records a retried write once: first call, final answer', () => {
    const log = new HistoryLog();
    const p1 = log.begin('c1', create('k1', 'a'));
    log.finish(p1, { status: 503, body: { error: 'no_leader' } });
    const p2 = log.begin('c1', create('k1', 'a'));
    log.finish(p2, null);
    const p3 = log.begin('c1', create('k1', 'a'));
    const t = task('t1', 1);
    log.finish(p3, { status: 201, body: written(t) });
    const ops = log.ops();
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ f: 'create', call: p1.call, out: { status: 201, task: t } });
    expect(ops[0].ret).toBeGreaterThanOrEqual(p1.call);
    expect(log.acked).toEqual([
      { f: 'create', taskId: 't1', raftIndex: 1, version: 1, ret: ops[0].ret },
    ]);
    expect(log.unknownWrites()).toBe(0);
  });

  it('keeps a write with no definite answer as unknown, and leaves refused ones out', () => {
    const log = new HistoryLog();
    const p = log.begin('c1', {
      method: 'PATCH',
      path: '/tasks/t1',
      query: q(),
      idempotencyKey: 'k2',
      ifMatch: '"3"',
      body: { status: 'done' },
    });
    log.finish(p, { status: 500, body: undefined });
    const bad = log.begin('c1', create('k3', ''));
    log.finish(bad, { status: 400, body: { error: 'invalid_input' } });
    const ops = log.ops();
    expect(ops).toEqual([
      {
        f: 'update',
        client: 'c1',
        call: p.call,
        taskId: 't1',
        patch: { status: 'done' },
        expectedVersion: 3,
        ret: null,
        out: null,
      },
    ]);
    expect(log.unknownWrites()).toBe(1);
    expect(log.counts.refused).toBe(1);
  });

  it('splits a complete linearizable list per task and keeps stale reads apart', () => {
    const log = new HistoryLog();
    const t1 = task('t1', 1);
    const t2 = task('t2', 1, { title: 'b' });
    for (const t of [t1, t2]) {
      const p = log.begin('c1', create(`k-${t.id}`, t.title));
      log.finish(p, { status: 201, body: written(t) });
    }
    const list = log.begin('c2', { method: 'GET', path: '/tasks', query: q() });
    log.finish(list, { status: 200, body: { tasks: [t2], appliedIndex: 2, servedBy: 1 } });
    const stale = log.begin('c3', {
      method: 'GET',
      path: '/tasks',
      query: q({ consistency: 'stale' }),
    });
    log.finish(stale, { status: 200, body: { tasks: [t1], appliedIndex: 1, servedBy: 3 } });
    const reads = log.ops().filter((o) => o.f === 'read');
    expect(reads.map((r) => [r.taskId, r.out?.status])).toEqual([
      ['t2', 200],
      ['t1', 404],
    ]);
    expect(log.stale).toHaveLength(1);
    expect(log.stale[0]).toMatchObject({ servedBy: 3, appliedIndex: 1, complete: true });
    // t1 was created and acknowledged, then a complete list did not show it: not linearizable.
    expect(checkHistory(log.ops()).ok).toBe(false);
  });

  it('does not treat a filtered or truncated list as complete', () => {
    const log = new HistoryLog();
    const p = log.begin('c1', create('k', 'a'));
    log.finish(p, { status: 201, body: written(task('t1', 1)) });
    for (const query of [q({ status: 'done' }), q({ limit: '1' }), q({ offset: '1' })]) {
      const l = log.begin('c2', { method: 'GET', path: '/tasks', query });
      log.finish(l, { status: 200, body: { tasks: query.has('limit') ? [task('t9', 1)] : [] } });
    }
    expect(log.ops().filter((o) => o.f === 'read' && o.out?.status === 404)).toEqual([]);
    expect(checkHistory(log.ops()).ok).toBe(false); // t9: read but never created
  });
});
