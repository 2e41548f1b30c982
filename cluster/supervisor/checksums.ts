/**
 * `GET /api/checksums`: every member's database checksum at its applied index, and which
 * replicas diverge. Replicas only compare at the same applied index (a follower one entry
 * behind has a different, correct checksum), so the majority is taken per index.
 */
import type { ClusterChecksums, ClusterNode, ReplicaChecksum } from '../api/control.js';
import type { ChecksumResponse } from '../api/node.js';

/** A node's MySQL answers a checksum in milliseconds; a wedged one must not hold the panel. */
const ASK_MS = 5_000;

/**
 * The nodes whose checksum differs from the most common one among the replicas at the same
 * applied index. With no single most common one (a 1–1 split), every replica of that index is
 * listed: they disagree and no majority says which is right.
 */
export function divergedReplicas(replicas: readonly ReplicaChecksum[]): number[] {
  const byIndex = new Map<number, ReplicaChecksum[]>();
  for (const r of replicas) {
    if (r.appliedIndex === null || r.checksum === null) continue;
    const group = byIndex.get(r.appliedIndex) ?? [];
    group.push(r);
    byIndex.set(r.appliedIndex, group);
  }
  const out: number[] = [];
  for (const group of byIndex.values()) {
    const counts = new Map<string, number>();
    for (const r of group)
      counts.set(r.checksum as string, (counts.get(r.checksum as string) ?? 0) + 1);
    if (counts.size <= 1) continue;
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const tie = (ranked[1] as [string, number])[1] === (ranked[0] as [string, number])[1];
    const majority = tie ? null : (ranked[0] as [string, number])[0];
    for (const r of group) if (r.checksum !== majority) out.push(r.nodeId);
  }
  return out.sort((a, b) => a - b);
}

function isChecksum(v: unknown): v is ChecksumResponse {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { appliedIndex?: unknown }).appliedIndex === 'number' &&
    typeof (v as { checksum?: unknown }).checksum === 'string'
  );
}

async function ask(
  node: ClusterNode,
  token: string,
  doFetch: typeof fetch,
): Promise<ReplicaChecksum> {
  const none = { nodeId: node.id, appliedIndex: null, checksum: null };
  if (node.status !== 'running') return { ...none, error: `the node is ${node.status}` };
  try {
    const res = await doFetch(`${node.clientUrl}/checksum`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(ASK_MS),
    });
    const body: unknown = await res.json().catch(() => undefined);
    if (res.ok && isChecksum(body)) {
      return { nodeId: node.id, appliedIndex: body.appliedIndex, checksum: body.checksum };
    }
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? String((body as { message: unknown }).message)
        : `HTTP ${res.status}`;
    return { ...none, error: message };
  } catch (e) {
    return { ...none, error: `no answer: ${(e as Error).message}` };
  }
}

/** Asks every running member at once; members that are not running are listed with why. */
export async function collectChecksums(
  nodes: readonly ClusterNode[],
  token: string,
  doFetch: typeof fetch = globalThis.fetch.bind(globalThis),
): Promise<ClusterChecksums> {
  const replicas = await Promise.all(nodes.map((n) => ask(n, token, doFetch)));
  return { replicas, diverged: divergedReplicas(replicas) };
}
