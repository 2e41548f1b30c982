/**
 * SickLeaderHandover: whom a leader with a sick MySQL hands over to, and when. The node-level
 * behaviour is in test/cluster/mysql-freeze.test.ts; this pins the choices.
 */
import { describe, expect, it } from 'vitest';
import type { MySqlStatus } from '../../cluster/api/node.js';
import { SickLeaderHandover } from '../../cluster/node/handover.js';
import type { Logger } from '../../cluster/node/log.js';
import { waitFor } from '../cluster/harness/poll.js';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function setup(opts: { up: ReadonlySet<number>; status: MySqlStatus; leader?: boolean }) {
  const state = { status: opts.status, leader: opts.leader ?? true, now: 0 };
  const transfers: number[] = [];
  const asked: number[] = [];
  const h = new SickLeaderHandover({
    isLeader: () => state.leader,
    mysqlStatus: () => state.status,
    voters: () => [
      { id: 2, match: 10 },
      { id: 3, match: 12 },
      { id: 4, match: 11 },
    ],
    mysqlUpAt: (id) => {
      asked.push(id);
      return Promise.resolve(opts.up.has(id));
    },
    transfer: (to) => transfers.push(to),
    graceMs: 3_000,
    retryMs: 500,
    log: quiet,
    now: () => state.now,
  });
  return { h, state, transfers, asked };
}

describe('SickLeaderHandover', () => {
  it('a stalled leader hands over at once to the most up-to-date voter whose MySQL is up', async () => {
    const { h, transfers } = setup({ up: new Set([2, 4]), status: 'stalled' });
    h.check();
    await waitFor(() => transfers.length > 0, 2_000, 'a transfer');
    expect(transfers).toEqual([4]);
  });

  it('a down leader waits out the grace period first', async () => {
    const { h, state, transfers, asked } = setup({ up: new Set([2]), status: 'down' });
    h.check();
    state.now = 2_999;
    h.check();
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual([]);
    state.now = 3_000;
    h.check();
    await waitFor(() => transfers.length > 0, 2_000, 'a transfer');
    expect(transfers).toEqual([2]);
  });

  it('with no healthy voter it keeps leading, and asks again only after retryMs', async () => {
    const { h, state, transfers, asked } = setup({ up: new Set(), status: 'stalled' });
    h.check();
    await waitFor(() => asked.length === 3, 2_000, 'every voter asked');
    state.now = 100;
    h.check();
    await new Promise((r) => setImmediate(r));
    expect(asked).toHaveLength(3);
    state.now = 500;
    h.check();
    await waitFor(() => asked.length === 6, 2_000, 'every voter asked again');
    expect(transfers).toEqual([]);
  });

  it('nothing when MySQL is up or this node does not lead', async () => {
    const up = setup({ up: new Set([2]), status: 'up' });
    up.h.check();
    const follower = setup({ up: new Set([2]), status: 'stalled', leader: false });
    follower.h.check();
    await new Promise((r) => setTimeout(r, 20));
    expect([...up.asked, ...follower.asked]).toEqual([]);
  });
});
