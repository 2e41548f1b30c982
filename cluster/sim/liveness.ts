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
  // Messages the fault phase held back (long reordering: up to 2 s) still land after the heal,
  // and a stale leader's late heartbeats rightly hold off elections; the network is only healed
  // once they are in, so the budget starts then.
  const healedAt = Math.max(cluster.now, cluster.net.inFlightUntil());
  const deadline = healedAt + budget;

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

  // Past the deadline, a leader that is visibly replicating (followers catching up one small
  // batch per round trip) gets more time, up to a cap: slow is not stuck.
  let until = deadline;
  const cap = healedAt + 60_000;
  let lastProgress = progressMark(cluster);
  for (;;) {
    replicate();
    if (done || !cluster.checker.ok || cluster.leader() === undefined || cluster.now >= cap) break;
    const mark = progressMark(cluster);
    if (mark === lastProgress) break;
    lastProgress = mark;
    until = Math.min(cap, cluster.now + budget);
  }
  if (done || !cluster.checker.ok) return done;
  const l = cluster.leader();
  cluster.checker.fail(
    'liveness',
    `healed at t=${healedAt}ms with every node up, but after ${electionTimeouts} election ` +
      `timeouts (${budget}ms) ` +
      (l === undefined
        ? 'there is no leader'
        : `leader n${l} has not committed a new command` +
          (cluster.now > deadline ? ` (nor made progress in the last ${budget}ms)` : '')),
  );
  return false;

  function replicate(): void {
    while (!done && cluster.checker.ok && cluster.now < until) step();
  }

  function step(): void {
    const l = cluster.leader();
    // (Re)propose when nothing is pending, or when the pending proposal looks lost.
    if (l !== undefined && (!pending || cluster.now - pending.at > 300)) {
      const cmd = `live.${++attempt}`;
      const r = cluster.start(l, cmd);
      if (r.isLeader) pending = { node: l, index: r.index, term: r.term, cmd, at: cluster.now };
    }
    cluster.runUntil(() => done || !cluster.checker.ok, Math.min(10, until - cluster.now));
  }
}

/**
 * Sum of every node's applied index: it grows while lagging nodes catch up. (Not log lengths:
 * a stuck leader's own log grows with every re-proposal.)
 */
function progressMark(cluster: SimCluster): number {
  let sum = 0;
  for (const id of cluster.ids()) sum += cluster.node(id).appliedIndex;
  return sum;
}

/**
 * The end of a run: every member of the final configuration (voters and learners) must catch
 * up and hold every write a client saw acknowledged, on the one committed history. Catching up
 * may be slow (one entry per round trip with a window of 1), so a member fails only when it
 * makes no progress at all for `windowMs`, or has not caught up after `capMs`.
 */
export function checkDurability(cluster: SimCluster, windowMs: number, capMs = 60_000): void {
  const c = cluster.checker;
  const start = cluster.now;
  // The final configuration is the leader's (a leader that just removed itself may have
  // stepped down: wait for the next one).
  cluster.runUntil(() => cluster.leader() !== undefined || !c.ok, windowMs);
  const conf = cluster.conf();
  const members = [...conf.voters, ...conf.learners].filter((id) => cluster.ids().includes(id));
  const target = c.maxAckedIndex;
  const applied = (): number[] => members.map((id) => cluster.node(id).appliedIndex);
  const done = (): boolean =>
    !c.ok || members.every((id) => cluster.node(id).appliedIndex >= target);
  for (;;) {
    const before = applied();
    if (cluster.runUntil(done, windowMs)) break;
    const progressed = applied().some((a, i) => a > before[i]);
    if (progressed && cluster.now - start < capMs) continue;
    // Not (yet) a lost write: a member that cannot catch up is a liveness failure.
    const stuck = members.find((id) => cluster.node(id).appliedIndex < target)!;
    c.fail(
      'liveness',
      `n${stuck} is stuck at applied index ${cluster.node(stuck).appliedIndex} ` +
        (progressed
          ? `after ${capMs}ms of catching up`
          : `(no member made progress for ${windowMs}ms)`) +
        `, while acknowledged writes reach ${target}`,
    );
    return;
  }
  if (!c.ok) return;
  c.checkFinal(
    members.map((id) => {
      const n = cluster.node(id);
      return { id, applied: n.appliedIndex, hash: n.appliedHash };
    }),
  );
}
