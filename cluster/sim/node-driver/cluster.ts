/**
 * K production nodes on one agenda: each a SimMember (disk, database, process), messages through
 * the simulator's network model, checks fed by what the nodes persist, apply and say. `step()`
 * runs one event and lets everything it set off settle before the next.
 */
import type { NodeId } from '../../raft/index.js';
import type { Clock } from '../../node/clock.js';
import type { NodeEvent } from '../../node/control.js';
import { Network } from '../network.js';
import { SimRng } from '../rng.js';
import { Trace } from '../trace.js';
import { AgendaClock } from './agenda.js';
import { NodeChecks, type NodeProbe } from './checks.js';
import type { Knobs } from './config.js';
import type { SimIoFactory } from './io.js';
import { SimMember, type Death } from './member.js';
import { SimSwitch } from './transport.js';
import { createSimNode, type MakeSimNode } from './node-api.js';
import type { FailpointName } from '../../node/failpoints.js';
import { isFailpointCrash } from './failpoints.js';

export interface NodeClusterOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly knobs: Knobs;
  /** The disks and databases, built on the run's clock. */
  readonly io: (clock: Clock) => SimIoFactory;
  readonly trace: boolean;
  /** Builds each node (default: the production RaftNode). */
  readonly makeNode?: MakeSimNode;
}

/** Lets every promise the last event started run to completion (no real I/O exists). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class NodeSimCluster {
  readonly agenda = new AgendaClock();
  readonly network: Network;
  readonly checks: NodeChecks;
  readonly members = new Map<NodeId, SimMember>();
  /** The cluster's membership at index 0. */
  readonly bootstrapVoters: readonly NodeId[];
  steps = 0;
  /** Processes that died of an exception out of their own code (EIO and the like). */
  deaths = 0;
  fatals = 0;
  refusals = 0;
  leaderChanges = 0;
  private readonly trace: Trace | undefined;
  private readonly sw: SimSwitch;
  private crashEpochs = new Map<NodeId, number>();
  private readonly io: SimIoFactory;
  /** Set by the fault scheduler: the deaths it caused on purpose (EIO) are not violations. */
  expectedDeath: (member: SimMember, death: Death) => boolean = () => false;
  onMemberDeath: (member: SimMember, death: Death) => void = () => undefined;
  /** Set by the fault scheduler: a failpoint it armed crashed `member` (now down). */
  onFailpoint: (member: SimMember, name: FailpointName) => void = () => undefined;
  /** A client was just told its write committed (the fault scheduler may strike right then). */
  onAcked: () => void = () => undefined;

  constructor(readonly opts: NodeClusterOptions) {
    const clock = (): { step: number; time: number } => ({
      step: this.steps,
      time: this.agenda.virtualNow,
    });
    this.bootstrapVoters = Array.from({ length: opts.nodes }, (_, i) => i + 1);
    this.checks = new NodeChecks(clock, this.bootstrapVoters);
    this.trace = opts.trace ? new Trace(() => this.agenda.virtualNow) : undefined;
    this.sw = new SimSwitch(
      () => this.network,
      () => this.trace,
    );
    this.network = new Network(
      new SimRng(opts.seed, 'network'),
      this.agenda.queue,
      () => this.agenda.virtualNow,
      (m) => this.sw.deliver(m),
      () => this.trace,
      (id) => this.crashEpochs.get(id) ?? 0,
    );
    this.network.onLinkDown = (at, peer) => this.sw.linkDown(at, peer);
    this.io = opts.io(this.agenda);
    for (const id of this.bootstrapVoters) this.addMember(id);
  }

  get now(): number {
    return this.agenda.virtualNow;
  }

  note(text: string): void {
    this.trace?.log(text);
  }

  traceLines(): readonly string[] {
    return this.trace?.lines ?? [];
  }

  /** A machine with a fresh disk and database (not started). */
  addMember(id: NodeId): SimMember {
    const { io } = this;
    const self: { member?: SimMember } = {};
    const observer = this.checks.storeObserver(id, () => probeOf(self.member));
    const m = new SimMember(
      id,
      { id, peers: [], bootstrapVoters: this.bootstrapVoters },
      io.disk(id),
      io.db(id, observer),
      {
        seed: this.opts.seed,
        knobs: this.opts.knobs,
        agenda: this.agenda,
        sw: this.sw,
        log: (n, level, msg) => {
          if (this.trace && level !== 'debug') this.trace.log(`n${n} ${level}: ${msg}`);
        },
        emit: (e) => this.onEvent(e),
        logObserver: (n) => ({
          onPersist: (entries, prevTerm) => this.checks.invariants.onPersist(n, entries, prevTerm),
          onSnapshot: (index, conf) => this.checks.onSnapshot(n, index, conf),
        }),
        onStart: (n, applied) => this.note(`START n${n} (store at ${applied})`),
        onDeath: (member, death) => this.onDeath(member, death),
        onFailpoint: (member, name) => this.failpointCrash(member, name),
        makeNode: this.opts.makeNode ?? createSimNode,
        peerMySqlUp: (from, to) => {
          const peer = this.members.get(to);
          return (
            peer?.node !== undefined &&
            !peer.frozen &&
            this.network.canTalk(from, to) &&
            peer.node.status().mysql.status === 'up'
          );
        },
      },
    );
    self.member = m;
    this.members.set(id, m);
    return m;
  }

  /** Members that may run (not removed, not refused). */
  live(): SimMember[] {
    return [...this.members.values()].filter((m) => m.state === 'up' || m.state === 'down');
  }

  up(): SimMember[] {
    return [...this.members.values()].filter((m) => m.isUp);
  }

  /** Every member not removed: who a starting node is told about. */
  memberIds(): NodeId[] {
    return [...this.members.values()].filter((m) => m.state !== 'removed').map((m) => m.id);
  }

  leader(): SimMember | undefined {
    let best: SimMember | undefined;
    for (const m of this.up()) {
      if (m.frozen || !m.node!.isLeader()) continue;
      if (best === undefined || m.node!.status().term > best.node!.status().term) best = m;
    }
    return best;
  }

  /**
   * The voters as the most up-to-date running node sees them (the leader's view if there is
   * one), else the bootstrap voters.
   */
  currentVoters(): NodeId[] {
    let best: { term: number; voters: readonly NodeId[] } | undefined;
    for (const m of this.up()) {
      const st = m.node!.status();
      const rank = st.term * 2 + (st.role === 'leader' ? 1 : 0);
      if (best === undefined || rank > best.term) best = { term: rank, voters: st.voters };
    }
    return [...(best?.voters ?? this.bootstrapVoters)];
  }

  /** Starts (or restarts) a member's process; resolves once it runs or refused. */
  async start(m: SimMember): Promise<void> {
    const wasRefused = m.state === 'refused';
    await m.start(this.memberIds());
    if (m.state === 'refused' && !wasRefused) {
      this.refusals++;
      this.note(`REFUSED n${m.id}: ${m.refusal ?? ''}`);
      if (!m.latentCorruption && this.checks.ok) {
        this.checks.fail(
          'refusal',
          `n${m.id} refused to start without a damaged disk: ${m.refusal}`,
        );
      }
    }
  }

  crash(m: SimMember): void {
    if (!m.isUp) return;
    this.crashEpochs.set(m.id, (this.crashEpochs.get(m.id) ?? 0) + 1);
    this.note(`CRASH n${m.id}`);
    m.crash();
    this.network.crashed(m.id, [...this.members.keys()]);
  }

  /**
   * An armed failpoint fired in `m`'s process: the machine loses power right there (as
   * `crash`), and the hit then throws a FailpointCrash out of the node's code.
   */
  private failpointCrash(m: SimMember, name: FailpointName): void {
    if (!m.isUp) return;
    this.crashEpochs.set(m.id, (this.crashEpochs.get(m.id) ?? 0) + 1);
    this.note(`failpoint ${name} on n${m.id}`);
    m.crash();
    this.network.crashed(m.id, [...this.members.keys()]);
    this.onFailpoint(m, name);
  }

  /** Runs the next event and what it set off. False when nothing is left to do. */
  async step(): Promise<boolean> {
    let ran: boolean;
    try {
      ran = this.agenda.runNext();
    } catch (e) {
      // A failpoint hit in a disk completion: the machine died there, on purpose.
      if (!isFailpointCrash(e)) {
        this.checks.fail('exception', describeError(e));
        return false;
      }
      ran = true;
    }
    if (!ran) return false;
    this.steps++;
    await settle();
    this.checks.flushReads();
    return true;
  }

  /** Runs events until virtual time `until` (or a violation). */
  async runUntil(until: number): Promise<void> {
    while (this.checks.ok) {
      const next = this.agenda.nextAt();
      if (next === undefined || next > until) break;
      await this.step();
    }
  }

  /**
   * A call into a node threw something the API does not expect (the HTTP layer would answer
   * 500): a bug, or a failure that should have ended the process and did not.
   */
  nodeThrew(m: SimMember, what: string, error: unknown): void {
    // The call reached an armed failpoint: the machine lost power there (no answer, no 500).
    if (isFailpointCrash(error)) return;
    this.note(`n${m.id} ${what} threw ${describeError(error)}`);
    if (this.checks.ok) {
      this.checks.fail(
        'node-exception',
        `${what} on n${m.id} threw ${describeError(error)}; the node is still running`,
      );
    }
  }

  private onEvent(e: NodeEvent): void {
    if (e.type === 'role') {
      this.note(`n${e.id} is ${e.role} in term ${e.term} (leader n${e.leaderId})`);
      if (e.role !== 'leader') return;
      this.leaderChanges++;
      const log = this.members.get(e.id)?.log;
      if (log === undefined) return;
      const first = log.firstIndex() - 1;
      const last = log.lastIndex();
      this.checks.onLeader(e.id, e.term, {
        snapshotIndex: first,
        lastIndex: last,
        term: (i) => (i >= first && i <= last ? log.term(i) : undefined),
      });
    } else if (e.type === 'mysql') {
      this.note(`n${e.id} mysql ${e.status.status}${e.status.error ? `: ${e.status.error}` : ''}`);
    } else if (e.type === 'fatal') {
      this.note(`n${e.id} FATAL ${e.message}`);
    }
  }

  private onDeath(m: SimMember, death: Death): void {
    if (death.kind === 'crash') return;
    this.crashEpochs.set(m.id, (this.crashEpochs.get(m.id) ?? 0) + 1);
    if (death.kind === 'fatal') this.fatals++;
    else this.deaths++;
    const what = death.kind === 'fatal' ? death.error.message : describeError(death.error);
    this.note(`DIED n${m.id} (${death.kind}): ${what}`);
    this.network.crashed(m.id, [...this.members.keys()]);
    if (!this.expectedDeath(m, death) && this.checks.ok) {
      this.checks.fail(death.kind === 'fatal' ? 'fatal' : 'exception', `n${m.id} died: ${what}`);
    }
    this.onMemberDeath(m, death);
  }
}

/**
 * What the checks ask of a machine when its database applies: the highest commit index any of
 * its processes knew (a write a dead process sent may land later), and the current term.
 */
function probeOf(m: SimMember | undefined): NodeProbe | undefined {
  const last = m?.nodes[m.nodes.length - 1];
  if (m === undefined || last === undefined) return undefined;
  return {
    commitIndex: () => Math.max(...m.nodes.map((n) => n.commitIndex())),
    term: () => last.status().term,
  };
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const where = (e.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((l) => l.trim())
    .join(' | ');
  return `${e.name}: ${e.message}${where ? ` (${where})` : ''}`;
}
