// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { apiFromBridge, type RaftboardBridge } from '../../renderer/src/api/bridge.js';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import { chooseApi } from '../../renderer/src/api/select.js';
import { createEventsStore } from '../../renderer/src/store/events.js';
import { startSync } from '../../renderer/src/store/sync.js';
import { FakeApi, makeCluster, makeNode, makeTask } from './fake-api.js';
import { testStores } from './setup.js';

describe('start-up wiring', () => {
  it('startSync reads status and tasks, then follows the event stream', async () => {
    const api = new FakeApi([makeTask(1)]);
    const stores = testStores(api);
    const stop = startSync(stores, { taskCheckMs: 10 });
    await vi.waitFor(() => expect(stores.tasks.getState().load.status).toBe('loaded'));
    expect(stores.cluster.getState().status?.leaderId).toBe(1);
    expect(stores.events.getState().connection).toBe('open');

    api.eventHandlers?.onEvent({
      type: 'status',
      seq: 1,
      at: new Date().toISOString(),
      cluster: makeCluster({ leaderId: 3, term: 9 }),
    });
    expect(stores.cluster.getState().status?.leaderId).toBe(3);

    // Another client wrote: the leader's commit index passes the list's applied index.
    api.tasks.set(makeTask(2).id, makeTask(2));
    api.index = 200;
    const loads = api.callsOf('listTasks').length;
    stores.cluster
      .getState()
      .setStatus(makeCluster({ nodes: [makeNode(1, { commitIndex: 200 })] }));
    await vi.waitFor(() => expect(api.callsOf('listTasks').length).toBeGreaterThan(loads));
    await vi.waitFor(() => expect(Object.keys(stores.tasks.getState().tasks)).toHaveLength(2));

    stop();
    expect(api.eventHandlers).toBeNull();
    stores.dispose();
  });

  it('events are buffered and applied once per frame', () => {
    const frames: (() => void)[] = [];
    const batches: number[] = [];
    const events = createEventsStore({
      schedule: (fn) => frames.push(fn),
      onBatch: (b) => batches.push(b.length),
    });
    const at = new Date().toISOString();
    for (let seq = 1; seq <= 5; seq++) {
      events
        .getState()
        .push({ type: 'commit', seq, at, leaderId: 1, term: 1, from: seq, to: seq + 1 });
    }
    expect(frames).toHaveLength(1);
    expect(events.getState().recent).toHaveLength(0);
    frames[0]?.();
    expect(batches).toEqual([5]);
    expect(events.getState().recent).toHaveLength(5);
  });

  it('without a token the web UI says how to get one', () => {
    sessionStorage.clear();
    const choice = chooseApi(window);
    expect(choice.ok).toBe(false);
    expect(!choice.ok && choice.reason).toMatch(/\?token=/);
  });

  it('inside Electron the preload bridge is used, and its error envelopes become ApiRequestErrors', async () => {
    const bridge = {
      getCluster: () =>
        Promise.resolve({
          ok: false as const,
          status: 503,
          error: { error: 'no_leader' as const, message: 'no quorum' },
          retryAfterMs: 1000,
        }),
      listTasks: () =>
        Promise.resolve({
          ok: true as const,
          value: {
            tasks: [],
            consistency: 'stale' as const,
            servedBy: 2,
            appliedIndex: 7,
            commitIndex: 7,
          },
        }),
    } as unknown as RaftboardBridge;
    const win = { raftboard: bridge } as unknown as Window;
    const choice = chooseApi(win);
    if (!choice.ok) throw new Error(choice.reason);
    expect(choice.transport).toBe('electron');
    await expect(choice.api.listTasks()).resolves.toMatchObject({ appliedIndex: 7 });
    const err = await apiFromBridge(bridge)
      .getCluster()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err).toMatchObject({ status: 503, code: 'no_leader', retryAfterMs: 1000 });
  });
});
