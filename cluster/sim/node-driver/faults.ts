/**
 * The node driver's fault scheduler: one fault at a time at seeded moments, most of them undone
 * after a seeded while. Machines crash (power loss: the disk loses what was not synced, the
 * database its last second) and reboot; disks fail fsync with EIO (the node dies, as main.ts
 * exits, and is restarted from its disk), get slow, or flip a bit that the next open must refuse;
 * databases stall, fail or slow down; processes freeze and thaw; the network partitions, drops,
 * delays and reorders; leadership moves; members are removed and new ones added (a refused node
 * is replaced that way). Snapshots come from the small `snapshotEntries` of every run.
 * A failpoint (cluster/node/failpoints.ts) is armed on a running node: when its process passes
 * the point the machine loses power exactly there (counted as `failpoint:<name>`), and reboots.
 */
import type { NodeId } from '../../raft/index.js';
import type { SimRng } from '../rng.js';
import type { NodeSimCluster } from './cluster.js';
import type { DiskFault, StoreFault } from './io.js';
import type { SimMember } from './member.js';
import { Membership } from './membership.js';
import { FAILPOINT_NAMES } from '../../node/failpoints.js';

const ACTIONS = [
  ['crash', 2.5],
  ['crashLeader', 1.5],
  ['kill', 1],
  ['blackout', 0.4],
  ['restart', 1],
  ['partition', 1.5],
  ['isolateLeader', 1.5],
  ['heal', 1],
  ['unreliable', 1],
  ['longReordering', 0.5],
  ['badLink', 1],
  ['diskEio', 0.6],
  ['slowDisk', 0.6],
  ['bitflip', 0.3],
  ['storeStall', 0.8],
  ['storeFail', 0.8],
  ['storeSlow', 0.6],
  ['freeze', 1],
  ['membership', 1.2],
  ['transfer', 1],
  ['failpoint', 1.5],
] as const;

type Action = (typeof ACTIONS)[number][0];
/** Every fault kind, e.g. to build a `skipFaults` list that keeps only a few. */
export const FAULT_KINDS: readonly Action[] = ACTIONS.map(([a]) => a);
const TOTAL = ACTIONS.reduce((s, [, w]) => s + w, 0);

export interface FaultCounts {
  [kind: string]: number;
}

export class NodeFaultScheduler {
  private active = true;
  readonly counts: FaultCounts = {};
  /** Members whose disk was told to fail fsync: their death is the expected outcome. */
  private readonly eio = new Set<NodeId>();
  private partitionGen = 0;
  readonly membership: Membership;

  constructor(
    private readonly cluster: NodeSimCluster,
    private readonly rng: SimRng,
    private readonly gap: { readonly min: number; readonly max: number },
    /** Fault kinds left out (to look past a known bug). */
    private readonly skip: ReadonlySet<string> = new Set(),
  ) {
    this.membership = new Membership(cluster, rng);
    // A failed fsync reaches the node as onFatal (background write) or as an exception out of
    // a synchronous save: either way the process exits, as main.ts does.
    // A failed fsync reaches the node only through onFatal: any other death stays a finding.
    cluster.expectedDeath = (m, death) => death.kind === 'fatal' && this.eio.has(m.id);
    // Power lost right after a write was acknowledged: whatever the acknowledgement promised
    // must already be on a majority of disks.
    cluster.onAcked = () => {
      if (this.active && !this.skip.has('blackout') && this.rng.chance(0.08)) {
        this.cluster.agenda.schedule(this.rng.range(0, 2), () => {
          if (this.active) this.inject('blackout');
        });
      }
    };
    // An armed failpoint fired: the machine lost power there. It reboots like a crashed one.
    cluster.onFailpoint = (m, name) => {
      this.count(`failpoint:${name}`);
      this.later(this.rng.range(20, 3000), () => this.restart(m));
    };
    cluster.onMemberDeath = (m) => {
      // fsync failed: what reached the disk is unknown. Reboot later from what survived.
      this.eio.delete(m.id);
      m.disk.crash();
      m.disk.clearFaults();
      this.later(this.rng.range(50, 2000), () => this.restart(m));
    };
    this.schedule();
  }

  stop(): void {
    this.active = false;
  }

  private schedule(): void {
    this.cluster.agenda.schedule(this.rng.range(this.gap.min, this.gap.max), () => {
      if (!this.active) return;
      const action = this.pickAction();
      if (!this.skip.has(action)) this.inject(action);
      // A refused member is replaced, and a removed voter made up for, without waiting for
      // the dice (unless membership changes are left out).
      if (action !== 'membership' && !this.skip.has('membership') && this.membership.pending) {
        this.membership.step();
      }
      this.schedule();
    });
  }

  /** Runs `fn` after `ms` while the fault phase lasts. */
  private later(ms: number, fn: () => void): void {
    this.cluster.agenda.schedule(ms, () => {
      if (this.active) fn();
    });
  }

  private pickAction(): Action {
    let r = this.rng.float() * TOTAL;
    for (const [a, w] of ACTIONS) {
      r -= w;
      if (r < 0) return a;
    }
    return ACTIONS[0][0];
  }

  /**
   * Keeps a majority of the voters healthy (running, not frozen), so the run makes progress
   * between faults and a refused disk never costs the cluster its quorum for good.
   */
  private mayImpair(): boolean {
    const voters = this.cluster.currentVoters();
    const healthy = voters.filter((id) => {
      const m = this.cluster.members.get(id);
      return m !== undefined && m.isUp && !m.frozen;
    }).length;
    return healthy - 1 > voters.length / 2;
  }

  private refusedCount(): number {
    return [...this.cluster.members.values()].filter((m) => m.state === 'refused').length;
  }

  private pickUp(): SimMember | undefined {
    const up = this.cluster.up().filter((m) => !m.frozen);
    return up.length === 0 ? undefined : this.rng.pick(up);
  }

  private count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  private inject(action: Action): void {
    const c = this.cluster;
    switch (action) {
      case 'crash':
      case 'crashLeader': {
        const m = action === 'crashLeader' ? c.leader() : this.pickUp();
        if (m === undefined || !this.mayImpair()) return;
        this.count(action);
        c.crash(m);
        this.later(this.rng.range(20, 3000), () => this.restart(m));
        return;
      }
      case 'blackout': {
        // Every machine loses power at once (one rack, one fuse): only what each had synced
        // survives. Then they all come back.
        const up = c.up();
        if (up.length === 0) return;
        this.count(action);
        c.note('BLACKOUT: every machine loses power');
        for (const m of up) c.crash(m);
        for (const m of up) this.later(this.rng.range(20, 1500), () => this.restart(m));
        return;
      }
      case 'kill': {
        const m = this.pickUp();
        if (m === undefined || !this.mayImpair()) return;
        this.count(action);
        c.note(`KILL n${m.id} (the process only)`);
        m.kill();
        this.later(this.rng.range(20, 2000), () => this.restart(m));
        return;
      }
      case 'restart': {
        const down = c.live().filter((m) => m.state === 'down');
        if (down.length > 0) this.restart(this.rng.pick(down));
        return;
      }
      case 'partition':
      case 'isolateLeader': {
        const ids = c.memberIds();
        let side: NodeId[];
        if (action === 'isolateLeader') {
          const l = c.leader();
          if (l === undefined) return;
          side = [l.id];
        } else {
          side = this.rng.shuffle(ids).slice(0, this.rng.range(1, Math.floor(ids.length / 2)));
        }
        this.count(action);
        c.network.cutting(ids, () =>
          c.network.partition([side, ids.filter((id) => !side.includes(id))]),
        );
        c.note(`PARTITION ${JSON.stringify(side)} | rest`);
        const gen = ++this.partitionGen;
        this.later(this.rng.range(100, 3000), () => {
          if (gen !== this.partitionGen) return;
          c.network.partition([]);
          c.note('HEAL partition');
        });
        return;
      }
      case 'heal':
        this.count(action);
        this.partitionGen++;
        c.network.heal();
        c.note('HEAL network');
        return;
      case 'unreliable':
      case 'longReordering': {
        this.count(action);
        if (action === 'unreliable') c.network.unreliable = true;
        else c.network.longReordering = true;
        c.note(`NETWORK ${action}`);
        this.later(this.rng.range(300, 3000), () => {
          if (action === 'unreliable') c.network.unreliable = false;
          else c.network.longReordering = false;
          c.note(`NETWORK ${action} over`);
        });
        return;
      }
      case 'badLink': {
        const ids = c.memberIds();
        if (ids.length < 2) return;
        const [from, to] = this.rng.shuffle(ids);
        this.count(action);
        c.network.setLink(from, to, {
          drop: this.rng.float() * 0.8,
          minDelayMs: 0,
          maxDelayMs: this.rng.range(5, 300),
          duplicate: this.rng.chance(0.3) ? 0.2 : 0,
        });
        c.note(`BAD LINK n${from}→n${to}`);
        this.later(this.rng.range(200, 4000), () => c.network.clearLink(from, to));
        return;
      }
      case 'diskEio':
      case 'slowDisk':
      case 'bitflip':
        this.diskFault(action);
        return;
      case 'storeStall':
      case 'storeFail':
      case 'storeSlow':
        this.storeFault(action);
        return;
      case 'freeze': {
        const m = this.pickUp();
        if (m?.node === undefined || !this.mayImpair()) return;
        this.count(action);
        const node = m.node;
        const inc = m.incarnation;
        node.freeze();
        m.frozen = true;
        c.note(`FREEZE n${m.id}`);
        this.later(this.rng.range(100, 3000), () => {
          if (m.incarnation !== inc || m.node !== node) return;
          m.frozen = false;
          this.thaw(m);
          c.note(`THAW n${m.id}`);
        });
        return;
      }
      case 'membership':
        if (this.membership.step()) this.count(action);
        return;
      case 'failpoint': {
        // Fires at the point's `at`-th hit from now, if the process lives that long.
        const m = this.pickUp();
        if (m === undefined || !this.mayImpair()) return;
        const name = this.rng.pick(FAILPOINT_NAMES);
        const at = this.rng.range(1, 3);
        if (!m.armFailpoint(name, at)) return;
        this.count(action);
        c.note(`ARM failpoint ${name}@${at} on n${m.id}`);
        return;
      }
      case 'transfer': {
        const l = c.leader();
        if (l?.node === undefined) return;
        const voters = l.node.status().voters.filter((id) => id !== l.id);
        if (voters.length === 0) return;
        const to = this.rng.pick(voters);
        this.count(action);
        c.note(`TRANSFER n${l.id} → n${to}`);
        try {
          l.node.transferLeadership(to);
        } catch (e) {
          c.nodeThrew(l, `transferLeadership(${to})`, e);
        }
        return;
      }
    }
  }

  private diskFault(action: 'diskEio' | 'slowDisk' | 'bitflip'): void {
    const c = this.cluster;
    const m = this.pickUp();
    if (m === undefined) return;
    if (action === 'bitflip') {
      // Found at the next open: the node then refuses to start, and is replaced.
      if (!this.mayImpair() || this.refusedCount() > 0) return;
      // Nothing synced to flip yet (or compacted away): no fault.
      if (!m.disk.fault('bitflip')) return;
      this.count(action);
      m.latentCorruption = true;
      c.note(`BITFLIP n${m.id} (latent)`);
      if (this.rng.chance(0.7)) {
        c.crash(m);
        this.later(this.rng.range(20, 500), () => this.restart(m));
      }
      return;
    }
    if (action === 'diskEio' && !this.mayImpair()) return;
    const kind: DiskFault = action === 'diskEio' ? 'eio' : 'slow';
    this.count(action);
    if (kind === 'eio') this.eio.add(m.id);
    m.disk.fault(kind);
    c.note(`DISK ${kind} n${m.id}`);
    if (kind === 'slow') {
      const inc = m.incarnation;
      this.later(this.rng.range(200, 3000), () => {
        if (m.incarnation === inc) m.disk.clearFaults();
      });
    }
  }

  private storeFault(action: 'storeStall' | 'storeFail' | 'storeSlow'): void {
    const m = this.pickUp();
    if (m === undefined) return;
    const kind: StoreFault =
      action === 'storeStall' ? 'stall' : action === 'storeFail' ? 'fail' : 'slow';
    this.count(action);
    m.db.fault(kind);
    this.cluster.note(`STORE ${kind} n${m.id}`);
    this.later(this.rng.range(100, 4000), () => {
      m.db.clearFaults();
      this.cluster.note(`STORE ok n${m.id}`);
    });
  }

  private thaw(m: SimMember): void {
    try {
      m.node?.thaw();
    } catch (e) {
      this.cluster.nodeThrew(m, 'thaw()', e);
    }
  }

  /** Reboots a machine that is down (a refused one stays refused until it is replaced). */
  restart(m: SimMember): void {
    if (m.state !== 'down') return;
    this.cluster.note(`RESTART n${m.id}`);
    void this.cluster.start(m).then(() => {
      if (m.state === 'refused') this.membership.replace(m);
    });
  }

  /** End of the fault phase: every fault undone, every machine that can run running. */
  healAll(): void {
    const c = this.cluster;
    this.stop();
    this.partitionGen++;
    c.network.heal();
    for (const m of c.members.values()) {
      m.disarmFailpoints();
      m.disk.clearFaults();
      m.db.clearFaults();
      if (m.frozen && m.node !== undefined) {
        m.frozen = false;
        this.thaw(m);
      }
    }
    this.eio.clear();
    for (const m of c.live()) if (m.state === 'down') void c.start(m);
    c.note('--- fault phase over: everything healed and restarted ---');
  }
}
