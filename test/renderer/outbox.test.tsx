// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { WriteOptions } from '../../renderer/src/api/types.js';
import { memoryOutbox, type OutboxStorage } from '../../renderer/src/store/outbox.js';
import { createStores, type Stores } from '../../renderer/src/store/stores.js';
import { guardUnload } from '../../renderer/src/store/unload-guard.js';
import { FakeApi, makeTask, noQuorum } from './fake-api.js';

/** A window's stores over `api`, keeping unsent changes in `outbox`. */
function page(api: FakeApi, outbox: OutboxStorage, retryMs = 20): Stores {
  return createStores(api, {
    storage: null,
    retry: { baseMs: retryMs, maxMs: retryMs },
    settings: { undoMs: 0 },
    schedule: (fn) => fn(),
    outbox,
  });
}

const optsOf = (c: { args: readonly unknown[] }): WriteOptions =>
  c.args[c.args.length - 1] as WriteOptions;

describe('outbox', () => {
  it('writes a change down before it is sent, and forgets it once committed', async () => {
    const api = new FakeApi([makeTask(1)]);
    const storage = memoryOutbox();
    let letPut: () => void = () => undefined;
    const put = storage.put;
    storage.put = (r) => new Promise((resolve) => (letPut = () => resolve(put(r))));
    const stores = page(api, storage);
    await stores.outbox?.ready;
    await stores.tasks.getState().loadTasks();

    stores.tasks.getState().updateTask(makeTask(1).id, { title: 'Kept' });
    await Promise.resolve();
    // The write is not sent before it is written down.
    expect(api.callsOf('updateTask')).toHaveLength(0);
    storage.put = put;
    letPut();
    await vi.waitFor(() => expect(api.tasks.get(makeTask(1).id)?.title).toBe('Kept'));
    await stores.outbox?.flushed();
    expect(storage.records.size).toBe(0);
    stores.dispose();
  });

  it('sends the changes of an earlier page again, in order, with the same keys and If-Match', async () => {
    const api = new FakeApi([makeTask(1)]);
    const storage = memoryOutbox();
    const first = page(api, storage);
    await first.tasks.getState().loadTasks();
    api.holding = true;
    first.tasks.getState().updateTask(makeTask(1).id, { title: 'Once' });
    first.tasks.getState().createTask({ title: 'New' });
    await vi.waitFor(() => expect(api.callsOf('updateTask')).toHaveLength(1));
    await first.outbox?.flushed();
    expect([...storage.records.values()].map((r) => r.kind)).toEqual(['update', 'create']);
    // The page goes away with both in flight; the update did reach the cluster meanwhile.
    first.dispose();
    api.holding = false;
    api.release();
    await vi.waitFor(() => expect(api.tasks.get(makeTask(1).id)?.version).toBe(2));

    const second = page(api, storage);
    await second.outbox?.ready;
    expect(second.tasks.getState().changes.map((c) => c.kind)).toEqual(['update', 'create']);
    await vi.waitFor(() =>
      expect(second.tasks.getState().changes.every((c) => c.state.phase === 'committed')).toBe(
        true,
      ),
    );
    const updates = api.callsOf('updateTask');
    expect(updates).toHaveLength(2);
    expect(optsOf(updates[1]!)).toEqual(optsOf(updates[0]!));
    // Answered from the session: applied once.
    expect(api.tasks.get(makeTask(1).id)?.version).toBe(2);
    expect([...api.tasks.values()].filter((t) => t.title === 'New')).toHaveLength(1);
    const creates = api.callsOf('createTask');
    expect(optsOf(creates.at(-1)!).idempotencyKey).toBe(optsOf(creates[0]!).idempotencyKey);
    await second.outbox?.flushed();
    expect(storage.records.size).toBe(0);
    // Taken over, not done by the user: nothing to undo.
    expect(second.undo.getState().entries).toEqual([]);
    second.dispose();
  });

  it('a resumed edit of a task not yet created waits for the create, then goes to its id', async () => {
    const api = new FakeApi();
    const storage = memoryOutbox();
    api.writeFailures.push(noQuorum());
    const first = page(api, storage, 60_000);
    const created = first.tasks.getState().createTask({ title: 'Draft' });
    const taskId = first.tasks.getState().changes.find((c) => c.id === created)?.taskId ?? '';
    first.tasks.getState().updateTask(taskId, { title: 'Final' });
    await vi.waitFor(() => expect(api.callsOf('createTask')).toHaveLength(1));
    await first.outbox?.flushed();
    first.dispose();

    const second = page(api, storage);
    await vi.waitFor(() => expect([...api.tasks.values()].map((t) => t.title)).toEqual(['Final']));
    second.dispose();
  });

  it('forgets a change that failed for good, and warns before leaving while one is unsent', async () => {
    const api = new FakeApi([makeTask(1)]);
    const storage = memoryOutbox();
    api.writeFailures.push(noQuorum());
    const stores = page(api, storage, 60_000);
    await stores.tasks.getState().loadTasks();
    const target = new EventTarget() as unknown as Window;
    const stop = guardUnload(stores.tasks, target);
    const leave = (): boolean => {
      const e = new Event('beforeunload', { cancelable: true });
      target.dispatchEvent(e);
      return e.defaultPrevented;
    };
    expect(leave()).toBe(false);
    stores.tasks.getState().updateTask(makeTask(1).id, { title: 'Waiting' });
    await vi.waitFor(() => expect(api.callsOf('updateTask')).toHaveLength(1));
    expect(leave()).toBe(true);
    await stores.outbox?.flushed();
    expect(storage.records.size).toBe(1);

    api.tasks.delete(makeTask(1).id); // someone else deleted it: the retry fails for good
    stores.tasks.getState().retryAllPending();
    await vi.waitFor(() => expect(stores.tasks.getState().changes[0]?.state.phase).toBe('failed'));
    await stores.outbox?.flushed();
    expect(storage.records.size).toBe(0);
    expect(leave()).toBe(false);
    stop();
    stores.dispose();
  });
});
