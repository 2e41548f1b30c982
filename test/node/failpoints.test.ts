/**
 * Failpoints (cluster/node/failpoints.ts): the RAFTBOARD_FAILPOINTS parser, the armed counting,
 * and where DiskStorage passes its points (a recording or throwing stand-in for the crash).
 */
import { describe, expect, it } from 'vitest';
import {
  ArmedFailpoints,
  FAILPOINT_NAMES,
  FailpointSpecError,
  noFailpoints,
  parseFailpointSpec,
  type FailpointName,
  type Failpoints,
} from '../../cluster/node/failpoints.js';
import { ents, openDisk, snapFiles, tempDir } from './wal-harness.js';

class Crashed extends Error {}

describe('parseFailpointSpec', () => {
  it('reads names with an optional hit number (default the first)', () => {
    expect(parseFailpointSpec('wal-after-sync@3, vote-after-persist')).toEqual([
      { name: 'wal-after-sync', at: 3 },
      { name: 'vote-after-persist', at: 1 },
    ]);
    expect(parseFailpointSpec('')).toEqual([]);
    expect(parseFailpointSpec(' , ')).toEqual([]);
  });

  it('knows exactly the documented points', () => {
    expect([...FAILPOINT_NAMES].sort()).toEqual([
      'apply-after-answer',
      'apply-mid-batch',
      'snapshot-before-compact',
      'snapshot-install',
      'vote-after-persist',
      'wal-after-sync',
      'wal-after-write',
      'wal-before-write',
    ]);
    for (const n of FAILPOINT_NAMES) expect(parseFailpointSpec(n)).toEqual([{ name: n, at: 1 }]);
  });

  it('refuses unknown names, listing the known ones', () => {
    expect(() => parseFailpointSpec('wal-after-fsync')).toThrow(FailpointSpecError);
    expect(() => parseFailpointSpec('wal-after-sync,nope@2')).toThrow(
      /unknown failpoint "nope" \(known: wal-before-write, .*vote-after-persist\)/,
    );
  });

  it('refuses bad counts and repeated names', () => {
    for (const bad of ['wal-after-sync@0', 'wal-after-sync@', 'wal-after-sync@x', 'a@1@2'])
      expect(() => parseFailpointSpec(bad), bad).toThrow(FailpointSpecError);
    expect(() => parseFailpointSpec('wal-after-sync@-1')).toThrow(/positive integer/);
    expect(() => parseFailpointSpec('wal-after-sync,wal-after-sync@2')).toThrow(/twice/);
  });
});

describe('ArmedFailpoints', () => {
  const recorder = (): { fp: ArmedFailpoints; crashes: FailpointName[] } => {
    const crashes: FailpointName[] = [];
    return { fp: new ArmedFailpoints((n) => crashes.push(n)), crashes };
  };

  it('crashes at the Nth hit of an armed point, once, and ignores the others', () => {
    const { fp, crashes } = recorder();
    fp.arm('wal-after-sync', 3);
    fp.hit('wal-after-sync');
    fp.hit('vote-after-persist');
    fp.hit('wal-after-sync');
    expect(crashes).toEqual([]);
    expect(fp.armed()).toEqual({ 'wal-after-sync': 0 });
    fp.hit('wal-after-sync');
    expect(crashes).toEqual(['wal-after-sync']);
    fp.hit('wal-after-sync');
    expect(crashes).toEqual(['wal-after-sync']);
    expect(fp.armed()).toEqual({});
  });

  it('arms from a parsed spec, counts from arming, and re-arming replaces the count', () => {
    const crashes: FailpointName[] = [];
    const fp = new ArmedFailpoints(
      (n) => crashes.push(n),
      parseFailpointSpec('apply-mid-batch@2,vote-after-persist'),
    );
    fp.hit('vote-after-persist');
    fp.hit('apply-mid-batch');
    expect(crashes).toEqual(['vote-after-persist']);
    fp.arm('apply-mid-batch', 2);
    fp.hit('apply-mid-batch');
    expect(crashes).toEqual(['vote-after-persist']);
    fp.hit('apply-mid-batch');
    expect(crashes).toEqual(['vote-after-persist', 'apply-mid-batch']);
    expect(() => fp.arm('apply-mid-batch', 0)).toThrow(FailpointSpecError);
  });

  it('noFailpoints never fires', () => {
    for (const n of FAILPOINT_NAMES) expect(noFailpoints.hit(n)).toBeUndefined();
  });
});

describe('DiskStorage failpoints', () => {
  const recording = (): { fp: Failpoints; hits: FailpointName[] } => {
    const hits: FailpointName[] = [];
    return { fp: { hit: (n) => hits.push(n) }, hits };
  };

  it('passes the WAL points around a save with entries, in order, and none without', () => {
    const { fp, hits } = recording();
    const { s } = openDisk(tempDir(), { failpoints: fp });
    s.save({ entries: ents(1, [1, 1]), hardState: { term: 1, vote: 1, commit: 0 } });
    expect(hits).toEqual(['wal-before-write', 'wal-after-write', 'wal-after-sync']);
    s.save({ entries: [], hardState: { term: 2, vote: 0, commit: 0 } });
    expect(hits).toHaveLength(3);
    s.close();
  });

  it('passes them around appendAsync, wal-after-sync once durable', async () => {
    const { fp, hits } = recording();
    const { s } = openDisk(tempDir(), { failpoints: fp });
    const done = new Promise<Error | null>((resolve) => s.appendAsync(ents(1, [1]), resolve));
    expect(hits).toEqual(['wal-before-write', 'wal-after-write']);
    expect(await done).toBeNull();
    expect(hits).toEqual(['wal-before-write', 'wal-after-write', 'wal-after-sync']);
    s.close();
  });

  it('a crash at wal-before-write leaves the entries out of the log', () => {
    const dir = tempDir();
    const fp = new ArmedFailpoints((n) => {
      throw new Crashed(n);
    });
    const { s } = openDisk(dir, { failpoints: fp });
    s.save({ entries: ents(1, [1]) });
    fp.arm('wal-before-write');
    expect(() => s.save({ entries: ents(2, [1]) })).toThrow(Crashed);
    expect(s.lastIndex()).toBe(1);
  });

  it('snapshot-before-compact: the snapshot file is durable, the log not cut yet', async () => {
    const dir = tempDir();
    const fp = new ArmedFailpoints((n) => {
      throw new Crashed(n);
    });
    const { s } = openDisk(dir, { failpoints: fp });
    s.save({ entries: ents(1, [1, 1, 1, 1]) });
    fp.arm('snapshot-before-compact');
    await expect(
      s.createSnapshotAsync(3, { voters: [1, 2, 3], learners: [] }, 'state'),
    ).rejects.toThrow(Crashed);
    expect(snapFiles(dir)).toHaveLength(2);
    expect([s.snapshot().metadata.index, s.firstIndex()]).toEqual([0, 1]);
    // The restart from there: the new snapshot and the log after it.
    s.close();
    const back = openDisk(dir).s;
    expect([back.snapshot().metadata.index, back.lastIndex()]).toEqual([3, 4]);
    back.close();
  });
});
