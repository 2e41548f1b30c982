import { describe, expect, it } from 'vitest';
import { FaultTable } from '../../cluster/node/transport/faults.js';

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
