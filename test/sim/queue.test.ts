import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../cluster/sim/queue.js';
import { SimRng } from '../../cluster/sim/rng.js';

describe('EventQueue', () => {
  it('pops events in time order', () => {
    const q = new EventQueue();
    const r = new SimRng(5);
    const times = Array.from({ length: 500 }, () => r.int(100));
    for (const t of times) q.push(t, () => {});
    const out: number[] = [];
    for (let ev = q.pop(); ev; ev = q.pop()) out.push(ev.time);
    expect(out).toEqual([...times].sort((a, b) => a - b));
    expect(q.size).toBe(0);
  });

  it('breaks ties by scheduling order, so a replay is exact', () => {
    const q = new EventQueue();
    const order: string[] = [];
    q.push(10, () => order.push('b1'));
    q.push(5, () => order.push('a'));
    q.push(10, () => order.push('b2'));
    q.push(10, () => order.push('b3'));
    q.push(7, () => order.push('c'));
    expect(q.peek()!.time).toBe(5);
    for (let ev = q.pop(); ev; ev = q.pop()) ev.run();
    expect(order).toEqual(['a', 'c', 'b1', 'b2', 'b3']);
  });

  it('interleaves pushes and pops correctly', () => {
    const q = new EventQueue();
    const r = new SimRng(77);
    let now = 0;
    const seen: [number, number][] = [];
    for (let i = 0; i < 200; i++) q.push(r.int(50), () => {});
    while (q.size > 0) {
      const ev = q.pop()!;
      expect(ev.time).toBeGreaterThanOrEqual(now);
      now = ev.time;
      seen.push([ev.time, ev.seq]);
      if (seen.length < 1000 && r.chance(0.5)) q.push(now + r.int(20), () => {});
    }
    for (let i = 1; i < seen.length; i++) {
      const [t0, s0] = seen[i - 1];
      const [t1, s1] = seen[i];
      expect(t0 < t1 || (t0 === t1 && s0 < s1)).toBe(true);
    }
  });
});
