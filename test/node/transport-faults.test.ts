import { describe, expect, it } from 'vitest';
import { FaultyTransport } from '../../cluster/node/transport/fault-decorator.js';
import { FaultTable } from '../../cluster/node/transport/faults.js';
import { MemoryNetwork, type MemoryTransport } from '../../cluster/node/transport/memory.js';
import type { Message, NodeId } from '../../cluster/raft/index.js';
import { SimRng } from '../../cluster/sim/rng.js';
import { FakeClock } from './fake-clock.js';
import { hb, range, seqs } from './transport-helpers.js';

describe('FaultTable', () => {
  it('lets everything through when empty', () => {
    const f = new FaultTable();
    expect(f.active).toBe(false);
    expect(f.onSend(1, 2, () => 0)).toEqual({ deliver: true, delayMs: 0 });
    expect(f.onReceive(2, 1)).toBe(true);
  });

  it('cuts nodes in different partition groups, both ways; unnamed nodes share a group', () => {
    const f = new FaultTable();
    f.set({ partitions: [[1, 2], [3]] });
    expect(f.canTalk(1, 2)).toBe(true);
    expect(f.canTalk(1, 3)).toBe(false);
    expect(f.canTalk(3, 2)).toBe(false);
    expect(f.canTalk(4, 5)).toBe(true);
    expect(f.canTalk(4, 1)).toBe(false);
    expect(f.onSend(1, 3, () => 0.99)).toEqual({ deliver: false, reason: 'partition' });
    expect(f.onReceive(3, 1)).toBe(false);
  });

  it('drops with the link probability and delays on directed links only', () => {
    const f = new FaultTable();
    f.set({ links: [{ from: 1, to: 2, drop: 0.3, delayMs: 50 }] });
    expect(f.onSend(1, 2, () => 0.29)).toEqual({ deliver: false, reason: 'drop' });
    expect(f.onSend(1, 2, () => 0.3)).toEqual({ deliver: true, delayMs: 50 });
    expect(f.onSend(2, 1, () => 0)).toEqual({ deliver: true, delayMs: 0 });
    f.set({ links: [{ from: 1, to: 2, drop: 1 }] });
    expect(f.onSend(1, 2, () => 0.999999)).toEqual({ deliver: false, reason: 'drop' });
  });

  it('replaces only the parts given, and clear removes all', () => {
    const f = new FaultTable();
    f.set({ partitions: [[1], [2]] });
    f.set({ links: [{ from: 1, to: 3, delayMs: 10 }] });
    expect(f.describe()).toEqual({
      partitions: [[1], [2]],
      links: [{ from: 1, to: 3, drop: 0, delayMs: 10 }],
    });
    f.set({ partitions: [] });
    expect(f.canTalk(1, 2)).toBe(true);
    expect(f.describe().links).toHaveLength(1);
    f.clear();
    expect(f.active).toBe(false);
  });

  it('refuses invalid specs without changing anything', () => {
    const f = new FaultTable();
    f.set({ partitions: [[1], [2]] });
    expect(() => f.set({ partitions: [[1, 2], [2]] })).toThrow(/two partition groups/);
    expect(() => f.set({ links: [{ from: 1, to: 2, drop: 1.5 }] })).toThrow(/drop/);
    expect(() => f.set({ links: [{ from: 1, to: 2, delayMs: -1 }] })).toThrow(/delayMs/);
    expect(() => f.set({ links: [{ from: 0, to: 2 }] })).toThrow(/node id/);
    expect(f.canTalk(1, 2)).toBe(false);
  });
});

interface FaultyNode {
  readonly f: FaultyTransport<MemoryTransport>;
  readonly got: Message[];
  readonly unreachable: NodeId[];
}

/** What the decorator counted for the link with `peer`. */
function faultStats(n: FaultyNode, peer: NodeId): { faultDropped: number; delayed: number } {
  const s = n.f.stats().peers.find((p) => p.id === peer);
  return { faultDropped: s?.faultDropped ?? 0, delayed: s?.delayed ?? 0 };
}

/** Nodes 1..n, each a FaultyTransport around a MemoryTransport, on one fake clock. */
async function faultyNodes(
  n: number,
  seed = 1,
): Promise<{ clock: FakeClock; nodes: FaultyNode[] }> {
  const clock = new FakeClock();
  const net = new MemoryNetwork({ clock });
  const ids = range(1, n + 1);
  const book = new Map(ids.map((id) => [id, { host: 'memory', port: id }]));
  const nodes = ids.map((id): FaultyNode => {
    const got: Message[] = [];
    const unreachable: NodeId[] = [];
    const rng = new SimRng(seed, `node ${id}`);
    const f = new FaultyTransport(
      { id, clock, random: () => rng.float() },
      { onMessage: (m) => got.push(m), onUnreachable: (p) => unreachable.push(p) },
      (handlers) => net.transport(id, handlers),
    );
    f.setPeers(book);
    return { f, got, unreachable };
  });
  await Promise.all(nodes.map((node) => node.f.start()));
  return { clock, nodes };
}

describe('FaultyTransport (over the in-memory transport, on a fake clock)', () => {
  it('passes everything through when there are no faults', async () => {
    const { clock, nodes } = await faultyNodes(2);
    const [a, b] = nodes;
    for (let i = 0; i < 10; i++) a.f.send(hb(1, 2, i));
    clock.advance(0);
    expect(seqs(b, 1)).toEqual(range(0, 10));
    expect(a.f.stats().peers).toEqual([]);
    expect(a.f.inner.stats().sent).toBe(10);
  });

  it('drops on a lossy link with the seeded random, the same way for the same seed', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const { clock, nodes } = await faultyNodes(2, seed);
      const [a, b] = nodes;
      a.f.setFaults({ links: [{ from: 1, to: 2, drop: 0.3 }] });
      for (let i = 0; i < 1000; i++) {
        a.f.send(hb(1, 2, i));
        b.f.send(hb(2, 1, i));
      }
      clock.advance(0);
      // Directed: the other way loses nothing.
      expect(seqs(a, 2)).toEqual(range(0, 1000));
      const got = seqs(b, 1);
      expect(faultStats(a, 2).faultDropped).toBe(1000 - got.length);
      expect(got.every((s, i) => i === 0 || s > got[i - 1])).toBe(true);
      return got;
    };
    const first = await run(42);
    expect(first.length).toBeGreaterThan(620);
    expect(first.length).toBeLessThan(780);
    // Exactly the draws of the seeded random: the i-th message is lost when its draw < 0.3.
    const rng = new SimRng(42, 'node 1');
    expect(first).toEqual(range(0, 1000).filter(() => rng.float() >= 0.3));
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('delays on fake time and keeps the order of the link when the delay changes', async () => {
    const { clock, nodes } = await faultyNodes(2);
    const [a, b] = nodes;
    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 100 }] });
    for (let i = 0; i < 5; i++) a.f.send(hb(1, 2, i));
    expect(faultStats(a, 2).delayed).toBe(5);
    clock.advance(50);
    // A shorter delay, then none: later messages wait for the earlier ones all the same.
    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 10 }] });
    a.f.send(hb(1, 2, 5));
    a.f.setFaults({ links: [] });
    a.f.send(hb(1, 2, 6));
    b.f.send(hb(2, 1, 0));
    clock.advance(49);
    expect(b.got).toEqual([]);
    expect(seqs(a, 2)).toEqual([0]);
    clock.advance(1);
    expect(seqs(b, 1)).toEqual(range(0, 7));
    expect(faultStats(a, 2).delayed).toBe(0);
    // Not delayed any more, and no timer left behind.
    a.f.send(hb(1, 2, 7));
    clock.advance(0);
    expect(seqs(b, 1)).toEqual(range(0, 8));
    expect(clock.pending).toBe(0);
  });

  it('clearFaults releases the delayed messages at once, in order', async () => {
    const { clock, nodes } = await faultyNodes(2);
    const [a, b] = nodes;
    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 60_000 }], partitions: [[1, 2], [3]] });
    for (let i = 0; i < 3; i++) a.f.send(hb(1, 2, i));
    expect(a.f.currentFaults()).toEqual({
      partitions: [[1, 2], [3]],
      links: [{ from: 1, to: 2, drop: 0, delayMs: 60_000 }],
    });
    a.f.clearFaults();
    expect(a.f.currentFaults()).toEqual({ partitions: [], links: [] });
    clock.advance(0);
    expect(seqs(b, 1)).toEqual([0, 1, 2]);
    expect(clock.pending).toBe(0);
  });

  it('partitions cut both directions, at send, at release and at receive', async () => {
    const { clock, nodes } = await faultyNodes(3);
    const [a, b, c] = nodes;
    const cut = { partitions: [[1], [2, 3]] };
    // Installed on every node: each sender drops what crosses the partition.
    for (const n of nodes) n.f.setFaults(cut);
    a.f.send(hb(1, 2, 1));
    b.f.send(hb(2, 1, 1));
    b.f.send(hb(2, 3, 1));
    clock.advance(0);
    expect([a.got, b.got]).toEqual([[], []]);
    expect(seqs(c, 2)).toEqual([1]);
    expect([faultStats(a, 2), faultStats(b, 1)]).toEqual([
      { faultDropped: 1, delayed: 0 },
      { faultDropped: 1, delayed: 0 },
    ]);
    // Known to the receivers only: what arrives across the partition is dropped there.
    a.f.clearFaults();
    a.f.send(hb(1, 2, 2));
    a.f.send(hb(1, 3, 2));
    clock.advance(0);
    expect([b.got, c.got.length]).toEqual([[], 1]);
    expect([faultStats(b, 1).faultDropped, faultStats(c, 1).faultDropped]).toEqual([2, 1]);
    // And the other way round.
    b.f.clearFaults();
    a.f.setFaults(cut);
    b.f.send(hb(2, 1, 2));
    clock.advance(0);
    expect(a.got).toEqual([]);
    expect(faultStats(a, 2).faultDropped).toBe(2);
    // A message in flight when the receiver's partition starts is dropped on arrival.
    a.f.clearFaults();
    c.f.clearFaults();
    a.f.send(hb(1, 3, 3));
    c.f.setFaults(cut);
    clock.advance(0);
    expect(seqs(c, 1)).toEqual([]);
    expect(faultStats(c, 1).faultDropped).toBe(2);
    // A delayed message is dropped at release when a partition started meanwhile.
    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 10 }] });
    a.f.send(hb(1, 2, 4));
    a.f.setFaults({ partitions: [[1], [2]] });
    clock.advance(10);
    expect(seqs(b, 1)).toEqual([]);
    expect(faultStats(a, 2)).toEqual({ faultDropped: 3, delayed: 0 });
    expect(a.f.inner.stats().sent).toBe(3);
  });

  it('refuses an invalid spec without changing anything', async () => {
    const { nodes } = await faultyNodes(2);
    const [a] = nodes;
    a.f.setFaults({ partitions: [[1], [2]] });
    expect(() => a.f.setFaults({ links: [{ from: 1, to: 2, drop: 2 }] })).toThrow(/drop/);
    expect(a.f.currentFaults()).toEqual({ partitions: [[1], [2]], links: [] });
  });

  it('passes unreachable through; close drops the delayed and stops their timers', async () => {
    const { clock, nodes } = await faultyNodes(3);
    const [a, b, c] = nodes;
    await c.f.close();
    a.f.send(hb(1, 3, 1));
    clock.advance(0);
    expect(a.unreachable).toEqual([3]);
    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 100 }] });
    a.f.send(hb(1, 2, 1));
    expect(clock.pending).toBe(1);
    await a.f.close();
    expect(clock.pending).toBe(0);
    a.f.send(hb(1, 2, 2));
    clock.advance(100);
    expect(b.got).toEqual([]);
    await expect(a.f.inner.start()).rejects.toThrow(/closed/);
  });
});
