/**
 * The node's side of review H4: its raft dir keeps the cluster id and node id it was created
 * for, and at the first connection its database's applied index/term must be in its log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAppliedAgainstLog } from '../../cluster/node/applied-check.js';
import { IDENTITY_FILE, loadNodeIdentity } from '../../cluster/node/identity.js';
import { ClusterIdentityError } from '../../db/errors.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-ident-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the applied index/term against the log', () => {
  // A log whose entries 5..20 are held (4 is the snapshot's), terms 1..4 by fives.
  const log = {
    lastIndex: 20,
    termAt: (i: number) => (i >= 4 && i <= 20 ? Math.ceil(i / 5) : undefined),
  };

  it('accepts an index in the log with its term, or one compacted away, or 0', () => {
    expect(() => checkAppliedAgainstLog('db1', { index: 12, term: 3 }, log)).not.toThrow();
    expect(() => checkAppliedAgainstLog('db1', { index: 4, term: 1 }, log)).not.toThrow();
    expect(() => checkAppliedAgainstLog('db1', { index: 2, term: 9 }, log)).not.toThrow();
    expect(() =>
      checkAppliedAgainstLog('db1', { index: 0, term: 0 }, { lastIndex: 0, termAt: () => 0 }),
    ).not.toThrow();
  });

  it('refuses an index past the log, naming the database and both values', () => {
    const check = () => checkAppliedAgainstLog('raftboard_n1', { index: 50, term: 2 }, log);
    expect(check).toThrow(ClusterIdentityError);
    expect(check).toThrow(/raftboard_n1 has applied index 50 .*log ends at index 20/);
  });

  it('refuses a term that differs from the log’s at that index', () => {
    const check = () => checkAppliedAgainstLog('raftboard_n2', { index: 12, term: 7 }, log);
    expect(check).toThrow(ClusterIdentityError);
    expect(check).toThrow(/raftboard_n2 has applied index 12 in term 7.*index 12 in term 3/);
  });
});

describe("the raft dir's identity", () => {
  it('is kept at the first start and checked at the next', () => {
    const dir = tempDir();
    const lines: string[] = [];
    const first = loadNodeIdentity(dir, { id: 2, clusterId: 'abc-1' }, (l) => lines.push(l));
    expect(first).toEqual({ clusterId: 'abc-1', nodeId: 2 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, IDENTITY_FILE), 'utf8'))).toEqual(first);
    expect(loadNodeIdentity(dir, { id: 2, clusterId: 'abc-1' }, () => undefined)).toEqual(first);
    // A config of the older version (no clusterId) keeps the stored one.
    expect(loadNodeIdentity(dir, { id: 2, clusterId: undefined }, () => undefined)).toEqual(first);

    expect(() => loadNodeIdentity(dir, { id: 2, clusterId: 'other-2' }, () => undefined)).toThrow(
      /belongs to cluster abc-1, but the config names cluster other-2/,
    );
    expect(() => loadNodeIdentity(dir, { id: 3, clusterId: 'abc-1' }, () => undefined)).toThrow(
      /belongs to node 2 of cluster abc-1, but the config is node 3/,
    );
  });

  it('is adopted once, and said so, when neither the config nor the dir has one', () => {
    const dir = tempDir();
    const lines: string[] = [];
    const adopted = loadNodeIdentity(dir, { id: 1, clusterId: undefined }, (l) => lines.push(l));
    expect(adopted.clusterId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(adopted.clusterId);
    expect(loadNodeIdentity(dir, { id: 1, clusterId: undefined }, (l) => lines.push(l))).toEqual(
      adopted,
    );
    expect(lines).toHaveLength(1);
  });
});
