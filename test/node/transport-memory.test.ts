/**
 * The in-memory transport on a fake clock: nothing here depends on real time.
 */
import { describe, expect, it } from 'vitest';
import {
  MemoryNetwork,
  type MemoryFate,
  type MemoryTransport,
} from '../../cluster/node/transport/memory.js';
import type { PeerAddress } from '../../cluster/node/transport/peer-transport.js';
import type { Entry, Message, NodeId } from '../../cluster/raft/index.js';
import { SimRng } from '../../cluster/sim/rng.js';
import { FakeClock } from './fake-clock.js';
import { hb, range, seqs } from './transport-helpers.js';

interface TestNode {
  readonly t: MemoryTransport;
  readonly got: Message[];
  readonly unreachable: NodeId[];
}

function book(ids: readonly NodeId[]): Map<NodeId, PeerAddress> {
  return new Map(ids.map((id) => [id, { host: 'memory', port: id }]));
}

async function attach(
  net: MemoryNetwork,
  id: NodeId,
  peers: readonly NodeId[] = [1, 2, 3],
): Promise<TestNode> {
  const got: Message[] = [];
  const unreachable: NodeId[] = [];
  const t = net.transport(id, {
    onMessage: (m) => got.push(m),
    onUnreachable: (peer) => unreachable.push(peer),
  });
  t.setPeers(book(peers));
  await t.start();
  return { t, got, unreachable };
}

describe('MemoryTransport', () => {
  it('delivers after the current turn, complete and in order on every link', async () => {
    const clock = new FakeClock();
    const net = new MemoryNetwork({ clock });
    const nodes = await Promise.all([1, 2, 3].map((id) => attach(net, id)));
    for (let i = 0; i < 100; i++) {
      for (const a of nodes) for (const b of nodes) if (a !== b) a.t.send(hb(a.t.id, b.t.id, i));
    }
    expect(nodes.every((n) => n.got.length === 0)).toBe(true);
    clock.advance(0);
    for (const n of nodes) {
      for (const other of nodes)
        if (other !== n) expect(seqs(n, other.t.id)).toEqual(range(0, 100));
    }
    expect(nodes[0].t.stats()).toEqual({ sent: 200, received: 200, dropped: 0, unroutable: 0 });
  });

  it('keeps the order of a link whatever delays the fate hook picks', async () => {
    const clock = new FakeClock();
    const rng = new SimRng(7, 'delays');
    const fates: number[] = [];
    const fate = (): MemoryFate => {
      const delayMs = rng.range(0, 50);
      fates.push(delayMs);
      return { deliver: true, delayMs };
    };
    const net = new MemoryNetwork({ clock, fate });
    const a = await attach(net, 1);
    const b = await attach(net, 2);
    for (let i = 0; i < 200; i++) a.t.send(hb(1, 2, i));
    expect(new Set(fates).size).toBeGreaterThan(10);
    clock.advance(fates[0] - 1);
    expect(b.got).toEqual([]);
    clock.advance(60);
    expect(seqs(b, 1)).toEqual(range(0, 200));
    expect(clock.pending).toBe(0);
  });

  it('loses what the fate hook drops, and a fixed delay holds every message', async () => {
    const clock = new FakeClock();
    const net = new MemoryNetwork({
      clock,
      fate: (m) => (m.commit === 1 ? { deliver: false } : { deliver: true, delayMs: 30 }),
    });
    const a = await attach(net, 1);
    const b = await attach(net, 2);
    for (let i = 0; i < 3; i++) a.t.send(hb(1, 2, i));
    clock.advance(29);
    expect(b.got).toEqual([]);
    clock.advance(1);
    expect(seqs(b, 1)).toEqual([0, 2]);
    expect(a.t.stats()).toMatchObject({ sent: 2, dropped: 1 });

    const fixed = new MemoryNetwork({ clock, delayMs: 10 });
    const c = await attach(fixed, 1);
    const d = await attach(fixed, 2);
    c.t.send(hb(1, 2, 5));
    clock.advance(9);
    expect(d.got).toEqual([]);
    clock.advance(1);
    expect(seqs(d, 1)).toEqual([5]);
    expect(() => new MemoryNetwork({ clock, delayMs: -1 })).toThrow(/delayMs/);
  });

  it('hands the receiver a copy, as a JSON round trip would', async () => {
    const clock = new FakeClock();
    const net = new MemoryNetwork({ clock });
    const a = await attach(net, 1);
    const b = await attach(net, 2);
    const entries: Entry[] = [{ term: 4, index: 10, type: 'normal', data: '{"title":"ü"}' }];
    const app: Message = {
      type: 'app',
      from: 1,
      to: 2,
      term: 4,
      index: 9,
      logTerm: 3,
      commit: undefined,
      entries,
    };
    a.t.send(app);
    // The sender changes its objects after sending: the receiver must not see it.
    entries.push({ term: 4, index: 11, type: 'normal', data: 'later' });
    entries[0] = { ...entries[0], data: 'changed' };
    clock.advance(0);
    const got = b.got[0];
    expect(got).not.toBe(app);
    expect(got.entries).toHaveLength(1);
    expect('commit' in got).toBe(false);
    expect(got).toEqual({
      type: 'app',
      from: 1,
      to: 2,
      term: 4,
      index: 9,
      logTerm: 3,
      entries: [{ term: 4, index: 10, type: 'normal', data: '{"title":"ü"}' }],
    });
  });

  it('reports an unreachable peer once until a delivery succeeds, and drops its messages', async () => {
    const clock = new FakeClock();
    const net = new MemoryNetwork({ clock });
    const a = await attach(net, 1);
    // Node 2 is not attached, then attached but not started, then running, then closed.
    for (let i = 0; i < 3; i++) a.t.send(hb(1, 2, i));
    clock.advance(0);
    expect(a.unreachable).toEqual([2]);
    const got: Message[] = [];
    const t2 = net.transport(2, { onMessage: (m) => got.push(m) });
    t2.setPeers(book([1, 2]));
    a.t.send(hb(1, 2, 3));
    clock.advance(0);
    expect(a.unreachable).toEqual([2]);
    await t2.start();
    a.t.send(hb(1, 2, 4));
    clock.advance(0);
    expect(got.map((m) => m.commit)).toEqual([4]);
    await t2.close();
    a.t.send(hb(1, 2, 5));
    a.t.send(hb(1, 2, 6));
    clock.advance(0);
    expect(a.unreachable).toEqual([2, 2]);
    expect(a.t.stats()).toMatchObject({ sent: 7, dropped: 6 });
    // A restarted node attaches again under its id.
    const b = await attach(net, 2);
    a.t.send(hb(1, 2, 7));
    clock.advance(0);
    expect(seqs(b, 1)).toEqual([7]);
    expect(() => net.transport(2, { onMessage: () => undefined })).toThrow(/already attached/);
  });

  it('close drops what is in flight from it, stops its timers and ignores later sends', async () => {
    const clock = new FakeClock();
    const net = new MemoryNetwork({ clock, delayMs: 100 });
    const a = await attach(net, 1);
    const b = await attach(net, 2);
    a.t.send(hb(1, 2, 1));
    b.t.send(hb(2, 1, 2));
    await a.t.close();
    a.t.send(hb(1, 2, 3));
    clock.advance(100);
    expect(b.got).toEqual([]);
    // What was on its way to the closed node is lost, and the sender told.
    expect(a.got).toEqual([]);
    expect(b.unreachable).toEqual([1]);
    expect(a.t.stats()).toMatchObject({ sent: 1, dropped: 1, received: 0 });
    expect(clock.pending).toBe(0);
    await expect(a.t.start()).rejects.toThrow(/already closed/);
  });

  it('sends only to peers, and only what the network may carry', async () => {
    const clock = new FakeClock();
    const net = new MemoryNetwork({ clock, delayMs: 5 });
    const a = await attach(net, 1, [1, 2]);
    const c = await attach(net, 3);
    a.t.send(hb(1, 3, 1));
    a.t.send(hb(1, 1, 1));
    a.t.send({ ...hb(1, 2, 0), type: 'hup' });
    a.t.send(hb(3, 2, 0));
    expect(a.t.stats()).toMatchObject({ unroutable: 2, dropped: 2, sent: 0 });
    // Removing a peer drops what is in flight to it.
    a.t.setPeers(book([1, 3]));
    a.t.send(hb(1, 3, 2));
    a.t.setPeers(book([1]));
    clock.advance(5);
    expect(c.got).toEqual([]);
    expect(a.t.stats()).toMatchObject({ sent: 1, dropped: 3 });
  });
});
