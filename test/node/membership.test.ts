/**
 * The node's membership bookkeeping (cluster/node/membership.ts): the configuration recorded at
 * each index is what a snapshot there must carry, and the history is trimmed at snapshots so a
 * long-lived node does not keep every change it ever applied.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, MemoryStorage, RawNode, type Entry } from '../../cluster/raft/index.js';
import { systemClock } from '../../cluster/node/clock.js';
import { Membership } from '../../cluster/node/membership.js';
import { PeerRegistry } from '../../cluster/node/peers.js';
import type { Logger } from '../../cluster/node/log.js';
import { ReadyDriver } from '../../cluster/node/ready-driver.js';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A single-voter leader whose applied conf entries are reported to a Membership. */
function leaderWithMembership() {
  const storage = new MemoryStorage({ voters: [1], learners: [] });
  const raw = new RawNode({ ...DEFAULT_CONFIG, id: 1, rng: { int: () => 0 } }, storage);
  const peers = new PeerRegistry([], undefined, () => {});
  const driver = new ReadyDriver(raw, {
    save: (b) => storage.save(b),
    send: () => {},
    apply: () => {},
    // Called only once `membership` exists (the first drain is below).
    afterAdvance: (rd) => membership.onCommitted(rd.committedEntries as Entry[]),
  });
  const membership = new Membership(
    {
      raw,
      clock: systemClock,
      peers,
      log: quiet,
      isLeader: () => raw.status().role === 'leader',
      leader: () => raw.status().leader,
      timeoutMs: 1_000,
      drain: () => driver.drain(),
    },
    { index: 0, conf: storage.initialState().conf },
  );
  raw.campaign();
  driver.drain();
  return { raw, storage, membership, peers, driver };
}

describe('membership', () => {
  it('records the configuration at each index, learns addresses, and trims at a snapshot', async () => {
    const { membership, peers } = leaderWithMembership();
    const address = { host: '127.0.0.1', raftPort: 7001, clientPort: 8001 };
    const at2 = await membership.change({ type: 'addLearner', nodeId: 2, address });
    const at3 = await membership.change({ type: 'addLearner', nodeId: 3, address });
    expect(peers.get(2)).toEqual(address);
    expect(membership.confAt(at2 - 1)).toEqual({ voters: [1], learners: [] });
    expect(membership.confAt(at2)).toEqual({ voters: [1], learners: [2] });
    expect(membership.confAt(at3)).toEqual({ voters: [1], learners: [2, 3] });
    expect(membership.historyLength).toBe(3);
    membership.trimBefore(at3);
    // Nothing older than the snapshot is asked for again; the conf at and after it is exact.
    expect(membership.historyLength).toBe(1);
    expect(membership.confAt(at3)).toEqual({ voters: [1], learners: [2, 3] });
    expect(membership.confAt(at3 + 5)).toEqual({ voters: [1], learners: [2, 3] });
  });

  it('keeps the base when a snapshot falls between two changes', async () => {
    const { membership } = leaderWithMembership();
    const address = { host: '127.0.0.1', raftPort: 7001, clientPort: 8001 };
    const at2 = await membership.change({ type: 'addLearner', nodeId: 2, address });
    const at3 = await membership.change({ type: 'addLearner', nodeId: 3, address });
    membership.trimBefore(at3 - 1);
    expect(membership.confAt(at3 - 1)).toEqual({ voters: [1], learners: [2] });
    expect(membership.confAt(at3)).toEqual({ voters: [1], learners: [2, 3] });
    expect(at2).toBeLessThan(at3);
  });
});
