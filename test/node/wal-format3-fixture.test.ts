/**
 * A data dir written by the node of 2026-12-08 (test/fixtures/wal-format3, generate.ts there),
 * whose WAL holds a format-3 string snapshot: it must keep recovering and restoring once
 * snapshots live in files. The WAL gives back the string snapshot and the entries after it;
 * restoreSnapshot restores the string (no snapshot dir needed), and replaying the entries gives
 * the state the old node had at 120 (checksums recorded when the fixture was written).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskStorage } from '../../cluster/node/wal/index.js';
import { parseSnapshotData } from '../../cluster/node/snapshot-descriptor.js';
import { restoreSnapshot } from '../../cluster/node/restore-snapshot.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';

const FIXTURE = path.join(import.meta.dirname, '../fixtures/wal-format3/data');
const AT_100 = 'bfb869bd4b1e0199e80f6bce2fa2da7a2bffa54d04e57bb2236e125a2fe0f43f';
const AT_120 = '130e717187b61b65c6e809ba44d55777ebce5973d1893d753bd29711886fc91f';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('a WAL with a format-3 string snapshot', () => {
  it('recovers, restores the string and replays the entries after it', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wal-format3-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const logs: string[] = [];
    const s = DiskStorage.open(dir, {
      bootstrap: { voters: [1, 2, 3], learners: [] },
      log: (m) => logs.push(m),
    });
    try {
      const snap = s.snapshot();
      expect(snap.metadata.index).toBe(100);
      expect(snap.data.startsWith('{"format":"raftboard-tasks/3"')).toBe(true);
      expect(parseSnapshotData(snap.data).kind).toBe('inline');

      const store = new MemoryTaskStore();
      expect(await restoreSnapshot(store, snap, undefined)).toBe(true);
      expect((await store.checksum()).checksum).toBe(AT_100);

      const rest = s.entries(101, s.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
      expect(rest.map((e) => e.index)).toEqual(Array.from({ length: 20 }, (_, k) => 101 + k));
      await store.applyBatch(rest);
      expect(await store.checksum()).toEqual({ appliedIndex: 120, checksum: AT_120 });
      expect(logs).toEqual([]);
    } finally {
      s.close();
    }
  });
});
