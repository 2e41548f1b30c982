/**
 * Log compaction and InstallSnapshot (Raft paper §7, Figure 13): a chunked transfer to a
 * follower behind the leader's first index, its recovery from a lost chunk or a restarted
 * receiver, and restarting a node from its snapshot plus log tail.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, RawNode, type Message } from '../../cluster/raft/index.js';
import { Network, mulberry32 } from './harness.js';

const CHUNK = 16;
const DATA = Array.from({ length: 100 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join(
  '',
);
const isSnap = (m: Message) => m.type === 'snap' && m.to === 3;

/**
 * Three nodes; node 3 is cut off while 20 entries commit; the leader snapshots at index 15 and
 * compacts, then two more entries commit. Node 3 (log: just the first no-op) is now behind the
 * leader's first index.
 */
function lagging(): Network {
  const net = new Network({ config: { snapshotChunkSize: CHUNK } });
  net.elect(1);
  net.isolate(3);
  for (let i = 0; i < 20; i++) net.propose(1, `v${i}`);
  expect(net.status(1).commit).toBe(21);
  const snap = net.compact(1, 15, DATA);
  expect(snap.metadata).toMatchObject({ index: 15, term: 1 });
  net.propose(1, 'tail0');
  net.propose(1, 'tail1');
  expect(net.status(1).firstIndex).toBe(16);
  expect(net.status(3).lastIndex).toBe(1);
  return net;
}

describe('§7 log compaction and InstallSnapshot', () => {
  it('a follower behind the first index receives the snapshot in chunks, installs it and catches up', () => {
    const net = lagging();
    const mark = net.mark();
    net.recover();
    net.tickUntil(() => net.status(3).commit === 23, 30);

    const chunks = net.delivered(isSnap, mark).map((m) => m.snapshot!);
    expect(chunks.map((c) => c.offset)).toEqual([0, 16, 32, 48, 64, 80, 96]);
    for (const c of chunks) {
      expect(c.data.length).toBeLessThanOrEqual(CHUNK);
      expect(c.total).toBe(DATA.length);
      expect(c.metadata.index).toBe(15);
    }
    expect(chunks.map((c) => c.data).join('')).toBe(DATA);

    // Ready.snapshot carried the whole snapshot, and it was installed once.
    const p3 = net.peer(3);
    expect(p3.snapshots).toHaveLength(1);
    expect(p3.snapshots[0]).toEqual({
      metadata: { index: 15, term: 1, conf: { voters: [1, 2, 3], learners: [] } },
      data: DATA,
    });
    const rd = p3.readies.find((r) => r.snapshot)!;
    expect(rd.committedEntries.every((e) => e.index > 15)).toBe(true);
    expect(p3.storage.firstIndex()).toBe(16);
    expect(net.status(3)).toMatchObject({ snapshotIndex: 15, commit: 23, applied: 23 });
    // Then the tail: entries 16..23 arrive as ordinary appends and are applied, nothing older.
    expect(net.appliedData(3)).toEqual([
      'v14',
      'v15',
      'v16',
      'v17',
      'v18',
      'v19',
      'tail0',
      'tail1',
    ]);
    expect(net.log(3)).toEqual(net.log(1));
    expect(net.status(1).progress.find((p) => p.id === 3)).toMatchObject({
      state: 'replicate',
      match: 23,
    });
  });

  it('a lost chunk is sent again and the transfer completes', () => {
    const net = lagging();
    const mark = net.mark();
    net.recover();
    net.drop((m) => isSnap(m) && m.snapshot!.offset === 32, 1);
    const ticks = net.tickUntil(() => net.status(3).commit === 23, 30);
    expect(ticks).toBeLessThanOrEqual(6);
    const sent = net.sent(isSnap, mark).map((m) => m.snapshot!.offset);
    expect(sent.filter((o) => o === 32)).toHaveLength(2);
    expect(net.peer(3).snapshots.map((s) => s.data)).toEqual([DATA]);
    expect(net.log(3)).toEqual(net.log(1));
  });

  it('a lost chunk acknowledgement is recovered: the resent chunk is answered with the receiver position', () => {
    const net = lagging();
    const mark = net.mark();
    net.recover();
    net.drop((m) => m.type === 'snapResp' && m.from === 3 && m.index === 32, 1);
    net.tickUntil(() => net.status(3).commit === 23, 30);
    const offsets = net.sent(isSnap, mark).map((m) => m.snapshot!.offset);
    expect(offsets).toEqual([0, 16, 16, 32, 48, 64, 80, 96]);
    expect(net.peer(3).snapshots.map((s) => s.data)).toEqual([DATA]);
    expect(net.log(3)).toEqual(net.log(1));
  });

  it('a lost answer to the last chunk is recovered: the follower acknowledges the snapshot it already installed', () => {
    const net = lagging();
    net.recover();
    let installed = false;
    net.drop((m) => {
      if (m.type === 'appResp' && m.from === 3 && !installed && net.peer(3).snapshots.length > 0) {
        installed = true;
        return true;
      }
      return false;
    });
    net.tickUntil(() => net.status(1).progress.find((p) => p.id === 3)!.match === 23, 30);
    expect(installed).toBe(true);
    expect(net.peer(3).snapshots).toHaveLength(1); // installed once, not twice
    expect(net.log(3)).toEqual(net.log(1));
    expect(net.status(1).progress.find((p) => p.id === 3)!.state).toBe('replicate');
  });

  it('a follower that restarts mid-transfer gets the transfer restarted from offset 0', () => {
    const net = lagging();
    const mark = net.mark();
    net.recover();
    net.drop((m) => isSnap(m) && m.snapshot!.offset === 48, 1); // the transfer stalls at 48
    net.tick(1, 1);
    expect(net.delivered(isSnap, mark).map((m) => m.snapshot!.offset)).toEqual([0, 16, 32]);
    net.restart(3); // the 48 characters received so far are lost with the process
    const restartMark = net.mark();
    net.tickUntil(() => net.status(3).commit === 23, 30);

    const after = net.delivered(isSnap, restartMark).map((m) => m.snapshot!.offset);
    // The leader resends the stalled chunk, learns the receiver has nothing, and starts over.
    expect(after).toEqual([48, 0, 16, 32, 48, 64, 80, 96]);
    const restartAsk = net.delivered(
      (m) => m.type === 'snapResp' && m.from === 3 && m.reject === true,
      restartMark,
    );
    expect(restartAsk.map((m) => m.index)).toEqual([0]);
    expect(net.peer(3).snapshots.map((s) => s.data)).toEqual([DATA]);
    expect(net.log(3)).toEqual(net.log(1));
  });

  it('a snapshot the follower already covers is acknowledged and not installed', () => {
    const net = new Network();
    net.elect(1);
    for (let i = 0; i < 5; i++) net.propose(1, `v${i}`);
    net.tickAll(1);
    const { commit, term } = net.status(2);
    const out = net.stepOnly({
      type: 'snap',
      from: 1,
      to: 2,
      term,
      snapshot: {
        metadata: { index: 3, term: 1, conf: { voters: [1, 2, 3], learners: [] } },
        offset: 0,
        data: 'old',
        total: 3,
      },
    });
    expect(out).toEqual([{ type: 'appResp', from: 2, to: 1, term, index: commit }]);
    expect(net.peer(2).snapshots).toEqual([]);
    expect(net.status(2)).toMatchObject({ snapshotIndex: 0, commit });
  });
});

describe('restart from a snapshot and a log tail', () => {
  /** Node 2 applied 21 entries, snapshotted at 10 and compacted its own log. */
  function compacted(): Network {
    const net = new Network();
    net.elect(1);
    for (let i = 0; i < 20; i++) net.propose(1, `v${i}`);
    net.tickAll(1);
    expect(net.peer(2).appliedIndex).toBe(21);
    net.compact(2, 10, 'state@10');
    return net;
  }

  it('resumes with the persisted commit and the given applied index, and hands out nothing again', () => {
    const net = compacted();
    const p2 = net.restart(2);
    expect(net.status(2)).toMatchObject({
      commit: 21,
      applied: 21,
      firstIndex: 11,
      lastIndex: 21,
      snapshotIndex: 10,
      role: 'follower',
    });
    const readiesBefore = p2.readies.length;
    const appliedBefore = p2.applied.length;
    net.propose(1, 'after');
    net.tickAll(1);
    const handedOut = p2.readies.slice(readiesBefore).flatMap((rd) => rd.committedEntries);
    expect(handedOut.map((e) => e.data)).toEqual(['after']);
    expect(p2.applied.length).toBe(appliedBefore + 1);
  });

  it('hands out exactly the committed entries after the applied index it is given', () => {
    const net = compacted();
    const p2 = net.restart(2, { applied: 15 }); // the state machine had only reached 15
    expect(net.status(2).applied).toBe(15);
    const before = p2.readies.length;
    net.flush(2);
    const handedOut = p2.readies.slice(before).flatMap((rd) => rd.committedEntries);
    expect(handedOut.map((e) => e.index)).toEqual([16, 17, 18, 19, 20, 21]);
    expect(net.status(2).applied).toBe(21);
  });

  it('without an applied index, starts applying right after the snapshot', () => {
    const net = compacted();
    const node = new RawNode({ ...DEFAULT_CONFIG, id: 2, rng: mulberry32(3) }, net.peer(2).storage);
    expect(node.status()).toMatchObject({ commit: 21, applied: 10 });
    const rd = node.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([
      11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
    ]);
    expect(rd.snapshot).toBeUndefined(); // the snapshot is already the state machine's
    node.advance();
    expect(node.status().applied).toBe(21);
  });

  it('a node restarted from a snapshot still takes part in commits and elections', () => {
    const net = compacted();
    net.restart(2);
    net.isolate(3);
    const at = net.propose(1, 'with-2');
    expect(net.status(1).commit).toBe(at.index); // 1 + restarted 2 form the majority
    net.recover();
    net.isolate(1);
    net.tickUntil(() => net.leader() === 2 || net.leader() === 3, 100);
    expect(net.status(net.leader()).term).toBeGreaterThan(1);
  });
});
