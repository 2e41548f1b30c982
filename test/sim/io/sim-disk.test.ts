import { describe, expect, it } from 'vitest';
import { WalCorruptionError } from '../../../cluster/node/wal/errors.js';
import { SimDisk } from '../../../cluster/sim/io/sim-disk.js';
import { VirtualClock } from '../../../cluster/sim/io/virtual-clock.js';
import { CONF, ents, fixedRandom } from './helpers.js';

function setup(random: () => number = fixedRandom(0.5)) {
  const clock = new VirtualClock();
  const disk = new SimDisk({ clock, random, fsyncLatencyMs: 2, slowFactor: 10 });
  return { clock, disk, store: disk.open(CONF) };
}

describe('SimDisk crashes', () => {
  it('starts a new disk at snapshot 0 with the bootstrap configuration', () => {
    const { store } = setup();
    expect(store.initialState()).toEqual({
      hardState: { term: 0, vote: 0, commit: 0 },
      conf: CONF,
    });
    expect([store.firstIndex(), store.lastIndex()]).toEqual([1, 0]);
  });

  it('loses unsynced entries at a crash, never synced ones', () => {
    const { clock, disk, store } = setup();
    store.save({ entries: ents(1, 3), hardState: { term: 1, vote: 2, commit: 2 } });
    const done: (Error | null)[] = [];
    store.appendAsync(ents(4, 5), (e) => done.push(e));
    expect(store.lastIndex()).toBe(5); // readable at once
    disk.crash();
    clock.advance(100);
    expect(done).toEqual([]); // the process died: its fsync never completes
    const again = disk.open(CONF);
    expect(again.lastIndex()).toBe(3);
    expect(again.entries(1, 4, Infinity)).toEqual(ents(1, 3));
    expect(again.getHardState()).toEqual({ term: 1, vote: 2, commit: 2 });
    expect(disk.counts).toMatchObject({ crashes: 1, lostRecords: 2 });

    again.appendAsync(ents(4, 5), (e) => done.push(e));
    clock.advance(2);
    expect(done).toEqual([null]);
    disk.crash();
    expect(disk.open(CONF).lastIndex()).toBe(5);
  });

  it('keeps unsynced writes when only the process dies (kill)', () => {
    const { disk, store } = setup();
    store.appendAsync(ents(1, 2), () => undefined);
    disk.kill();
    expect(() => store.save({ entries: ents(3, 3) })).toThrow(/dead/);
    expect(disk.open(CONF).lastIndex()).toBe(2);
  });

  it('cuts a torn tail on open, keeping what precedes it', () => {
    // 0.99: the disk wrote both unsynced records, the second one half.
    const { disk, store } = setup(fixedRandom(0.99));
    disk.faults.tornWrite = true;
    store.save({ entries: ents(1, 2) });
    store.appendAsync(ents(3, 4), () => undefined);
    disk.crash();
    expect(disk.records().at(-1)?.state).toBe('torn');
    const again = disk.open(CONF);
    expect(again.lastIndex()).toBe(3);
    expect(disk.counts).toMatchObject({ tornWrites: 1, tornCut: 1 });
    expect(disk.records().some((s) => s.state !== 'ok')).toBe(false);
  });

  it('refuses a bit flip in an old durable record with WalCorruptionError, every time', () => {
    const { disk, store } = setup();
    store.save({ entries: ents(1, 5), hardState: { term: 1, vote: 1, commit: 5 } });
    expect(disk.corruptRecord(2)).toBe(true);
    expect(store.entries(2, 3, Infinity)).toEqual(ents(2, 2)); // the running node does not notice
    store.close();
    expect(() => disk.open(CONF)).toThrow(WalCorruptionError);
    expect(() => disk.open(CONF)).toThrow(WalCorruptionError);
    expect(disk.counts).toMatchObject({ corruptions: 1, refusedOpens: 2 });
  });

  it('refuses a bit flip in the last durable record too (never cut as if torn)', () => {
    const { disk, store } = setup();
    store.save({ entries: ents(1, 5) });
    disk.corruptRecord(5);
    store.close();
    expect(() => disk.open(CONF)).toThrow(WalCorruptionError);
  });
});

describe('SimDisk syncs', () => {
  it('completes appendAsync only when the clock reaches the fsync latency', () => {
    const { clock, disk, store } = setup();
    const done: (Error | null)[] = [];
    store.appendAsync(ents(1, 1), (e) => done.push(e));
    expect(() => store.save({ entries: ents(2, 2) })).toThrow(/still syncing/);
    clock.advance(1);
    expect(done).toEqual([]);
    clock.advance(1);
    expect(done).toEqual([null]);
    disk.faults.slow = true;
    store.appendAsync(ents(2, 2), (e) => done.push(e));
    clock.advance(19);
    expect(done).toHaveLength(1);
    clock.advance(1);
    expect(done).toEqual([null, null]);
    expect(disk.counts.slowSyncs).toBe(1);
  });

  it('fails save with EIO, then refuses every write', () => {
    const { disk, store } = setup();
    disk.faults.fsyncFails = true;
    expect(() => store.save({ entries: ents(1, 1) })).toThrow(/EIO/);
    disk.faults.fsyncFails = false;
    expect(() => store.save({ entries: ents(1, 1) })).toThrow(/failed earlier/);
    expect(() => store.appendAsync(ents(1, 1), () => undefined)).toThrow(/failed earlier/);
    expect(disk.counts.fsyncFailures).toBe(1);
  });

  it('fails appendAsync with done(EIO), then refuses every write', () => {
    const { clock, disk, store } = setup();
    const done: (Error | null)[] = [];
    store.appendAsync(ents(1, 1), (e) => done.push(e));
    disk.faults.fsyncFails = true;
    clock.advance(2);
    expect((done[0] as NodeJS.ErrnoException | null)?.code).toBe('EIO');
    disk.faults.fsyncFails = false;
    expect(() => store.appendAsync(ents(2, 2), () => undefined)).toThrow(/failed earlier/);
    expect(() => store.save({ entries: [] })).toThrow(/failed earlier/);
  });
});
