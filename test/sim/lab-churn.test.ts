/**
 * Concurrent clients on a failing cluster, in the style of MIT 6.824's Lab 2C
 * (TestUnreliableAgree, TestReliableChurn, TestUnreliableChurn).
 */
import { describe, expect, it } from 'vitest';
import {
  LabClients,
  electionMs,
  expectAckedEverywhere,
  expectDurable,
  expectOneLeaderPerTerm,
  randomLab,
  useLab,
  waitApplied,
} from './lab-helpers.js';

useLab();

describe('lab: unreliable network and churn', () => {
  it('unreliable agreement: many concurrent proposals on a lossy, duplicating network', () => {
    const servers = 5;
    const { c, leaders, rng } = randomLab(
      { nodes: servers, seed: 401, unreliable: true },
      'lab unreliable agree',
    );
    // 6.824's one(cmd, 1, true) in goroutines: retried until some node applied it.
    const clients = new LabClients(c, rng, { attemptTimeoutMs: 1000, persistent: true });

    for (let iter = 1; iter < 50; iter++) {
      for (let j = 0; j < 4; j++) clients.submit(`ua-${iter}-${j}`);
      c.one(`ua-${iter}`, 1, true);
    }
    expect(c.runUntil(() => clients.allAcked(), 30_000)).toBe(true);
    expect(clients.ops.length).toBe(49 * 4);

    // Back to a reliable network: everyone agrees on everything.
    c.setUnreliable(false);
    const last = c.one('ua-100', servers, true);
    expect(waitApplied(c, c.ids(), last, 5000)).toBe(true);
    // Every acknowledged command is at its index on all five nodes...
    expectAckedEverywhere(c, clients.ops, servers);
    // ...and the network really was unreliable.
    const n = c.messageCount();
    expect(n.dropped).toBeGreaterThan(0);
    expect(n.duplicated).toBeGreaterThan(0);
    expectOneLeaderPerTerm(leaders);
    expectDurable(c);
  });

  for (const unreliable of [false, true]) {
    it(`churn (${unreliable ? 'unreliable' : 'reliable'}): nodes crash, restart, disconnect and reconnect while clients propose`, () => {
      const servers = 5;
      const seed = unreliable ? 412 : 411;
      const { c, leaders, rng } = randomLab({ nodes: servers, seed, unreliable }, 'lab churn');
      // 6.824's churn clients wait up to 380 ms for their command, then move on.
      const clients = new LabClients(c, rng, { attemptTimeoutMs: 380, persistent: false });
      const ncli = 3;
      let stop = false;
      const loop = (me: number, seq: number): void => {
        if (stop) return;
        const op = clients.submit(`churn-${me}-${seq}`);
        const wait = (): void => {
          if (clients.settled(op)) c.schedule(rng.range(0, 10), () => loop(me, seq + 1));
          else c.schedule(10, wait);
        };
        wait();
      };
      for (let me = 0; me < ncli; me++) loop(me, 0);

      // 6.824: sleep 7/10 of RaftElectionTimeout (≈ 2 of its election timeouts) per round.
      // Unlike 6.824, half of the disconnections and crashes hit the leader (if there is one),
      // so that leadership really churns.
      const victim = (): number => c.leader() ?? rng.int(servers) + 1;
      const pick = (): number => (rng.chance(0.5) ? victim() : rng.int(servers) + 1);
      let crashes = 0;
      for (let iter = 0; iter < 50; iter++) {
        if (rng.int(1000) < 200) c.disconnect(pick());
        if (rng.int(1000) < 500) {
          const i = rng.int(servers) + 1;
          c.restart(i);
          c.connect(i);
        }
        if (rng.int(1000) < 200) {
          const i = pick();
          if (c.node(i).alive) {
            c.crash(i);
            crashes++;
          }
        }
        c.runFor((7 * 2 * electionMs(c)) / 10);
      }
      c.runFor(2 * electionMs(c));

      // Everything heals; the clients stop.
      c.heal();
      for (const id of c.ids()) c.restart(id);
      stop = true;
      clients.stop();
      c.runFor(2 * electionMs(c));

      const last = c.one('churn-end', servers, true);
      expect(waitApplied(c, c.ids(), last, 5000)).toBe(true);
      // Every index up to the last is applied by all five nodes, identically (nCommitted throws
      // on a mismatch), and every command a client saw committed is at the index it was told.
      for (let i = 1; i <= last; i++) expect(c.nCommitted(i).count).toBe(servers);
      const acked = clients.acked();
      expectAckedEverywhere(c, acked, servers);

      // The scenario exercised something: real churn, and clients got work done through it.
      expect(crashes).toBeGreaterThan(2);
      expect(leaders.size).toBeGreaterThan(3);
      expect(acked.length).toBeGreaterThan(100);
      expectOneLeaderPerTerm(leaders);
      expectDurable(c);
    });
  }
});
