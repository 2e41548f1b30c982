/** Aggregating node reports into `GET /api/cluster`, the events it implies, and fault validation. */
import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../cluster/api/node.js';
import { SupervisorError } from '../../cluster/supervisor/errors.js';
import { HEALED, applyNetworkBody } from '../../cluster/supervisor/network.js';
import {
  ViewTracker,
  buildClusterStatus,
  type NodeSnapshot,
} from '../../cluster/supervisor/status.js';

const NOW = 1_000_000;

function report(id: number, over: Partial<NodeStatus> = {}): NodeStatus {
  return {
    id,
    role: 'follower',
    term: 1,
    votedFor: 1,
    leaderId: 1,
    commitIndex: 5,
    appliedIndex: 5,
    lastLogIndex: 5,
    snapshotIndex: 0,
    voters: [1, 2, 3],
    learners: [],
    electionElapsed: 2,
    electionTimeout: 14,
    logTerms: [{ term: 2, from: 1, to: 5 }],
    clientUrl: `http://127.0.0.1:${9000 + id}`,
    mysql: { status: 'up' },
    progress: [],
    ...over,
  };
}

function snap(id: number, over: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    id,
    process: 'running',
    pid: 100 + id,
    exit: null,
    lastLines: ['a line'],
    status: report(id),
    statusAt: NOW - 50,
    clientUrl: `http://127.0.0.1:${9000 + id}`,
    tickMs: 50,
    mysqlMode: 'managed',
    mysqlServer: 'running',
    mysqlReported: undefined,
    ...over,
  };
}

const extra = { network: HEALED, slow: 1, mysqlMode: 'managed' as const };

describe('buildClusterStatus', () => {
  it('has the fields of docs/contract.md §3 and picks the leader', () => {
    const c = buildClusterStatus(
      [snap(1, { status: report(1, { role: 'leader' }) }), snap(2), snap(3)],
      NOW,
      extra,
    );
    expect(c.leaderId).toBe(1);
    expect(c.term).toBe(1);
    // A node that never reported has no terms to show.
    expect(
      buildClusterStatus([snap(4, { status: undefined })], NOW, extra).nodes[0]?.logTerms,
    ).toEqual([]);
    expect(c.nodes[0]).toMatchObject({
      id: 1,
      role: 'leader',
      status: 'running',
      term: 1,
      votedFor: 1,
      commitIndex: 5,
      appliedIndex: 5,
      lastLogIndex: 5,
      snapshotIndex: 0,
      logTerms: [{ term: 2, from: 1, to: 5 }],
      clientUrl: 'http://127.0.0.1:9001',
      mysql: { mode: 'managed', status: 'up', server: 'running' },
    });
  });

  it('prefers the leader of the highest term (an isolated old leader still says it leads)', () => {
    const c = buildClusterStatus(
      [
        snap(1, { status: report(1, { role: 'leader', term: 3 }) }),
        snap(2, { status: report(2, { role: 'leader', term: 4 }) }),
        snap(3, { status: report(3, { term: 4 }) }),
      ],
      NOW,
      extra,
    );
    expect(c.leaderId).toBe(2);
    expect(c.term).toBe(4);
  });

  it('ignores paused, stopped and stale reports for the leader', () => {
    const leader = report(1, { role: 'leader' });
    for (const s of [
      snap(1, { process: 'paused', status: leader }),
      snap(1, { process: 'crashed', status: leader }),
      snap(1, { status: leader, statusAt: NOW - 10_000 }),
    ]) {
      expect(buildClusterStatus([s, snap(2), snap(3)], NOW, extra).leaderId).toBe(0);
    }
  });

  it('shows a node that is down as a follower with its last lines; a paused one keeps its role', () => {
    const exit = { code: 1, signal: null, expected: false, at: 'x' };
    const c = buildClusterStatus(
      [
        snap(1, { process: 'crashed', exit, status: report(1, { role: 'leader' }) }),
        snap(2, { process: 'paused', status: report(2, { role: 'leader' }) }),
      ],
      NOW,
      extra,
    );
    expect(c.nodes[0]).toMatchObject({
      role: 'follower',
      status: 'crashed',
      exit,
      lastLines: ['a line'],
    });
    expect(c.nodes[1]).toMatchObject({ role: 'leader', status: 'paused', lastLines: [] });
  });

  it('maps preCandidate to candidate and says MySQL is down as soon as its server stopped', () => {
    const c = buildClusterStatus(
      [snap(1, { status: report(1, { role: 'preCandidate' }), mysqlServer: 'stopped' })],
      NOW,
      extra,
    );
    expect(c.nodes[0].role).toBe('candidate');
    expect(c.nodes[0].mysql).toEqual({ mode: 'managed', status: 'down', server: 'stopped' });
  });
});

describe('ViewTracker', () => {
  it('reports an election with its duration, then commits', () => {
    const t = new ViewTracker(NOW);
    const none = buildClusterStatus([snap(1), snap(2)], NOW, extra);
    expect(t.update({ ...none, leaderId: 0 }, NOW + 10)).toEqual([]);
    const led = buildClusterStatus(
      [snap(1, { status: report(1, { role: 'leader', term: 2, commitIndex: 7 }) }), snap(2)],
      NOW,
      extra,
    );
    expect(t.update(led, NOW + 300)).toEqual([
      { type: 'election', leaderId: 1, term: 2, durationMs: 300 },
      { type: 'commit', leaderId: 1, term: 2, from: 0, to: 7 },
    ]);
    expect(t.update(led, NOW + 400)).toEqual([]);
  });

  it("names an election by the leader's own term, not the highest term any node has seen", () => {
    // A deposed leader just thawed still says `leader` in term 12 while the others are at 13
    // and the new leader has not reported yet: that is no leader of term 13.
    const t = new ViewTracker(NOW);
    const view = buildClusterStatus(
      [
        snap(1, { status: report(1, { role: 'follower', term: 13 }) }),
        snap(2, { status: report(2, { role: 'leader', term: 12, commitIndex: 7 }) }),
      ],
      NOW,
      extra,
    );
    expect(view.term).toBe(13);
    const [election] = t.update(view, NOW + 50);
    expect(election).toMatchObject({ type: 'election', leaderId: 2, term: 12 });
  });
});

describe('applyNetworkBody', () => {
  const members = [1, 2, 3];

  it('replaces the parts given and keeps the others', () => {
    const p = applyNetworkBody(HEALED, { partitions: [[1], [2, 3]] }, members);
    expect(p).toEqual({ partitions: [[1], [2, 3]], links: [] });
    const l = applyNetworkBody(p, { links: [{ from: 1, to: 2, drop: 0.3, delayMs: 50 }] }, members);
    expect(l).toEqual({
      partitions: [[1], [2, 3]],
      links: [{ from: 1, to: 2, drop: 0.3, delayMs: 50 }],
    });
  });

  it.each([
    [{}, /give "partitions" and\/or "links"/],
    [{ partitions: [[1], [1, 2]] }, /node 1 is in two partition groups/],
    [{ partitions: [[7]] }, /there is no node 7/],
    [{ links: [{ from: 1, to: 2, drop: 1.5 }] }, /links\.0\.drop/],
    [{ links: [{ from: 1, to: 1 }] }, /from and to are the same node/],
    [{ partitions: 'all' }, /partitions/],
  ])('refuses %j', (body, message) => {
    expect(() => applyNetworkBody(HEALED, body, members)).toThrow(SupervisorError);
    expect(() => applyNetworkBody(HEALED, body, members)).toThrow(message);
  });
});
