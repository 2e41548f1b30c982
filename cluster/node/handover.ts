/**
 * A leader whose MySQL is sick hands leadership to a healthy voter. Such a leader still commits
 * entries, but it cannot apply them, so it cannot answer a write or a linearizable read; while it
 * keeps leading, the whole cluster is stuck behind its database (issue 12, H2). Raft does not
 * need MySQL, so this is a preference layered on top: the transfer is the core's TimeoutNow
 * (transferLeadership), and nothing is handed over when no other voter's MySQL is up: a
 * leader that cannot apply is still better than no leader, the log keeps growing and is applied
 * when a MySQL returns.
 */
import type { NodeId } from '../raft/index.js';
import type { MySqlStatus } from '../api/node.js';
import type { Logger } from './log.js';

export interface HandoverDeps {
  readonly isLeader: () => boolean;
  readonly mysqlStatus: () => MySqlStatus;
  /** The other voters and how far their logs match the leader's. */
  readonly voters: () => readonly { readonly id: NodeId; readonly match: number }[];
  /** Whether voter `id` says its MySQL is up (asked over its client API). */
  readonly mysqlUpAt: (id: NodeId) => Promise<boolean>;
  readonly transfer: (to: NodeId) => void;
  /**
   * How long MySQL must have been `down` or `connecting` before handing over (a node just
   * started is still migrating). `stalled` hands over at once: it has waited its bound already.
   */
  readonly graceMs: number;
  /** Between two attempts (a transfer the core abandoned, or nobody healthy yet). */
  readonly retryMs: number;
  readonly log: Logger;
  readonly now: () => number;
}

export class SickLeaderHandover {
  private sickSince: number | undefined;
  private asking = false;
  private lastAttempt = -Infinity;

  constructor(private readonly d: HandoverDeps) {}

  /** Called every heartbeat or so; starts at most one health round at a time. */
  check(): void {
    const now = this.d.now();
    const status = this.d.mysqlStatus();
    if (!this.d.isLeader() || status === 'up') {
      this.sickSince = undefined;
      return;
    }
    this.sickSince ??= now;
    if (status !== 'stalled' && now - this.sickSince < this.d.graceMs) return;
    if (this.asking || now - this.lastAttempt < this.d.retryMs) return;
    this.asking = true;
    this.lastAttempt = now;
    void this.healthiest()
      .then((to) => {
        const still = this.d.mysqlStatus();
        if (to === undefined || !this.d.isLeader() || still === 'up') return;
        this.d.log.warn(`MySQL is ${still}: handing leadership to n${to}, whose MySQL is up`);
        this.d.transfer(to);
      })
      .catch((e: unknown) => this.d.log.warn(`leadership handover: ${(e as Error).message}`))
      .finally(() => {
        this.asking = false;
      });
  }

  /** The most up-to-date voter whose MySQL is up (it gets TimeoutNow soonest), if any. */
  private async healthiest(): Promise<NodeId | undefined> {
    const voters = [...this.d.voters()].sort((a, b) => b.match - a.match);
    const up = await Promise.all(voters.map((v) => this.d.mysqlUpAt(v.id).catch(() => false)));
    return voters.find((_, i) => up[i])?.id;
  }
}
