/**
 * restoreSnapshot with the simulator's store (the same file format and checks as MySQL's,
 * test/db/memory-equivalence.test.ts): a format-3 string and a descriptor of a format-4 file
 * give the same state; a missing, damaged or mislabelled file is refused with the state as it was.
 */
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfState, Snapshot } from '../../cluster/raft/index.js';
import { encodeDescriptor, snapshotFileName } from '../../cluster/node/snapshot-descriptor.js';
import { restoreSnapshot } from '../../cluster/node/restore-snapshot.js';
import { digestFile } from '../../cluster/node/transport/snapshot-stream.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';
import { entries, workload } from '../db/helpers.js';

const conf: ConfState = { voters: [1, 2, 3], learners: [] };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'restore-snapshot-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function source(): Promise<MemoryTaskStore> {
  const s = new MemoryTaskStore();
  await s.applyBatch(entries(1, workload(300), 2));
  return s;
}

/** A descriptor snapshot of `s`, its file written to `dir` under its canonical name. */
async function fileSnapshot(s: MemoryTaskStore): Promise<Snapshot> {
  const { index, term } = await s.appliedIndex();
  const file = path.join(dir, snapshotFileName(index, term));
  await s.snapshotToFile(file);
  const { bytes, sha256 } = await digestFile(file);
  const data = encodeDescriptor({ index, term, file: path.basename(file), bytes, sha256 });
  return { metadata: { index, term, conf }, data };
}

describe('restoreSnapshot', () => {
  it('restores a format-3 string (an old WAL) as before', async () => {
    const s = await source();
    const snap = await s.snapshot();
    const target = new MemoryTaskStore();
    const restored = await restoreSnapshot(
      target,
      { metadata: { index: snap.index, term: snap.term, conf }, data: snap.data },
      undefined,
    );
    expect(restored).toBe(true);
    expect(await target.checksum()).toEqual(await s.checksum());
  });

  it('restores a descriptor from its file, to the same state', async () => {
    const s = await source();
    const target = new MemoryTaskStore();
    expect(await restoreSnapshot(target, await fileSnapshot(s), dir)).toBe(true);
    expect(await target.checksum()).toEqual(await s.checksum());
  });

  it('does nothing for an empty snapshot', async () => {
    const target = new MemoryTaskStore();
    const empty = { metadata: { index: 0, term: 0, conf }, data: '' };
    expect(await restoreSnapshot(target, empty, dir)).toBe(false);
  });

  it('refuses a damaged, missing or mislabelled file and leaves the store as it was', async () => {
    const s = await source();
    const snap = await fileSnapshot(s);
    const target = new MemoryTaskStore();
    await target.applyBatch(entries(1, workload(20), 1));
    const before = await target.checksum();
    const file = path.join(dir, snapshotFileName(snap.metadata.index, snap.metadata.term));

    const good = await readFile(file);
    const bad = Buffer.from(good);
    bad[100] = bad[100]! ^ 1;
    await writeFile(file, bad);
    await expect(restoreSnapshot(target, snap, dir)).rejects.toThrow(/does not match/);

    await rm(file);
    await expect(restoreSnapshot(target, snap, dir)).rejects.toThrow(/ENOENT/);

    await writeFile(file, good);
    const wrongIndex = { ...snap, metadata: { ...snap.metadata, index: snap.metadata.index + 1 } };
    await expect(restoreSnapshot(target, wrongIndex, dir)).rejects.toThrow(/not the/);
    await expect(restoreSnapshot(target, snap, undefined)).rejects.toThrow(/no snapshot dir/);

    expect(await target.checksum()).toEqual(before);
    // And the good file still restores.
    await restoreSnapshot(target, snap, dir);
    expect(await target.checksum()).toEqual(await s.checksum());
  });
});
