/**
 * Membership churn through the leader's `changeMembership`, one change at a time: remove a voter
 * (sometimes the leader itself; a node that refused to start first), add a fresh machine as a
 * learner, promote it once it caught up — so the cluster cycles between K and K-1 voters while
 * snapshots and catch-up carry the state to the newcomers.
 */
import type { NodeId } from '../../raft/index.js';
import type { SimRng } from '../rng.js';
import type { NodeSimCluster } from './cluster.js';
import type { SimMember } from './member.js';
import type { MembershipChange } from './node-api.js';
import { clientPortOf, raftPortOf, SIM_HOST } from './transport.js';

export class Membership {
  /** Generation of the change in flight (0: none). */
  private inFlight = 0;
  private gen = 0;
  /** A started machine waiting to be added as a learner. */
  private joining: SimMember | undefined;
  /** Members to remove first (they refused to start). */
  private readonly condemned = new Set<NodeId>();
  changes = 0;
  /** A voter was removed and no new one promoted since. */
  private short = false;

  constructor(
    private readonly cluster: NodeSimCluster,
    private readonly rng: SimRng,
  ) {}

  /**
   * Work is left: a condemned member to remove, or a removal to make up for (the cluster is
   * below its size until a new member is promoted). The scheduler then steps every time.
   */
  get pending(): boolean {
    return this.condemned.size > 0 || this.short;
  }

  /** A change is in flight (its answer has not come, nor its deadline passed). */
  get busy(): boolean {
    return this.inFlight !== 0;
  }

  /** A member that cannot start any more: remove it, and a fresh one will take its place. */
  replace(m: SimMember): void {
    this.condemned.add(m.id);
  }

  /** Starts the next change if none is in flight; true if one was started. */
  step(): boolean {
    if (this.inFlight !== 0) return false;
    const c = this.cluster;
    const leader = c.leader();
    if (leader?.node === undefined) return false;
    const st = leader.node.status();
    this.reconcile(new Set([...st.voters, ...st.learners]));
    const k = c.bootstrapVoters.length;
    if (st.learners.length > 0) {
      return this.propose(leader, { type: 'promote', nodeId: this.rng.pick(st.learners) });
    }
    const condemned = st.voters.filter((id) => this.condemned.has(id));
    if (condemned.length > 0) {
      return this.propose(leader, { type: 'remove', nodeId: condemned[0] });
    }
    if (st.voters.length >= k) {
      const others = st.voters.filter((id) => id !== leader.id);
      const victim =
        this.rng.chance(0.2) || others.length === 0 ? leader.id : this.rng.pick(others);
      return this.propose(leader, { type: 'remove', nodeId: victim });
    }
    return this.add(leader);
  }

  /**
   * Machines the configuration no longer has are shut down: a removal whose answer was lost
   * (its leader died, the wait timed out) may still have been committed.
   */
  reconcile(conf: ReadonlySet<NodeId>): void {
    for (const m of this.cluster.members.values()) {
      if (m.state === 'removed' || conf.has(m.id) || m === this.joining) continue;
      this.condemned.delete(m.id);
      this.cluster.note(`REMOVED n${m.id}: not in the configuration any more`);
      m.remove();
    }
  }

  private add(leader: SimMember): boolean {
    const c = this.cluster;
    let m = this.joining;
    if (m === undefined || m.state === 'removed' || m.state === 'refused') {
      const id = Math.max(...c.members.keys()) + 1;
      m = c.addMember(id);
      this.joining = m;
      c.note(`NEW MACHINE n${id}`);
    }
    if (m.state === 'down') void c.start(m);
    const address = { host: SIM_HOST, raftPort: raftPortOf(m.id), clientPort: clientPortOf(m.id) };
    return this.propose(leader, { type: 'addLearner', nodeId: m.id, address });
  }

  private propose(leader: SimMember, change: MembershipChange): boolean {
    const node = leader.node;
    if (node === undefined) return false;
    const c = this.cluster;
    const gen = ++this.gen;
    this.inFlight = gen;
    c.note(`MEMBERSHIP ${change.type} n${change.nodeId} (via n${leader.id})`);
    const done = (): void => {
      if (this.inFlight === gen) this.inFlight = 0;
    };
    // The leader may die with the change in flight: its answer would never come.
    c.agenda.schedule(10 * c.opts.knobs.requestTimeoutMs, done);
    let proposed: Promise<number>;
    try {
      proposed = node.changeMembership(change);
    } catch (e) {
      c.nodeThrew(leader, `changeMembership(${change.type} n${change.nodeId})`, e);
      done();
      return true;
    }
    proposed.then(
      (index) => {
        c.note(`MEMBERSHIP ${change.type} n${change.nodeId} applied at ${index}`);
        this.changes++;
        this.applied(change);
        done();
      },
      (e: unknown) => {
        c.note(`MEMBERSHIP ${change.type} n${change.nodeId} failed: ${String(e)}`);
        done();
      },
    );
    return true;
  }

  private applied(change: MembershipChange): void {
    const m = this.cluster.members.get(change.nodeId);
    if (m === undefined) return;
    if (change.type === 'promote') this.short = false;
    if (change.type === 'remove') {
      this.short = true;
      this.condemned.delete(m.id);
      this.cluster.note(`REMOVED n${m.id}: shut down for good`);
      m.remove();
    } else if (change.type === 'addLearner' && this.joining === m) {
      this.joining = undefined;
    }
  }
}
