/**
 * SimLogStore hits DiskStorage's WAL failpoints at the same places: a crash (power loss) at each
 * keeps exactly what was durable there.
 */
import { describe, expect, it } from 'vitest';
import { ArmedFailpoints, type FailpointName } from '../../../cluster/node/failpoints.js';
import { SimDisk } from '../../../cluster/sim/io/sim-disk.js';
import { VirtualClock } from '../../../cluster/sim/io/virtual-clock.js';
import { CONF, ents, fixedRandom } from './helpers.js';

class Crashed extends Error {}

function setup(name: FailpointName, at = 1) {
  const clock = new VirtualClock();
  const disk = new SimDisk({ clock, random: fixedRandom(0.5) });
  const hits: FailpointName[] = [];
  const fp = new ArmedFailpoints((n) => {
    hits.push(n);
    disk.crash();
    throw new Crashed(n);
  });
  fp.arm(name, at);
  const store = disk.open(CONF, fp);
  return { clock, disk, store, hits };
}

describe('SimLogStore failpoints', () => {
  it('wal-before-write: the entries are not written', () => {
    const { disk, store, hits } = setup('wal-before-write', 2);
    store.save({ entries: ents(1, 2), hardState: { term: 1, vote: 1, commit: 0 } });
    expect(() => store.save({ entries: ents(3, 4) })).toThrow(Crashed);
    expect(hits).toEqual(['wal-before-write']);
    expect(disk.open(CONF).lastIndex()).toBe(2);
  });

  it('wal-after-write: written, not synced, so lost at the power loss', () => {
    const { disk, store } = setup('wal-after-write');
    expect(() =>
      store.save({ entries: ents(1, 2), hardState: { term: 1, vote: 1, commit: 0 } }),
    ).toThrow(Crashed);
    const again = disk.open(CONF);
    expect(again.lastIndex()).toBe(0);
    expect(again.getHardState()).toEqual({ term: 0, vote: 0, commit: 0 });
  });

  it('wal-after-sync: save crashes with entries and hard state durable', () => {
    const { disk, store } = setup('wal-after-sync');
    expect(() =>
      store.save({ entries: ents(1, 2), hardState: { term: 1, vote: 1, commit: 0 } }),
    ).toThrow(Crashed);
    const again = disk.open(CONF);
    expect(again.lastIndex()).toBe(2);
    expect(again.getHardState()).toEqual({ term: 1, vote: 1, commit: 0 });
  });

  it('wal-after-sync: appendAsync crashes after the sync, before done', () => {
    const { clock, disk, store } = setup('wal-after-sync');
    const done: (Error | null)[] = [];
    store.appendAsync(ents(1, 3), (e) => done.push(e));
    expect(() => clock.advance(10)).toThrow(Crashed);
    expect(done).toEqual([]);
    expect(disk.open(CONF).lastIndex()).toBe(3);
  });

  it('snapshot-before-compact: the snapshot is durable, the log not compacted', async () => {
    const { clock, disk, store } = setup('snapshot-before-compact');
    store.save({ entries: ents(1, 4), hardState: { term: 1, vote: 1, commit: 4 } });
    const snap = store.createSnapshotAsync(3, CONF, 'state@3');
    const outcome = snap.then(
      () => 'resolved',
      (e: unknown) => (e instanceof Crashed ? 'crashed' : 'other'),
    );
    clock.advance(10);
    expect(await outcome).toBe('crashed');
    const again = disk.open(CONF);
    expect(again.snapshot().metadata.index).toBe(3);
    expect(again.lastIndex()).toBe(4);
  });
});
