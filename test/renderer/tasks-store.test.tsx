// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import type { WriteOptions } from '../../renderer/src/api/types.js';
import type { Change } from '../../renderer/src/store/changes.js';
import { overlay } from '../../renderer/src/store/changes.js';
import { FakeApi, makeTask, noQuorum } from './fake-api.js';
import { testStores } from './setup.js';

function keyOf(call: { args: readonly unknown[] }): string {
  return (call.args[call.args.length - 1] as WriteOptions).idempotencyKey;
}

function only(changes: readonly Change[]): Change {
  expect(changes).toHaveLength(1);
  return changes[0] as Change;
}

describe('tasks store', () => {
  it('shows a create as pending, then committed at the index the cluster answered', async () => {
    const api = new FakeApi();
    api.holding = true;
    const { tasks } = testStores(api);
    tasks.getState().createTask({ title: '  Buy milk ' });

    const pending = only(tasks.getState().changes);
    expect(pending.state.phase).toBe('pending');
    // Shown at once, before the cluster answers.
    const shown = overlay(tasks.getState().tasks, tasks.getState().changes);
    expect(shown.map((t) => t.title)).toEqual(['Buy milk']);

    api.release();
    await vi.waitFor(() => expect(only(tasks.getState().changes).state.phase).toBe('committed'));
    const done = only(tasks.getState().changes);
    expect(done.state).toMatchObject({ phase: 'committed', raftIndex: 101, term: 3 });
    // The provisional id gave way to the cluster's.
    const [task] = Object.values(tasks.getState().tasks);
    expect(task?.title).toBe('Buy milk');
    expect(done.taskId).toBe(task?.id);
  });

  it('keeps a change pending on 503 no_leader, says why, and retries with the same key', async () => {
    const api = new FakeApi();
    api.writeFailures.push(noQuorum(), noQuorum());
    // Slow retries, so the state between attempts can be looked at.
    const { tasks } = testStores(api, { retry: { baseMs: 60, maxMs: 60 } });
    tasks.getState().createTask({ title: 'Survives no quorum' });

    await vi.waitFor(() => {
      const c = only(tasks.getState().changes);
      expect(c.state.phase === 'pending' && c.state.message).toMatch(/No quorum/);
    });
    const waiting = only(tasks.getState().changes);
    expect(waiting.state).toMatchObject({ phase: 'pending', inFlight: false });

    await vi.waitFor(() => expect(only(tasks.getState().changes).state.phase).toBe('committed'));
    const creates = api.callsOf('createTask');
    expect(creates).toHaveLength(3);
    expect(new Set(creates.map(keyOf)).size).toBe(1);
    // Applied once.
    expect(api.tasks.size).toBe(1);
  });

  it('a new leader releases waiting changes at once', async () => {
    const api = new FakeApi();
    api.writeFailures.push(noQuorum());
    const stores = testStores(api, { retry: { baseMs: 60_000, maxMs: 60_000 } });
    stores.tasks.getState().createTask({ title: 'Waits for a leader' });
    await vi.waitFor(() =>
      expect(only(stores.tasks.getState().changes).state).toMatchObject({ inFlight: false }),
    );
    stores.events.getState().push({
      type: 'election',
      seq: 1,
      at: new Date().toISOString(),
      leaderId: 2,
      term: 4,
      durationMs: 300,
    });
    await vi.waitFor(() =>
      expect(only(stores.tasks.getState().changes).state.phase).toBe('committed'),
    );
    stores.dispose();
  });

  it('sends changes to one task in order, each with If-Match of the version before it', async () => {
    const t = makeTask(1);
    const api = new FakeApi([t]);
    const { tasks } = testStores(api);
    await tasks.getState().loadTasks();
    tasks.getState().updateTask(t.id, { title: 'Renamed' });
    tasks.getState().moveTask(t.id, 'done');
    await vi.waitFor(() =>
      expect(tasks.getState().changes.every((c) => c.state.phase === 'committed')).toBe(true),
    );
    const updates = api.callsOf('updateTask');
    expect(updates.map((c) => (c.args[2] as WriteOptions).ifMatch)).toEqual([1, 2]);
    expect(tasks.getState().tasks[t.id]).toMatchObject({
      title: 'Renamed',
      status: 'done',
      version: 3,
    });
  });

  it('fails a version conflict, reloads, and shows the cluster’s version', async () => {
    const t = makeTask(1);
    const api = new FakeApi([t]);
    const { tasks } = testStores(api);
    await tasks.getState().loadTasks();
    // Someone else edits first.
    api.tasks.set(t.id, { ...t, title: 'Theirs', version: 2 });
    tasks.getState().updateTask(t.id, { title: 'Mine' });
    await vi.waitFor(() => expect(only(tasks.getState().changes).state.phase).toBe('failed'));
    await vi.waitFor(() => expect(tasks.getState().tasks[t.id]?.title).toBe('Theirs'));
    const c = only(tasks.getState().changes);
    expect(c.state.phase === 'failed' && c.state.error.code).toBe('version_conflict');
  });

  it('delete waits out the undo window; undo sends nothing', async () => {
    const t = makeTask(1);
    const api = new FakeApi([t]);
    const { tasks } = testStores(api, { settings: { undoMs: 50 } });
    await tasks.getState().loadTasks();

    const first = tasks.getState().deleteTask(t.id);
    expect(first).not.toBeNull();
    expect(overlay(tasks.getState().tasks, tasks.getState().changes)).toHaveLength(0);
    expect(tasks.getState().undoDelete(first ?? '')).toBe(true);
    expect(overlay(tasks.getState().tasks, tasks.getState().changes)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(api.callsOf('deleteTask')).toHaveLength(0);

    tasks.getState().deleteTask(t.id);
    await vi.waitFor(() => expect(api.callsOf('deleteTask')).toHaveLength(1));
    await vi.waitFor(() => expect(only(tasks.getState().changes).state.phase).toBe('committed'));
    expect(api.tasks.size).toBe(0);
  });

  it('a refused create fails with the field details and is not retried', async () => {
    const api = new FakeApi();
    api.writeFailures.push(
      new ApiRequestError(400, 'invalid_input', 'invalid task', { title: 'must not be empty' }),
    );
    const { tasks } = testStores(api);
    tasks.getState().createTask({ title: 'x' });
    await vi.waitFor(() => expect(only(tasks.getState().changes).state.phase).toBe('failed'));
    const c = only(tasks.getState().changes);
    expect(c.state.phase === 'failed' && c.state.error.details).toEqual({
      title: 'must not be empty',
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(api.callsOf('createTask')).toHaveLength(1);
  });

  it('a list read before our own write does not hide that write', async () => {
    const api = new FakeApi();
    const { tasks } = testStores(api);
    tasks.getState().createTask({ title: 'Fresh' });
    await vi.waitFor(() => expect(only(tasks.getState().changes).state.phase).toBe('committed'));
    // A read served at an older applied index, e.g. a stale read from a lagging node.
    api.tasks.clear();
    api.index = 50;
    await tasks.getState().loadTasks('stale');
    expect(Object.values(tasks.getState().tasks).map((t) => t.title)).toEqual(['Fresh']);
  });
});
