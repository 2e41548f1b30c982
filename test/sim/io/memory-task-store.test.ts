import { describe, expect, it } from 'vitest';
import { ClusterIdentityError, StateMachineError } from '../../../db/errors.js';
import { MemoryTaskStore, openMemoryTaskStore } from '../../../db/memory-task-store.js';
import { at, create, entries, taskId, workload } from '../../db/helpers.js';

const identity = { clusterId: 'cluster-a', nodeId: 1 };

describe('MemoryTaskStore', () => {
  it('calls verifyApplied before stamping, and leaves the store unstamped if it throws', async () => {
    const store = new MemoryTaskStore();
    await store.applyBatch(entries(1, [create(taskId(1), { title: 'x' }, at(1))], 3));
    const open = openMemoryTaskStore(store);
    const seen: unknown[] = [];
    const refuse = (applied: unknown) => {
      seen.push(applied);
      throw new ClusterIdentityError('not in my log');
    };
    await expect(open({ identity, verifyApplied: refuse, log: () => undefined })).rejects.toThrow(
      'not in my log',
    );
    expect(seen).toEqual([{ index: 1, term: 3 }]);
    expect(store.identityStamp()).toBeNull();
    const lines: string[] = [];
    await open({ identity, verifyApplied: () => undefined, log: (l) => lines.push(l) });
    expect(store.identityStamp()).toEqual(identity);
    expect(lines[0]).toMatch(/adopted, stamped with cluster cluster-a, node 1/);
  });

  it("refuses another cluster's or node's store with ClusterIdentityError", async () => {
    const store = new MemoryTaskStore({ database: 'n1' });
    const open = openMemoryTaskStore(store);
    const ok = { verifyApplied: () => undefined, log: () => undefined };
    await open({ identity, ...ok });
    await expect(open({ identity: { clusterId: 'cluster-b', nodeId: 1 }, ...ok })).rejects.toThrow(
      /database n1 belongs to cluster cluster-a node 1/,
    );
    await expect(open({ identity: { ...identity, nodeId: 2 }, ...ok })).rejects.toBeInstanceOf(
      ClusterIdentityError,
    );
  });

  it('closes a handle without closing the store', async () => {
    const store = new MemoryTaskStore();
    const handle = await openMemoryTaskStore(store)({
      identity,
      verifyApplied: () => undefined,
      log: () => undefined,
    });
    await handle.close();
    await expect(handle.appliedIndex()).rejects.toBeInstanceOf(StateMachineError);
    expect(await store.appliedIndex()).toEqual({ index: 0, term: 0 });
  });

  it('restores its own snapshot to the same state and checksum', async () => {
    const store = new MemoryTaskStore();
    await store.applyBatch(entries(1, workload(40)));
    const snap = await store.snapshot();
    const copy = new MemoryTaskStore();
    await copy.restore(snap.index, snap.term, snap.data);
    expect(await copy.snapshot()).toEqual(snap);
    expect(await copy.checksum()).toEqual(await store.checksum());
    await expect(copy.restore(snap.index + 1, snap.term, snap.data)).rejects.toThrow(/restored as/);
  });
});
