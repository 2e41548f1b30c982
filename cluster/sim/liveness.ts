import type { NodeId } from '../raft/index.js';
import type { SimCluster } from './cluster.js';

/**
 * After the fault phase: heal the network and restart every crashed node, then demand progress
 * within `electionTimeouts` election timeouts — a leader, and a fresh command committed and
 * acknowledged. Raft promises this once a majority is up and can talk (with PreVote and
 * CheckQuorum, stale nodes cannot keep disrupting). A failure is recorded as a 'liveness'
 * violation; returns whether it succeeded.
 */
export function healAndCheckLiveness(cluster: SimCluster, electionTimeouts = 10): boolean {
  cluster.disarmCrashes();
  cluster.heal();
  for (const id of cluster.ids()) cluster.restart(id);
  const budget = electionTimeouts * cluster.config.electionTick * cluster.tickMs;
  const deadline = cluster.now + budget;

  let pending: { node: NodeId; index: number; term: number; cmd: string; at: number } | undefined;
  let done = false;
  let attempt = 0;
  cluster.onApply((node, e) => {
    if (!pending || node.id !== pending.node || e.index !== pending.index) return;
    if (e.term === pending.term && e.data === pending.cmd) {
      cluster.ack(pending.cmd, e.index);
      done = true;
    }
    pending = undefined;
  });

  while (!done && cluster.checker.ok && cluster.now < deadline) {
    const l = cluster.leader();
    // (Re)propose when nothing is pending, or when the pending proposal looks lost.
    if (l !== undefined && (!pending || cluster.now - pending.at > 300)) {
      const cmd = `live.${++attempt}`;
      const r = cluster.start(l, cmd);
      if (r.isLeader) pending = { node: l, index: r.index, term: r.term, cmd, at: cluster.now };
    }
    cluster.runUntil(() => done || !cluster.checker.ok, Math.min(10, deadline - cluster.now));
  }
  if (done || !cluster.checker.ok) return done;
  const l = cluster.leader();
  cluster.checker.fail(
    'liveness',
    `healed at t=${deadline - budget}ms with every node up, but after ${electionTimeouts} election ` +
      `timeouts (${budget}ms) ` +
      (l === undefined ? 'there is no leader' : `leader n${l} has not committed a new command`),
  );
  return false;
}

/**
 * The end of a run: every member of the final configuration (voters and learners) must catch
 * up and hold every write a client saw acknowledged, on the one committed history.
 */
export function checkDurability(cluster: SimCluster, maxWaitMs: number): void {
  const conf = cluster.conf();
  const members = [...conf.voters, ...conf.learners].filter((id) => cluster.ids().includes(id));
  const target = cluster.checker.maxAckedIndex;
  const caughtUp = cluster.runUntil(
    () => !cluster.checker.ok || members.every((id) => cluster.node(id).appliedIndex >= target),
    maxWaitMs,
  );
  if (!cluster.checker.ok) return;
  if (!caughtUp) {
    // Not (yet) a lost write: a member that cannot catch up is a liveness failure.
    const stuck = members.find((id) => cluster.node(id).appliedIndex < target)!;
    cluster.checker.fail(
      'liveness',
      `n${stuck} is stuck at applied index ${cluster.node(stuck).appliedIndex} ${maxWaitMs}ms after ` +
        `the cluster recovered, while acknowledged writes reach ${target}`,
    );
    return;
  }
  cluster.checker.checkFinal(
    members.map((id) => {
      const n = cluster.node(id);
      return { id, applied: n.appliedIndex, hash: n.appliedHash };
    }),
  );
}
