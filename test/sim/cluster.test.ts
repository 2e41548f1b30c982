import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../cluster/sim/cluster.js';
import { InvariantViolation } from '../../cluster/sim/invariants.js';
import { sendBeforePersistDriver } from '../planted/send-before-persist.js';

describe('SimCluster', () => {
  it('elects one leader and commits through one()', () => {
    const c = new SimCluster({ nodes: 3, seed: 1 });
    const leader = c.checkOneLeader();
    expect(c.leader()).toBe(leader);
    const i1 = c.one('a', 3, false);
    const i2 = c.one('b', 3, false);
    expect(i2).toBe(i1 + 1);
    expect(c.nCommitted(i1)).toEqual({ count: 3, cmd: 'a' });
    expect(c.checkTerms()).toBe(c.node(leader).term);
  });

  it('has no leader without a quorum, and recovers when healed', () => {
    const c = new SimCluster({ nodes: 5, seed: 2 });
    const leader = c.checkOneLeader();
    const others = c.ids().filter((id) => id !== leader);
    c.disconnect(leader);
    c.disconnect(others[0]);
    c.disconnect(others[1]);
    c.runFor(2000);
    c.checkNoLeader();
    c.connect(others[0]);
    c.checkOneLeader();
    c.one('after', 3, true);
  });

  it('keeps data across crash and restart, and catches up a restarted node', () => {
    const c = new SimCluster({ nodes: 3, seed: 3, snapshotEvery: 5, snapshotTail: 1 });
    c.checkOneLeader();
    for (let i = 0; i < 12; i++) c.one(`x${i}`, 3, true);
    const victim = c.ids()[0];
    c.crash(victim);
    for (let i = 12; i < 20; i++) c.one(`x${i}`, 2, true);
    c.restart(victim);
    const last = c.one('final', 3, true);
    expect(c.node(victim).appliedIndex).toBeGreaterThanOrEqual(last);
  });

  it('serves linearizable reads', () => {
    const c = new SimCluster({ nodes: 3, seed: 4 });
    const leader = c.checkOneLeader();
    const index = c.one('w', 3, true);
    for (const id of c.ids()) {
      const h = c.read(id);
      expect(c.runUntil(() => h.done || !!h.failed, 1000)).toBe(true);
      expect(h.done).toBe(true);
      expect(h.index).toBeGreaterThanOrEqual(index);
    }
    expect(c.node(leader).value).toBe(1);
  });

  it('changes membership and transfers leadership', () => {
    const c = new SimCluster({ nodes: 3, seed: 6 });
    const leader = c.checkOneLeader();
    c.one('a', 3, true);
    const id = c.addNode();
    c.runUntil(() => c.conf().learners.includes(id), 1000);
    // Promotion waits until the leader knows the learner caught up.
    const caughtUp = (): boolean => {
      const st = c.status(leader)!;
      return st.progress.some((p) => p.id === id && p.match >= st.commit);
    };
    expect(c.runUntil(caughtUp, 1000)).toBe(true);
    c.promote(id);
    expect(c.runUntil(() => c.conf().voters.includes(id), 1000)).toBe(true);
    c.transferLeadership(id);
    expect(c.runUntil(() => c.leader() === id, 1000)).toBe(true);
    c.removeNode(leader);
    expect(c.runUntil(() => !c.conf().voters.includes(leader), 1000)).toBe(true);
    c.one('b', 3, true);
  });

  it('counts messages', () => {
    const c = new SimCluster({ nodes: 3, seed: 7 });
    c.checkOneLeader();
    c.resetMessageCount();
    c.runFor(1000);
    const n = c.messageCount();
    expect(n.sent).toBeGreaterThan(0);
    expect(n.byType.heartbeat).toBeGreaterThan(0);
  });

  it('lets a test driver send before persisting, and a crash then loses the vote', () => {
    // Sends at once, persists 5 ms later: the order a real driver must never use.
    const c = new SimCluster({ nodes: 3, seed: 8, driver: sendBeforePersistDriver });
    // Crash whichever node first grants a vote, 1 ms later: the vote never reached its disk.
    for (const id of c.ids()) c.armCrash(id, (m) => m.type === 'voteResp' && !m.reject, 1);
    expect(c.runUntil(() => c.ids().some((id) => !c.node(id).alive), 3000)).toBe(true);
    const voter = c.ids().find((id) => !c.node(id).alive)!;
    expect(c.node(voter).disk.getHardState()).toEqual({ term: 0, vote: 0, commit: 0 });
  });

  it('throws an InvariantViolation from the step that broke an invariant', () => {
    const c = new SimCluster({ nodes: 3, seed: 9 });
    c.checkOneLeader();
    c.checker.fail('test', 'planted');
    expect(() => c.runFor(100)).toThrow(InvariantViolation);
  });
});
