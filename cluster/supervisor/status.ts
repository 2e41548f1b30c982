/**
 * Turning what each node last reported into `GET /api/cluster` (docs/contract.md §3), and the events a
 * series of such views implies (elections with their duration, commits). Pure apart from the
 * clock passed in, so it is tested without processes.
 */
import type {
  ClusterNode,
  ClusterRole,
  ClusterStatus,
  MySqlMode,
  MySqlServerState,
  NetworkFaults,
  NodeProcessStatus,
  ProcessExit,
} from '../api/control.js';
import type { MySqlStatus, NodeRole, NodeStatus } from '../api/node.js';
import type { EventBody } from './events.js';

/** A report older than this does not count as the node's current view. */
export const FRESH_MS = 1_500;

export interface NodeSnapshot {
  readonly id: number;
  readonly process: NodeProcessStatus;
  readonly pid: number | null;
  readonly exit: ProcessExit | null;
  readonly lastLines: readonly string[];
  readonly status: NodeStatus | undefined;
  /** ms since epoch of `status`, 0 when never. */
  readonly statusAt: number;
  readonly clientUrl: string;
  readonly tickMs: number;
  readonly mysqlMode: MySqlMode;
  readonly mysqlServer: MySqlServerState;
  /** The node's last `mysql` event, which is newer than a polled status. */
  readonly mysqlReported: { readonly status: MySqlStatus; readonly error?: string } | undefined;
}

export function clusterRole(role: NodeRole): ClusterRole {
  return role === 'preCandidate' ? 'candidate' : role;
}

function mysqlView(s: NodeSnapshot): ClusterNode['mysql'] {
  const reported = s.mysqlReported ?? s.status?.mysql;
  if (s.mysqlServer === 'stopped' || s.mysqlServer === 'crashed' || s.mysqlServer === 'stopping') {
    return { mode: s.mysqlMode, status: 'down', server: s.mysqlServer };
  }
  if (s.process !== 'running' && s.process !== 'paused') {
    // Nobody uses the database; say whether the server is there (and answers).
    const status: MySqlStatus =
      s.mysqlServer === 'starting' ? 'connecting' : s.mysqlServer === 'paused' ? 'stalled' : 'up';
    return { mode: s.mysqlMode, status, server: s.mysqlServer };
  }
  const status = reported?.status ?? 'connecting';
  return reported?.error === undefined
    ? { mode: s.mysqlMode, status, server: s.mysqlServer }
    : { mode: s.mysqlMode, status, server: s.mysqlServer, error: reported.error };
}

export function toClusterNode(s: NodeSnapshot): ClusterNode {
  const st = s.status;
  // A process that is not there has no role; it comes back as a follower. A paused one keeps
  // its role: frozen, it still believes it.
  const present = s.process === 'running' || s.process === 'paused';
  return {
    id: s.id,
    role: st === undefined || !present ? 'follower' : clusterRole(st.role),
    status: s.process,
    term: st?.term ?? 0,
    votedFor: st?.votedFor ?? 0,
    commitIndex: st?.commitIndex ?? 0,
    appliedIndex: st?.appliedIndex ?? 0,
    lastLogIndex: st?.lastLogIndex ?? 0,
    snapshotIndex: st?.snapshotIndex ?? 0,
    logTerms: st?.logTerms ?? [],
    clientUrl: s.clientUrl,
    mysql: mysqlView(s),
    leaderId: st?.leaderId ?? 0,
    voters: st?.voters ?? [],
    learners: st?.learners ?? [],
    electionElapsed: st?.electionElapsed ?? 0,
    electionTimeout: st?.electionTimeout ?? 0,
    tickMs: s.tickMs,
    pid: s.pid,
    exit: s.exit,
    // Only where nobody can look at the live log stream: a node that is down or not up yet.
    lastLines: present ? [] : s.lastLines,
    reportedAt: s.statusAt === 0 ? null : new Date(s.statusAt).toISOString(),
  };
}

/** Reports that describe a node's present: running (not paused) and recent. */
export function currentStatuses(nodes: readonly NodeSnapshot[], now: number): NodeStatus[] {
  return nodes
    .filter(
      (n) => n.process === 'running' && n.status !== undefined && now - n.statusAt <= FRESH_MS,
    )
    .map((n) => n.status as NodeStatus);
}

/**
 * The leader: a live node that says it leads, in the highest term any such node claims. A
 * leader cut off by a partition still says so until CheckQuorum demotes it; the majority's new
 * leader has a higher term and wins.
 */
export function leaderOf(current: readonly NodeStatus[]): NodeStatus | undefined {
  let best: NodeStatus | undefined;
  for (const s of current) {
    if (s.role !== 'leader') continue;
    if (best === undefined || s.term > best.term) best = s;
  }
  return best;
}

export function buildClusterStatus(
  nodes: readonly NodeSnapshot[],
  now: number,
  extra: { network: NetworkFaults; slow: number; mysqlMode: MySqlMode },
): ClusterStatus {
  const current = currentStatuses(nodes, now);
  const leader = leaderOf(current);
  const term = current.reduce((t, s) => Math.max(t, s.term), 0);
  return {
    leaderId: leader?.id ?? 0,
    term,
    nodes: nodes.map(toClusterNode),
    network: extra.network,
    slow: extra.slow,
    mysqlMode: extra.mysqlMode,
  };
}

/**
 * Derives elections and commits from successive views. An election's duration runs from the
 * first moment no live node led (or a node campaigned) to the moment a leader is seen.
 */
export class ViewTracker {
  private leaderlessSince: number | undefined;
  private lastLeader = 0;
  private lastTerm = 0;
  private lastCommit = 0;

  constructor(now: number) {
    this.leaderlessSince = now;
  }

  /** A node said it campaigns: leadership is in question from now, if not already. */
  campaignSeen(now: number): void {
    this.leaderlessSince ??= now;
  }

  update(view: ClusterStatus, now: number): EventBody[] {
    const out: EventBody[] = [];
    // The leader's own term: `view.term` is the highest any node has seen, which a deposed
    // leader that has not heard of the new term yet does not lead.
    const leaderTerm = view.nodes.find((n) => n.id === view.leaderId)?.term ?? view.term;
    if (view.leaderId === 0) {
      this.leaderlessSince ??= now;
    } else if (view.leaderId !== this.lastLeader || leaderTerm !== this.lastTerm) {
      out.push({
        type: 'election',
        leaderId: view.leaderId,
        term: leaderTerm,
        durationMs: this.leaderlessSince === undefined ? null : now - this.leaderlessSince,
      });
      this.leaderlessSince = undefined;
      this.lastLeader = view.leaderId;
      this.lastTerm = leaderTerm;
    } else {
      this.leaderlessSince = undefined;
    }
    const leader = view.nodes.find((n) => n.id === view.leaderId);
    if (leader !== undefined && leader.commitIndex > this.lastCommit) {
      out.push({
        type: 'commit',
        leaderId: leader.id,
        term: leader.term,
        from: this.lastCommit,
        to: leader.commitIndex,
      });
      this.lastCommit = leader.commitIndex;
    }
    return out;
  }
}
