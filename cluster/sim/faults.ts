import { ProposalDropped, type Message, type NodeId } from '../raft/index.js';
import type { SimCluster } from './cluster.js';
import type { SimRng } from './rng.js';

/** The ways the fuzzer breaks things, with how often each is picked. */
const ACTIONS = [
  ['crash', 3],
  ['crashAfterSend', 2],
  ['restart', 1],
  ['partition', 2],
  ['isolateLeader', 2],
  ['healPartition', 2],
  ['disconnect', 1],
  ['connect', 1],
  ['unreliable', 1],
  ['longReordering', 0.5],
  ['badLink', 1],
  ['membership', 3],
  ['transfer', 1],
  ['campaign', 0.5],
  ['snapshot', 0.5],
] as const;

type Action = (typeof ACTIONS)[number][0];

/**
 * 'mixed': every kind of fault; 'churn': leaders crash over and over (6.824's Figure 8 tests);
 * 'orphans': new leaders are cut off at birth, leaving conflicting suffixes (the paper's Figure 8).
 */
export type FaultProfile = 'mixed' | 'churn' | 'orphans';

/** How often each protocol-moment trigger fires in each profile (see installTriggers). */
const TRIGGERS: Record<
  FaultProfile,
  { leaderBirth: number; oldTermApply: number; election: number }
> = {
  mixed: { leaderBirth: 0.1, oldTermApply: 0.3, election: 0.2 },
  churn: { leaderBirth: 0.2, oldTermApply: 0.5, election: 0.4 },
  orphans: { leaderBirth: 0.6, oldTermApply: 0.5, election: 0.2 },
};

const TOTAL_WEIGHT = ACTIONS.reduce((s, [, w]) => s + w, 0);

/**
 * Injects one fault at a time at random moments: crashes (most followed by a restart after a
 * random downtime), random partitions and isolated leaders, disconnections, unreliable and
 * long-reordering periods, lossy or slow links, membership changes (add a learner, promote it,
 * remove a voter — the leader included — keeping at least three voters), leadership transfers,
 * forced campaigns and snapshots. Every decision comes from the scheduler's own rng stream.
 */
export class FaultScheduler {
  private active = true;
  /** Nodes this scheduler may add: the cluster grows to at most this many ids. */
  private readonly maxIds: number;
  /** Bumped on every partition change, so a planned heal does not undo a newer partition. */
  private partitionGen = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly rng: SimRng,
    private readonly opts: {
      profile: FaultProfile;
      minGapMs: number;
      maxGapMs: number;
      extraNodes: number;
    },
  ) {
    this.maxIds = cluster.ids().length + opts.extraNodes;
    this.installTriggers(TRIGGERS[opts.profile]);
    if (opts.profile === 'churn') this.scheduleChurn();
    else if (opts.profile === 'orphans') this.startOrphans();
    else this.scheduleNext();
  }

  /**
   * Faults triggered by protocol moments rather than by the clock, each with a per-profile
   * probability: the instants right after a node made a promise or learned something the others
   * do not know yet are where ordering bugs hide, and a clock-driven nemesis rarely lands there.
   *  - leaderBirth: a new leader is cut off (or crashed) within 2 ms of winning, so its no-op and
   *    the commands clients keep sending it end up on a minority: conflicting suffixes in many
   *    terms, as in the paper's Figure 8;
   *  - oldTermApply: a leader that just applied an entry of an earlier term (settling its
   *    predecessors' leftovers) is cut off at once, leaving the others to decide what committed;
   *  - election: when a node starts an election, another voter is set to crash right after
   *    granting a vote, and to come back almost at once, in time for the rest of the election.
   */
  private installTriggers(p: {
    leaderBirth: number;
    oldTermApply: number;
    election: number;
  }): void {
    const c = this.cluster;
    const rng = this.rng;
    const cutOff = (id: NodeId, crash: boolean): void => {
      if (crash) c.crash(id);
      else this.partitionFor([[id], c.ids().filter((i) => i !== id)]);
    };
    c.onRoleChange((node) => {
      if (!this.active) return;
      if (node.role === 'leader' && rng.chance(p.leaderBirth)) {
        const crash = rng.chance(0.3);
        this.later(rng.range(0, 2), () => cutOff(node.id, crash));
      } else if (node.role === 'candidate' && rng.chance(p.election)) {
        const voters = c
          .conf()
          .voters.filter((id) => id !== node.id && c.ids().includes(id) && c.node(id).alive);
        if (voters.length > 0) this.crashAfterSend(rng.pick(voters), 'vote');
      }
    });
    let lastCut = -1;
    c.onApply((node, e) => {
      if (!this.active || node.role !== 'leader' || e.term >= node.term || lastCut === c.now)
        return;
      if (!rng.chance(p.oldTermApply)) return;
      lastCut = c.now;
      const crash = rng.chance(0.5);
      this.later(rng.range(0, 1), () => cutOff(node.id, crash));
    });
  }

  /** The 'orphans' profile: the triggers at full strength, plus random heals and restarts. */
  private startOrphans(): void {
    const c = this.cluster;
    const rng = this.rng;
    const loop = (): void => {
      this.later(rng.range(20, 300), () => {
        if (rng.chance(0.5)) {
          this.partitionGen++;
          c.note('HEAL partitions');
          c.net.partition([]);
        }
        const down = c.ids().filter((id) => !c.node(id).alive);
        if (down.length > 0 && rng.chance(0.6)) c.restart(rng.pick(down));
        const l = c.leader();
        if (l !== undefined && rng.chance(0.2)) c.crash(l);
        loop();
      });
    };
    loop();
  }

  /**
   * The 'churn' profile, after 6.824's Figure 8 tests: at short or long random intervals crash
   * the leader (often right after it sent something), now and then a follower, and restart
   * crashed nodes whenever fewer than a majority of voters are up (and sometimes anyway). Leaders
   * come and go with partly replicated entries — the ground where commit-rule bugs show.
   */
  private scheduleChurn(): void {
    const rng = this.rng;
    const gap = rng.chance(0.5) ? rng.range(1, 13) : rng.range(13, 250);
    this.cluster.schedule(gap, () => {
      if (!this.active) return;
      const c = this.cluster;
      const leader = c.leader();
      if (leader !== undefined && rng.chance(0.5)) {
        if (rng.chance(0.5)) c.crash(leader);
        else this.crashAfterSend(leader);
      } else if (rng.chance(0.3)) {
        const alive = c.ids().filter((id) => c.node(id).alive);
        if (alive.length > 0) this.crashAfterSend(rng.pick(alive));
      }
      const voters = c.conf().voters;
      const up = voters.filter((id) => c.ids().includes(id) && c.node(id).alive);
      const down = c.ids().filter((id) => !c.node(id).alive);
      if (down.length > 0 && (up.length <= voters.length / 2 || rng.chance(0.3)))
        c.restart(rng.pick(down));
      if (rng.chance(0.05)) c.setUnreliable(!c.net.unreliable);
      this.scheduleChurn();
    });
  }

  stop(): void {
    this.active = false;
  }

  private scheduleNext(): void {
    this.cluster.schedule(this.rng.range(this.opts.minGapMs, this.opts.maxGapMs), () => {
      if (!this.active) return;
      this.inject(this.pickAction());
      this.scheduleNext();
    });
  }

  private pickAction(): Action {
    let x = this.rng.float() * TOTAL_WEIGHT;
    for (const [a, w] of ACTIONS) {
      x -= w;
      if (x < 0) return a;
    }
    return ACTIONS[0][0];
  }

  /** Runs `fn` later unless the fault phase is over (the liveness phase heals by itself). */
  private later(ms: number, fn: () => void): void {
    this.cluster.schedule(ms, () => {
      if (this.active) fn();
    });
  }

  private inject(action: Action): void {
    const c = this.cluster;
    const rng = this.rng;
    const ids = c.ids();
    const alive = ids.filter((id) => c.node(id).alive);
    const down = ids.filter((id) => !c.node(id).alive);
    switch (action) {
      case 'crash': {
        if (alive.length === 0) return;
        const id = rng.chance(0.3) && c.leader() !== undefined ? c.leader()! : rng.pick(alive);
        c.crash(id);
        if (rng.chance(0.8)) this.later(rng.range(10, 2000), () => c.restart(id));
        return;
      }
      case 'crashAfterSend':
        if (alive.length > 0)
          this.crashAfterSend(rng.chance(0.3) ? (c.leader() ?? rng.pick(alive)) : rng.pick(alive));
        return;
      case 'restart':
        if (down.length > 0) c.restart(rng.pick(down));
        return;
      case 'partition': {
        const shuffled = rng.shuffle(ids);
        const k = rng.range(2, 3);
        const groups: NodeId[][] = Array.from({ length: k }, () => []);
        shuffled.forEach((id, i) => groups[i < k ? i : rng.int(k)].push(id));
        this.partitionFor(groups);
        return;
      }
      case 'isolateLeader': {
        const l = c.leader();
        if (l === undefined) return;
        const others = rng.shuffle(ids.filter((id) => id !== l));
        // Alone, or with a minority companion.
        const withIt = rng.chance(0.5) && others.length >= 4 ? [others.pop()!] : [];
        this.partitionFor([[l, ...withIt], others]);
        return;
      }
      case 'healPartition':
        this.partitionGen++;
        c.note('HEAL partitions');
        c.net.partition([]);
        return;
      case 'disconnect': {
        const id = rng.pick(ids);
        c.disconnect(id);
        if (rng.chance(0.8)) this.later(rng.range(50, 1500), () => c.connect(id));
        return;
      }
      case 'connect': {
        const off = ids.filter((id) => !c.net.isConnected(id));
        if (off.length > 0) c.connect(rng.pick(off));
        return;
      }
      case 'unreliable':
        c.setUnreliable(true);
        this.later(rng.range(200, 2000), () => c.setUnreliable(false));
        return;
      case 'longReordering':
        c.setLongReordering(true);
        this.later(rng.range(200, 1500), () => c.setLongReordering(false));
        return;
      case 'badLink': {
        if (ids.length < 2) return;
        const [from, to] = rng.shuffle(ids);
        const faults = {
          drop: rng.chance(0.5) ? rng.float() : 0,
          minDelayMs: 0,
          maxDelayMs: rng.pick([5, 30, 100, 400]),
          duplicate: rng.chance(0.3) ? 0.3 : 0,
        };
        c.note(
          `BAD LINK n${from}→n${to} drop ${faults.drop.toFixed(2)} delay ≤${faults.maxDelayMs}ms dup ${faults.duplicate}`,
        );
        c.net.setLink(from, to, faults);
        this.later(rng.range(100, 2000), () => c.net.clearLink(from, to));
        return;
      }
      case 'membership':
        return this.changeMembership();
      case 'transfer': {
        const voters = c.conf().voters.filter((id) => id !== c.leader());
        if (voters.length === 0) return;
        this.attempt(() => c.transferLeadership(rng.pick(voters)));
        return;
      }
      case 'campaign': {
        if (alive.length === 0) return;
        const id = rng.pick(alive);
        c.note(`CAMPAIGN n${id}`);
        c.node(id).campaign();
        return;
      }
      case 'snapshot': {
        if (alive.length === 0) return;
        const id = rng.pick(alive);
        c.note(`SNAPSHOT n${id}`);
        c.node(id).snapshotNow();
        return;
      }
    }
  }

  /**
   * Crashes `id` within a few ms of its next send (of a response, half the time), and restarts it
   * soon after: the moments when a vote or an acknowledgement has just left are exactly when a
   * driver that sends before persisting would lose what it promised.
   */
  private crashAfterSend(id: NodeId, kind?: 'message' | 'response' | 'vote'): void {
    const rng = this.rng;
    const what = kind ?? rng.pick(['message', 'response', 'vote'] as const);
    const match =
      what === 'message'
        ? () => true
        : what === 'vote'
          ? (m: Message) => m.type === 'voteResp' && !m.reject
          : (m: Message) => m.type === 'voteResp' || m.type === 'appResp';
    const delay = rng.range(0, 3);
    // A third of these are bounces (killed and restarted at once by a supervisor), back in time
    // to hear the rest of an election they already voted in.
    const downFor = rng.pick([rng.range(0, 2), rng.range(1, 30), rng.range(30, 300)]);
    // Failures come in pairs now and then (a shared rack, a bad deploy): the leader goes down
    // right after, before it can repair what the first crash lost.
    const correlated = rng.chance(0.4);
    const leaderAfter = rng.range(0, 5);
    const leaderDownFor = rng.range(20, 400);
    const c = this.cluster;
    c.note(`ARM crash of n${id} after its next ${what}${correlated ? ', then of the leader' : ''}`);
    c.armCrash(id, match, delay, () => {
      if (!this.active) return;
      this.later(downFor, () => c.restart(id));
      const l = c.leader();
      if (!correlated || l === undefined || l === id) return;
      this.later(leaderAfter, () => {
        c.crash(l);
        this.later(leaderDownFor, () => c.restart(l));
      });
    });
  }

  /** Partitions, and usually heals that same partition after a while (unless replaced). */
  private partitionFor(groups: NodeId[][]): void {
    const gen = ++this.partitionGen;
    this.cluster.partition(groups);
    if (this.rng.chance(0.8)) {
      this.later(this.rng.range(50, 1500), () => {
        if (this.partitionGen !== gen) return;
        this.cluster.note('HEAL partitions');
        this.cluster.net.partition([]);
      });
    }
  }

  /** Promote a learner if there is one; otherwise add a learner or remove a voter. */
  private changeMembership(): void {
    const c = this.cluster;
    const conf = c.conf();
    const rng = this.rng;
    if (conf.learners.length > 0 && rng.chance(0.7)) {
      this.attempt(() => c.promote(rng.pick(conf.learners)));
    } else if (c.ids().length < this.maxIds && rng.chance(0.5)) {
      if (c.leader() === undefined) return;
      const id = c.spawnNode();
      if (!this.attempt(() => c.proposeConfChange({ type: 'addLearner', nodeId: id }))) return;
      // Promote it once it had a chance to catch up (the leader refuses before that).
      for (const ms of [rng.range(30, 150), rng.range(150, 400), rng.range(400, 1000)]) {
        this.later(ms, () => {
          if (c.conf().learners.includes(id)) this.attempt(() => c.promote(id));
        });
      }
    } else if (conf.voters.length > 3) {
      this.attempt(() => c.removeNode(rng.pick(conf.voters)));
    }
  }

  /** A refused request is just a fault that did not happen. Returns whether it was accepted. */
  private attempt(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (!(e instanceof ProposalDropped)) throw e;
      this.cluster.note(`(refused: ${e.message})`);
      return false;
    }
  }
}
