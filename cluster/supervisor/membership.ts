/**
 * The Raft side of adding and removing a node: proposing a conf change on whoever leads (and
 * following "not the leader (nX is)" answers), waiting for a learner to catch up before it is
 * promoted, and moving leadership off a node that is about to be removed (etcd's advice: a
 * leader that removes itself leaves the cluster leaderless for an election timeout anyway, and
 * its own reply may never arrive).
 */
import type { NodeStatus } from '../api/node.js';
import type { ControlReply, PeerAddressConfig } from '../node/control.js';
import { SupervisorError } from './errors.js';

export type ConfChangeBody =
  | { readonly type: 'addLearner'; readonly nodeId: number; readonly address: PeerAddressConfig }
  | { readonly type: 'promote' | 'remove'; readonly nodeId: number };

export interface MembershipHost {
  /** The current leader's id (0: none). */
  leaderId(): number;
  /** The node's latest report, if it is running and reported recently. */
  currentStatus(id: number): NodeStatus | undefined;
  confChange(leaderId: number, change: ConfChangeBody, timeoutMs: number): Promise<ControlReply>;
  transferLeadership(leaderId: number, to: number): Promise<ControlReply>;
  progress(message: string): void;
  /** The slow-motion factor: every wait here stretches with the Raft timers. */
  readonly scale: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for a leader; SupervisorError('no_leader') after `timeoutMs`. */
export async function waitForLeader(
  host: MembershipHost,
  timeoutMs: number,
  not?: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const id = host.leaderId();
    if (id !== 0 && id !== not) return id;
    if (Date.now() > deadline) {
      throw new SupervisorError('no_leader', `no leader within ${timeoutMs} ms: is a quorum up?`);
    }
    await sleep(50);
  }
}

/** Proposes `change` on the leader, following redirects and elections, until applied there. */
export async function proposeConfChange(
  host: MembershipHost,
  change: ConfChangeBody,
): Promise<void> {
  const timeoutMs = 30_000 * host.scale;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const leader = await waitForLeader(host, Math.max(1, deadline - Date.now()));
    let reply: ControlReply;
    try {
      reply = await host.confChange(leader, change, Math.max(1_000, deadline - Date.now()));
    } catch (e) {
      lastError = (e as Error).message;
      await sleep(100 * host.scale);
      continue;
    }
    if (reply.ok) return;
    lastError = reply.error;
    // Another change still in flight, or the leader moved: try again shortly.
    if (attempt > 20) break;
    await sleep(Math.min(1_000, 100 * (attempt + 1)) * host.scale);
  }
  throw new SupervisorError(
    'conflict',
    `membership change ${change.type} n${change.nodeId} failed: ${lastError || 'timed out'}`,
  );
}

/**
 * Waits until the leader's progress for `id` has matched the leader's commit index as it was at
 * the call (the learner holds every committed entry), and the learner applied it.
 */
export async function waitCaughtUp(host: MembershipHost, id: number): Promise<void> {
  const timeoutMs = 60_000 * host.scale;
  const deadline = Date.now() + timeoutMs;
  let target: number | undefined;
  let last = 'no report yet';
  while (Date.now() < deadline) {
    const leader = host.leaderId();
    const ls = leader === 0 ? undefined : host.currentStatus(leader);
    const own = host.currentStatus(id);
    if (ls !== undefined) {
      target ??= ls.commitIndex;
      const match = ls.progress.find((p) => p.id === id)?.match ?? 0;
      last = `match ${match}, applied ${own?.appliedIndex ?? '?'}, target ${target}`;
      if (match >= target && own !== undefined && own.appliedIndex >= target) return;
    }
    await sleep(100);
  }
  throw new SupervisorError(
    'conflict',
    `node ${id} did not catch up within ${timeoutMs} ms (${last})`,
  );
}

/**
 * If `id` leads, hands leadership to the most up-to-date other voter and waits for it. Best
 * effort: when no transfer succeeds, the removal is proposed on `id` itself.
 */
export async function moveLeadershipAway(host: MembershipHost, id: number): Promise<void> {
  if (host.leaderId() !== id) return;
  const st = host.currentStatus(id);
  const candidates = (st?.progress ?? [])
    .filter(
      (p) => p.id !== id && st?.voters.includes(p.id) && host.currentStatus(p.id) !== undefined,
    )
    .sort((a, b) => b.match - a.match);
  const to = candidates[0]?.id;
  if (to === undefined) return;
  host.progress(`moving leadership from n${id} to n${to} before removing n${id}`);
  await host.transferLeadership(id, to).catch(() => undefined);
  await waitForLeader(host, 10_000 * host.scale, id).catch(() => undefined);
}
