import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../cluster/raft/index.js';
import { SimDisk } from '../../../cluster/sim/io/sim-disk.js';
import { VirtualClock } from '../../../cluster/sim/io/virtual-clock.js';
import { CONF, drain, ents, fixedRandom } from './helpers.js';

function setup() {
  const clock = new VirtualClock();
  const disk = new SimDisk({ clock, random: fixedRandom(0.5), fsyncLatencyMs: 2 });
  const store = disk.open(CONF);
  store.save({ entries: ents(1, 10), hardState: { term: 1, vote: 1, commit: 10 } });
  return { clock, disk, store };
}

async function settle(clock: VirtualClock, promise: Promise<Snapshot>): Promise<Snapshot> {
  let result: Snapshot | undefined;
  void promise.then((s) => (result = s));
  for (let i = 0; i < 10 && result === undefined; i++) {
    clock.advance(1);
    await drain();
  }
  if (result === undefined) throw new Error('createSnapshotAsync did not complete');
  return result;
}

const entryIndexes = (disk: SimDisk): number[] =>
  disk.records().flatMap((s) => (s.record.kind === 'entry' ? [s.record.entry.index] : []));

describe('SimDisk snapshots', () => {
  it('keeps keepEntries behind the snapshot, compacts, and reopens from the snapshot', async () => {
    const { clock, disk, store } = setup();
    const six = await settle(clock, store.createSnapshotAsync(6, CONF, 'data6', 2));
    expect(six.metadata).toMatchObject({ index: 6, term: 1 });
    expect(store.firstIndex()).toBe(5);
    // Snapshot 0 is still kept (retainSnapshots 2): no entry record is released yet.
    expect(entryIndexes(disk)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await settle(clock, store.createSnapshotAsync(8, CONF, 'data8', 0));
    expect(store.firstIndex()).toBe(9);
    expect(entryIndexes(disk)).toEqual([7, 8, 9, 10]); // ≤ 6 (the oldest kept) released
    store.close();
    const again = disk.open(CONF);
    expect(again.snapshot()).toEqual({
      metadata: { index: 8, term: 1, conf: CONF },
      data: 'data8',
    });
    expect([again.firstIndex(), again.lastIndex()]).toEqual([9, 10]);
    expect(again.entries(9, 11, Infinity)).toEqual(ents(9, 10));
  });

  it('recovers from a crash between "snapshot durable" and "log compacted"', async () => {
    const { clock, disk, store } = setup();
    const seen: number[] = [];
    disk.onSnapshotDurable = (index) => {
      seen.push(index);
      disk.crash();
    };
    let settled = false;
    void store.createSnapshotAsync(6, CONF, 'data6').then(() => (settled = true));
    clock.advance(5);
    await drain();
    expect(seen).toEqual([6]);
    expect(settled).toBe(false); // the process died there
    const again = disk.open(CONF);
    expect(again.snapshot().metadata.index).toBe(6);
    expect([again.firstIndex(), again.lastIndex()]).toEqual([7, 10]);
    expect(again.entries(7, 11, Infinity)).toEqual(ents(7, 10));
  });

  it('forgets a snapshot whose record was not yet durable at a crash', async () => {
    const { clock, disk, store } = setup();
    void store.createSnapshotAsync(6, CONF, 'data6');
    clock.advance(1);
    disk.crash();
    const again = disk.open(CONF);
    expect(again.snapshot().metadata.index).toBe(0);
    expect(again.lastIndex()).toBe(10);
  });

  it("replaces the whole log with a leader's snapshot", () => {
    const { disk, store } = setup();
    const snapshot: Snapshot = { metadata: { index: 20, term: 3, conf: CONF }, data: 'leader' };
    store.save({ snapshot, entries: ents(21, 22, 3), hardState: { term: 3, vote: 0, commit: 20 } });
    expect(entryIndexes(disk)).toEqual([21, 22]);
    store.close();
    const again = disk.open(CONF);
    expect(again.snapshot()).toEqual(snapshot);
    expect([again.firstIndex(), again.lastIndex()]).toEqual([21, 22]);
    expect(again.getHardState()).toEqual({ term: 3, vote: 0, commit: 20 });
  });

  it('replays a replaced suffix as the last writer left it', () => {
    const { disk, store } = setup();
    // A new leader overwrote the uncommitted 8..10 with 8..9 (say the commit was only 7).
    store.save({ entries: ents(8, 9, 2), hardState: { term: 2, vote: 0, commit: 7 } });
    store.close();
    const again = disk.open(CONF);
    expect(again.lastIndex()).toBe(9);
    expect(again.term(9)).toBe(2);
  });
});
