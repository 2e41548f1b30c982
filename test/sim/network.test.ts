import { describe, expect, it } from 'vitest';
import type { Message, MessageType } from '../../cluster/raft/index.js';
import { Network } from '../../cluster/sim/network.js';
import { EventQueue } from '../../cluster/sim/queue.js';
import { SimRng } from '../../cluster/sim/rng.js';

/** A network over its own queue and clock, recording what arrives and when. */
function setup(seed = 1) {
  const q = new EventQueue();
  let now = 0;
  const got: { m: Message; at: number }[] = [];
  let crashes = 0;
  const net = new Network(
    new SimRng(seed, 'net'),
    q,
    () => now,
    (m) => got.push({ m, at: now }),
    () => undefined,
    (id) => (id === 1 ? crashes : 0),
  );
  const run = (): void => {
    for (let ev = q.pop(); ev; ev = q.pop()) {
      now = ev.time;
      ev.run();
    }
  };
  const advance = (ms: number): void => {
    const end = now + ms;
    for (let ev = q.peek(); ev && ev.time <= end; ev = q.peek()) {
      q.pop();
      now = ev.time;
      ev.run();
    }
    now = end;
  };
  return { net, got, run, advance, crash: () => crashes++ };
}

const msg = (from: number, to: number, index = 0, type: MessageType = 'app'): Message => ({
  type,
  from,
  to,
  term: 1,
  index,
});

describe('Network', () => {
  it('delivers every message on a reliable link, in order, after a small delay', () => {
    const { net, got, run } = setup();
    for (let i = 0; i < 100; i++) expect(net.send(msg(1, 2, i))).toBe('queued');
    run();
    expect(got.map((g) => g.m.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const g of got) expect(g.at).toBeGreaterThanOrEqual(1);
    expect(net.messageCounts().delivered).toBe(100);
  });

  it('drops everything on a link with drop 1, and only on that direction', () => {
    const { net, got, run } = setup();
    net.setLink(1, 2, { drop: 1 });
    for (let i = 0; i < 20; i++) {
      net.send(msg(1, 2, i));
      net.send(msg(2, 1, i));
    }
    run();
    expect(got.every((g) => g.m.from === 2)).toBe(true);
    expect(got).toHaveLength(20);
    expect(net.messageCounts().dropped).toBe(20);
    net.clearLink(1, 2);
    net.send(msg(1, 2));
    run();
    expect(got).toHaveLength(21);
  });

  it('duplicates and delays per link', () => {
    const { net, got, run } = setup();
    net.setLink(1, 2, { duplicate: 1, minDelayMs: 50, maxDelayMs: 60 });
    net.send(msg(1, 2));
    run();
    expect(got).toHaveLength(2);
    for (const g of got) {
      expect(g.at).toBeGreaterThanOrEqual(50);
      expect(g.at).toBeLessThanOrEqual(60);
    }
    expect(net.messageCounts().duplicated).toBe(1);
  });

  it('cuts messages between partition groups, at send time and in flight', () => {
    const { net, got, run, advance } = setup();
    net.partition([[1, 2], [3]]);
    expect(net.send(msg(1, 3))).toBe('unreachable');
    net.send(msg(1, 2));
    net.send(msg(3, 4)); // 4 is in no group: it shares the "everyone else" group, not 3's
    run();
    expect(got.map((g) => [g.m.from, g.m.to])).toEqual([[1, 2]]);
    net.partition([]);
    net.send(msg(1, 3));
    net.partition([[1], [3]]); // the partition starts while the message is in flight
    advance(100);
    expect(got).toHaveLength(1);
    net.heal();
    net.send(msg(1, 3));
    run();
    expect(got).toHaveLength(2);
  });

  it('a disconnected node neither sends nor receives', () => {
    const { net, got, run } = setup();
    net.disconnect(2);
    expect(net.send(msg(2, 1))).toBe('unreachable');
    expect(net.send(msg(1, 2))).toBe('unreachable');
    net.send(msg(1, 3));
    run();
    expect(got).toHaveLength(1);
    expect(net.isConnected(2)).toBe(false);
    net.connect(2);
    net.send(msg(1, 2));
    run();
    expect(got).toHaveLength(2);
  });

  it('unreliable mode loses about 10% and reorders', () => {
    const { net, got, run } = setup(3);
    net.unreliable = true;
    for (let i = 0; i < 2000; i++) net.send(msg(1, 2, i));
    run();
    const lost = net.messageCounts().dropped;
    expect(lost).toBeGreaterThan(120);
    expect(lost).toBeLessThan(280);
    const order = got.map((g) => g.m.index ?? 0);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('long reordering holds some messages back for hundreds of ms', () => {
    const { net, got, run } = setup(4);
    net.longReordering = true;
    for (let i = 0; i < 200; i++) net.send(msg(1, 2, i));
    run();
    expect(got.some((g) => g.at >= 200)).toBe(true);
    expect(got.every((g) => g.at <= 2000)).toBe(true);
  });

  it('may lose what a crashed sender had in flight', () => {
    const { net, got, run, crash } = setup(5);
    net.crashLoss = 1;
    net.send(msg(1, 2));
    net.send(msg(3, 2));
    crash();
    run();
    expect(got.map((g) => g.m.from)).toEqual([3]);
  });

  it('counts messages by type and estimates bytes', () => {
    const { net, run } = setup();
    net.send(msg(1, 2, 0, 'vote'));
    net.send(msg(1, 3, 0, 'vote'));
    net.send({
      ...msg(1, 2),
      entries: [{ index: 1, term: 1, type: 'normal', data: 'x'.repeat(100) }],
    });
    run();
    const c = net.messageCounts();
    expect(c.sent).toBe(3);
    expect(c.byType).toEqual({ vote: 2, app: 1 });
    expect(c.bytes).toBeGreaterThan(100);
    net.resetCounts();
    expect(net.messageCounts().sent).toBe(0);
  });
});
