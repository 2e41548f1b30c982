import { describe, expect, it } from 'vitest';
import { SimRng } from '../../cluster/sim/rng.js';

const draw = (r: SimRng, n: number): number[] => Array.from({ length: n }, () => r.next());

describe('SimRng', () => {
  it('replays the same sequence for the same seed and stream', () => {
    expect(draw(new SimRng(42, 'net'), 50)).toEqual(draw(new SimRng(42, 'net'), 50));
  });

  it('gives different streams for different seeds or stream names', () => {
    const a = draw(new SimRng(42, 'net'), 10);
    expect(draw(new SimRng(43, 'net'), 10)).not.toEqual(a);
    expect(draw(new SimRng(42, 'faults'), 10)).not.toEqual(a);
    // Seeds 0 and 1 are not degenerate.
    expect(new Set(draw(new SimRng(0), 100)).size).toBe(100);
  });

  it('keeps int, range, float and chance within bounds', () => {
    const r = new SimRng(7);
    for (let i = 0; i < 2000; i++) {
      const n = r.int(5);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThan(5);
      const x = r.range(3, 6);
      expect(x).toBeGreaterThanOrEqual(3);
      expect(x).toBeLessThanOrEqual(6);
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
    expect(r.int(0)).toBe(0);
  });

  it('is roughly uniform', () => {
    const r = new SimRng(1234);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[r.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('picks and shuffles deterministically', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const s1 = new SimRng(9).shuffle(items);
    expect(new SimRng(9).shuffle(items)).toEqual(s1);
    expect([...s1].sort()).toEqual(items);
    expect(items).toContain(new SimRng(9).pick(items));
    expect(() => new SimRng(9).pick([])).toThrow();
  });
});
