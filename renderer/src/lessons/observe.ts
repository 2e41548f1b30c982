/** Questions the lessons ask of a cluster status. A node that is not running says nothing. */
import type { ClusterNode, ClusterStatus } from '../../../cluster/api/control.js';

export function running(status: ClusterStatus): readonly ClusterNode[] {
  return status.nodes.filter((n) => n.status === 'running');
}

export function node(status: ClusterStatus, id: number): ClusterNode | undefined {
  return status.nodes.find((n) => n.id === id);
}

/**
 * The leader of the highest term among running nodes. A deposed leader cut off in a minority may
 * still call itself leader of an older term for a moment; the newest term is the real one.
 */
export function leader(status: ClusterStatus): ClusterNode | undefined {
  let best: ClusterNode | undefined;
  for (const n of running(status)) {
    if (n.role === 'leader' && (best === undefined || n.term > best.term)) best = n;
  }
  return best;
}

/** A running leader other than `not`, of a term above `above`. */
export function newLeader(
  status: ClusterStatus,
  not: number,
  above: number,
): ClusterNode | undefined {
  const l = leader(status);
  return l !== undefined && l.id !== not && l.term > above ? l : undefined;
}

/** Running voters other than the leader. */
export function followers(status: ClusterStatus, leaderId: number): readonly ClusterNode[] {
  return running(status).filter((n) => n.id !== leaderId && n.role !== 'learner');
}

/** Every running node has committed at least `index`. */
export function allCommitted(status: ClusterStatus, index: number, ids?: readonly number[]) {
  const nodes =
    ids === undefined ? running(status) : status.nodes.filter((n) => ids.includes(n.id));
  return nodes.length > 0 && nodes.every((n) => n.status === 'running' && n.commitIndex >= index);
}

/** Voters of the cluster (what "a majority" counts). */
export function voterCount(status: ClusterStatus): number {
  const l = leader(status) ?? status.nodes[0];
  return l === undefined ? 0 : Math.max(l.voters.length, 1);
}
