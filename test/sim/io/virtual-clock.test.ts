import { describe, expect, it } from 'vitest';
import { VIRTUAL_EPOCH, VirtualClock } from '../../../cluster/sim/io/virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers only as time advances, in time order, then creation order', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@10'), 10);
    clock.setTimeout(() => fired.push('a@5'), 5);
    clock.setTimeout(() => fired.push('c@10'), 10);
    clock.advance(4);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(VIRTUAL_EPOCH + 4);
    clock.advance(6);
    expect(fired).toEqual(['a@5', 'b@10', 'c@10']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs soon callbacks before any timer due at the current time', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('t1');
      clock.soon(() => fired.push('soon from t1'));
    }, 5);
    clock.setTimeout(() => fired.push('t2'), 5);
    clock.soon(() => fired.push('soon'));
    clock.advance(5);
    expect(fired).toEqual(['soon', 't1', 'soon from t1', 't2']);
  });

  it('repeats intervals and forgets cleared timers', () => {
    const clock = new VirtualClock(0);
    const ticks: number[] = [];
    const interval = clock.setInterval(() => ticks.push(clock.now()), 3);
    const cleared = clock.setTimeout(() => ticks.push(-1), 4);
    clock.clearTimer(cleared);
    clock.advance(10);
    expect(ticks).toEqual([3, 6, 9]);
    clock.clearTimer(interval);
    clock.advance(10);
    expect(ticks).toEqual([3, 6, 9]);
    expect(clock.nextTimerAt()).toBeUndefined();
  });
});
