import { describe, expect, it } from 'vitest';
import { MySqlUnavailableError } from '../../../db/errors.js';
import { MemoryTaskStore } from '../../../db/memory-task-store.js';
import { FaultyTaskStore } from '../../../cluster/sim/io/faulty-task-store.js';
import { VirtualClock } from '../../../cluster/sim/io/virtual-clock.js';
import { at, create, entries, taskId } from '../../db/helpers.js';
import { drain, fixedRandom } from './helpers.js';

function setup(random: () => number = fixedRandom(0.5)) {
  const clock = new VirtualClock();
  const memory = new MemoryTaskStore();
  const store = new FaultyTaskStore(memory, { clock, random });
  return { clock, memory, store };
}

const batch = (index: number) =>
  entries(index, [create(taskId(index), { title: `t${index}` }, at(index))]);

/** Tracks a promise's outcome without awaiting it. */
function watch<T>(p: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const w: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (w.state = 'resolved'),
    (error: unknown) => Object.assign(w, { state: 'rejected', error }),
  );
  return w;
}

describe('FaultyTaskStore', () => {
  it('passes calls through when no fault is on', async () => {
    const { store } = setup();
    expect(await store.applyBatch(batch(1))).toMatchObject([{ ok: true, outcome: 'created' }]);
    expect(await store.appliedIndex()).toEqual({ index: 1, term: 1 });
  });

  it('stalls calls until unstalled, whatever the clock does', async () => {
    const { clock, store } = setup();
    store.stall();
    const write = watch(store.applyBatch(batch(1)));
    const read = watch(store.appliedIndex());
    clock.advance(60_000);
    await drain();
    expect([write.state, read.state]).toEqual(['pending', 'pending']);
    store.unstall();
    await drain();
    expect([write.state, read.state]).toEqual(['resolved', 'resolved']);
    expect(store.counts.stalledCalls).toBe(2);
  });

  it('times a stalled call out after queryTimeoutMs; the write may still land', async () => {
    const { clock, store } = setup(fixedRandom(0));
    store.faults.queryTimeoutMs = 10_000;
    store.faults.timedOutWriteApplies = 1;
    store.stall();
    const write = watch(store.applyBatch(batch(1)));
    clock.advance(9_999);
    await drain();
    expect(write.state).toBe('pending');
    clock.advance(1);
    await drain();
    expect(write.state).toBe('rejected');
    expect(write.error).toBeInstanceOf(MySqlUnavailableError);
    store.unstall();
    await drain();
    expect(await store.appliedIndex()).toEqual({ index: 1, term: 1 });
    expect(store.counts.timedOutCalls).toBe(1);
  });

  it('fails calls and opens with MySqlUnavailableError while failing', async () => {
    const { memory, store } = setup();
    const open = store.opener((o) =>
      memory.stampOrCheckIdentity(o.identity, o.log, o.verifyApplied),
    );
    const opts = {
      identity: { clusterId: 'c', nodeId: 1 },
      verifyApplied: () => undefined,
      log: () => undefined,
    };
    store.faults.openFails = true;
    await expect(open(opts)).rejects.toBeInstanceOf(MySqlUnavailableError);
    expect(await store.appliedIndex()).toEqual({ index: 0, term: 0 }); // only opens fail
    store.faults.openFails = false;
    const handle = await open(opts);
    store.faults.failing = true;
    await expect(handle.applyBatch(batch(1))).rejects.toBeInstanceOf(MySqlUnavailableError);
    await expect(open(opts)).rejects.toBeInstanceOf(MySqlUnavailableError);
    store.faults.failing = false;
    expect(await handle.applyBatch(batch(1))).toHaveLength(1);
    await handle.close();
    expect(await store.appliedIndex()).toEqual({ index: 1, term: 1 }); // the server stays up
    expect(store.counts).toMatchObject({ failedOpens: 2, failedCalls: 1 });
  });

  it('makes each call take latencyMs on the clock', async () => {
    const { clock, store } = setup();
    store.faults.latencyMs = 50;
    const write = watch(store.applyBatch(batch(1)));
    clock.advance(49);
    await drain();
    expect(write.state).toBe('pending');
    clock.advance(1);
    await drain();
    expect(write.state).toBe('resolved');
    expect(store.counts.slowedCalls).toBe(1);
  });

  it('loses the commits of the last second at a crash, keeps older ones', async () => {
    const { clock, store } = setup();
    await store.applyBatch(batch(1));
    clock.advance(600);
    await store.applyBatch(batch(2));
    clock.advance(600); // batch 1 is 1200 ms old, batch 2 600 ms
    await store.applyBatch(batch(3));
    clock.advance(100);
    await store.crash();
    expect(await store.appliedIndex()).toEqual({ index: 1, term: 1 });
    expect(await store.get(taskId(2))).toBeNull();
    expect(store.counts.lostWrites).toBe(2);
    // The node retries from its applied index; later commits become durable in turn.
    await store.applyBatch([...batch(2), ...batch(3).map((e) => ({ ...e, index: 3 }))]);
    clock.advance(1001);
    await store.crash();
    expect(await store.appliedIndex()).toEqual({ index: 3, term: 1 });
  });

  it('fails the calls in flight at a crash', async () => {
    const { store } = setup();
    store.stall();
    const write = watch(store.applyBatch(batch(1)));
    await drain();
    await store.crash();
    await drain();
    expect(write.state).toBe('rejected');
    expect(write.error).toBeInstanceOf(MySqlUnavailableError);
    store.unstall();
    expect(await store.appliedIndex()).toEqual({ index: 0, term: 0 });
  });
});
