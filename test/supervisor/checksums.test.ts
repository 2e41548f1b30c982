/**
 * Which replicas diverge (cluster/supervisor/checksums.ts): the majority is taken among replicas
 * at the same applied index only, and a split with no majority flags every side. The asking
 * itself runs against a fake fetch here; test/supervisor/control-room.test.ts runs it for real.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterNode, ReplicaChecksum } from '../../cluster/api/control.js';
import { collectChecksums, divergedReplicas } from '../../cluster/supervisor/checksums.js';

const r = (
  nodeId: number,
  appliedIndex: number | null,
  checksum: string | null,
): ReplicaChecksum => ({ nodeId, appliedIndex, checksum });

describe('divergedReplicas', () => {
  it('is empty when replicas agree, or differ only because they are at different indexes', () => {
    expect(divergedReplicas([r(1, 9, 'a'), r(2, 9, 'a'), r(3, 9, 'a')])).toEqual([]);
    expect(divergedReplicas([r(1, 9, 'a'), r(2, 8, 'b'), r(3, 9, 'a')])).toEqual([]);
    expect(divergedReplicas([r(1, 9, 'a'), r(2, null, null)])).toEqual([]);
  });

  it('flags the replica that differs from the majority at its index', () => {
    expect(divergedReplicas([r(1, 9, 'a'), r(2, 9, 'x'), r(3, 9, 'a')])).toEqual([2]);
    expect(
      divergedReplicas([r(1, 9, 'a'), r(2, 9, 'a'), r(3, 9, 'a'), r(4, 9, 'x'), r(5, 9, 'y')]),
    ).toEqual([4, 5]);
  });

  it('flags both sides of a split with no majority', () => {
    expect(divergedReplicas([r(1, 9, 'a'), r(2, 9, 'x'), r(3, 7, 'q')])).toEqual([1, 2]);
  });
});

function node(id: number, status: ClusterNode['status']): ClusterNode {
  return { id, status, clientUrl: `http://127.0.0.1:${9000 + id}` } as unknown as ClusterNode;
}

describe('collectChecksums', () => {
  it('asks running nodes with the token, and says why others have no checksum', async () => {
    const asked: { url: string; auth: string }[] = [];
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      asked.push({ url, auth: (init?.headers as Record<string, string>).authorization ?? '' });
      if (url.includes(':9002')) {
        return new Response(JSON.stringify({ error: 'mysql_down', message: 'MySQL is down' }), {
          status: 503,
        });
      }
      if (url.includes(':9004')) throw new Error('connect ECONNREFUSED');
      return new Response(JSON.stringify({ appliedIndex: 12, checksum: 'abc' }));
    }) as unknown as typeof fetch;
    const nodes = [node(1, 'running'), node(2, 'running'), node(3, 'paused'), node(4, 'running')];
    const c = await collectChecksums(nodes, 'tok-tok-tok-tok-tok', fakeFetch);
    expect(asked.map((a) => a.url).sort()).toEqual([
      'http://127.0.0.1:9001/checksum',
      'http://127.0.0.1:9002/checksum',
      'http://127.0.0.1:9004/checksum',
    ]);
    expect(asked.every((a) => a.auth === 'Bearer tok-tok-tok-tok-tok')).toBe(true);
    expect(c.replicas).toEqual([
      { nodeId: 1, appliedIndex: 12, checksum: 'abc' },
      { nodeId: 2, appliedIndex: null, checksum: null, error: 'MySQL is down' },
      { nodeId: 3, appliedIndex: null, checksum: null, error: 'the node is paused' },
      {
        nodeId: 4,
        appliedIndex: null,
        checksum: null,
        error: 'no answer: connect ECONNREFUSED',
      },
    ]);
    expect(c.diverged).toEqual([]);
  });
});
