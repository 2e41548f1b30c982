/**
 * A follower told that its link to the leader dropped (reportUnreachable, etcd's MsgUnreachable:
 * a killed leader's TCP connections close at once) campaigns sooner than a full randomized
 * election timeout — but never while the old leader may still serve reads on its lease
 * (thesis §6.4.1): it waits ceil(3E/4) + 1 ticks after the leader's last message, whatever
 * the signal's cause. See Raft.linkDownTicks for the argument.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Message } from '../../cluster/raft/index.js';
import { Network, msg } from './harness.js';

const ELECTION = DEFAULT_CONFIG.electionTick;
/** ceil(3E/4) + 1 with E = 10. */
const LINK_DOWN = 9;
/** The survivors' campaigns are this far apart: ceil(E/4). */
const SLOT = 3;

/** Node 1 leads voters 1..size; every follower has just heard a heartbeat from it. */
function ledBy1(size: number, seed: number): Network {
  const net = new Network({ size, seed });
  net.elect(1);
  net.tick(1, DEFAULT_CONFIG.heartbeatTick); // a heartbeat round: every follower's timer is at 0
  return net;
}

/** Ticks node `id` alone until it sends a pre-vote; returns how many ticks that took. */
function ticksUntilPreVote(net: Network, id: number, max = 3 * ELECTION): number {
  const mark = net.mark();
  for (let t = 1; t <= max; t++) {
    net.tick(id);
    if (net.sent(msg('preVote', { from: id }), mark).length > 0) return t;
  }
  throw new Error(`node ${id} did not campaign within ${max} ticks`);
}

function preVoteFor(net: Network, from: number, to: number): Message {
  const { term, lastIndex } = net.status(from);
  const lastTerm = net.log(from).at(-1)!.term;
  return { type: 'preVote', from, to, term: term + 1, index: lastIndex, logTerm: lastTerm };
}

describe('link drop to the leader (MsgUnreachable on a follower)', () => {
  it('the first survivor campaigns LINK_DOWN ticks after the last contact, not after a randomized timeout', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const net = ledBy1(3, seed);
      net.isolate(1);
      const randomized = [net.status(2).electionTimeout, net.status(3).electionTimeout];
      net.node(2).reportUnreachable(1);
      net.node(3).reportUnreachable(1);
      const timeouts = [net.status(2).electionTimeout, net.status(3).electionTimeout];
      const first = timeouts.indexOf(LINK_DOWN);
      expect(first, `seed ${seed}: ${timeouts.join(', ')}`).toBeGreaterThanOrEqual(0);
      // The other survivor takes the next slot, even if its randomized timeout was sooner, so
      // the two do not split the vote.
      const other = 1 - first;
      expect(timeouts[other], `seed ${seed}`).toBe(LINK_DOWN + SLOT);
      expect(Math.min(...randomized)).toBeGreaterThanOrEqual(ELECTION);
    }
  });

  it('never campaigns before ceil(3E/4) + 1 ticks, for any electionTick', () => {
    for (const electionTick of [2, 3, 4, 5, 8, 10, 12, 20]) {
      const net = new Network({ config: { electionTick, heartbeatTick: 1 } });
      net.elect(1);
      net.tick(1);
      net.isolate(1);
      net.node(2).reportUnreachable(1);
      const t = ticksUntilPreVote(net, 2);
      expect(t, `electionTick ${electionTick}`).toBeGreaterThanOrEqual(
        Math.min(electionTick, Math.ceil((3 * electionTick) / 4) + 1),
      );
      expect(t).toBeLessThan(electionTick + 3);
    }
  });

  it('the second survivor waits for its slot even when its randomized timeout is sooner', () => {
    let seen = 0;
    for (let seed = 1; seed <= 40 && seen < 3; seed++) {
      const net = ledBy1(3, seed);
      net.isolate(1);
      const randomized = [0, 0, net.status(2).electionTimeout, net.status(3).electionTimeout];
      net.node(2).reportUnreachable(1);
      net.node(3).reportUnreachable(1);
      const second = net.status(2).electionTimeout === LINK_DOWN ? 3 : 2;
      if (randomized[second] >= LINK_DOWN + SLOT) continue;
      seen++;
      const first = second === 2 ? 3 : 2;
      net.isolate(first); // the first survivor's campaign is lost: the second campaigns alone
      expect(ticksUntilPreVote(net, second), `seed ${seed}`).toBe(LINK_DOWN + SLOT);
    }
    expect(seen).toBe(3);
  });

  it('the survivors elect a new leader within LINK_DOWN + 2 ticks of the last heartbeat', () => {
    for (let seed = 1; seed <= 20; seed++) {
      for (const size of [3, 5]) {
        const net = ledBy1(size, seed);
        net.isolate(1);
        for (let id = 2; id <= size; id++) net.node(id).reportUnreachable(1);
        let ticks = 0;
        while (![2, 3, 4, 5].includes(net.leader())) {
          for (let id = 2; id <= size; id++) net.tick(id);
          ticks++;
          expect(ticks, `seed ${seed}, ${size} nodes`).toBeLessThanOrEqual(LINK_DOWN + 2);
        }
        // One election, not a split vote followed by another.
        expect(net.status(net.leader()).term).toBe(net.status(1).term + 1);
      }
    }
  });

  it('retries its pre-vote each tick: a survivor whose ticks run a little later drops the first', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const net = ledBy1(3, seed);
      net.isolate(1);
      net.node(2).reportUnreachable(1);
      net.node(3).reportUnreachable(1);
      const first = net.status(2).electionTimeout === LINK_DOWN ? 2 : 3;
      const other = first === 2 ? 3 : 2;
      net.tick(other, LINK_DOWN - 1);
      net.tick(first, LINK_DOWN); // campaigns while `other` is one tick short of leaving the lease
      expect(net.status(first).role, `seed ${seed}`).toBe('preCandidate');
      expect(net.status(other).role).toBe('follower');
      net.tick(other);
      net.tick(first); // the retry
      expect(net.leader(), `seed ${seed}`).toBe(first);
      expect(net.status(first).term).toBe(net.status(1).term + 1);
    }
  });

  it('keeps refusing (pre-)votes for LINK_DOWN ticks after the last contact: the lease holds', () => {
    const net = ledBy1(3, 1);
    net.isolate(1);
    net.node(2).reportUnreachable(1);
    net.tick(2, LINK_DOWN - 1);
    net.recover();
    expect(net.stepOnly(preVoteFor(net, 3, 2))).toEqual([]);
    expect(net.stepOnly({ ...preVoteFor(net, 3, 2), type: 'vote' })).toEqual([]);
    expect(net.status(2)).toMatchObject({ role: 'follower', leader: 1 });
    net.isolate(1);
    net.tick(2);
    const out = net.stepOnly(preVoteFor(net, 3, 2));
    expect(out.map((m) => [m.type, m.reject ?? false])).toEqual([['preVoteResp', false]]);
  });

  it('a message from the leader after the drop restores the full timeout and lease', () => {
    const net = ledBy1(3, 4);
    const timeout = net.status(2).electionTimeout;
    net.node(2).reportUnreachable(1);
    expect(net.status(2).electionTimeout).toBeLessThanOrEqual(LINK_DOWN + SLOT);
    net.tick(1, DEFAULT_CONFIG.heartbeatTick); // the link came back: a heartbeat arrives
    expect(net.status(2).electionTimeout).toBe(timeout);
    net.isolate(1);
    net.tick(2, LINK_DOWN);
    expect(net.stepOnly(preVoteFor(net, 3, 2))).toEqual([]); // still in the full lease
  });

  it('a dropped link to a peer that is not the leader changes nothing', () => {
    const net = ledBy1(3, 2);
    const timeout = net.status(2).electionTimeout;
    net.node(2).reportUnreachable(3);
    expect(net.status(2).electionTimeout).toBe(timeout);
    expect(timeout).toBeGreaterThanOrEqual(ELECTION);
  });

  it('without CheckQuorum (no lease stickiness) the signal is ignored', () => {
    const net = new Network({ config: { checkQuorum: false } });
    net.elect(1);
    const timeout = net.status(2).electionTimeout;
    net.node(2).reportUnreachable(1);
    expect(net.status(2).electionTimeout).toBe(timeout);
  });

  it('a spurious drop while the leader is reachable does not depose it', () => {
    const net = ledBy1(3, 3);
    net.node(2).reportUnreachable(1);
    net.node(3).reportUnreachable(1);
    net.tickAll(5 * ELECTION);
    expect(net.leader()).toBe(1);
    expect(net.status(2).term).toBe(net.status(1).term);
  });
});
