/**
 * Shared plumbing for the 6.824-style lab scenarios (test/sim/lab-*.test.ts): cluster creation
 * with an end-of-test invariant check, a per-term leader record, concurrent clients, and a few
 * waits. Everything is driven by simulated time and seeded, so every scenario is deterministic.
 */
import { afterEach, expect } from 'vitest';
import type { NodeId } from '../../cluster/raft/index.js';
import {
  SimCluster,
  SimRng,
  checkDurability,
  type SimClusterOptions,
} from '../../cluster/sim/index.js';

const created: SimCluster[] = [];

/**
 * A cluster for one scenario. It is remembered so that the `afterEach` installed by
 * {@link useLab} asserts that the invariant checker recorded no violation during the test —
 * including violations recorded outside `step()` (which alone throws), e.g. while restarting a
 * node. Each scenario also calls {@link expectNoViolations} explicitly at its end.
 */
export function lab(opts: SimClusterOptions): SimCluster {
  const c = new SimCluster(opts);
  created.push(c);
  return c;
}

/** Installs the per-test invariant check for the clusters created with {@link lab}. */
export function useLab(): void {
  afterEach(() => {
    const clusters = created.splice(0);
    for (const c of clusters) expectNoViolations(c);
  });
}

/** The simulator's safety checker saw nothing wrong (Figure 3 properties, client guarantees). */
export function expectNoViolations(c: SimCluster): void {
  expect(c.checker.violations).toEqual([]);
}

/** The n-th node after `id` in the ring 1..n (6.824's `(leader + k) % servers`, 1-based). */
export function nth(id: NodeId, k: number, n: number): NodeId {
  return ((id - 1 + k) % n) + 1;
}

/** Every term → the set of nodes that became its leader (see {@link trackLeaders}). */
export type LeadersByTerm = Map<number, Set<NodeId>>;

/**
 * A scenario that makes random choices of its own (whom to cut off, when, which command): its
 * cluster, the per-term leader record, and a random source seeded like the cluster on a stream
 * of its own, so that the scenario stays deterministic and its choices do not disturb the
 * network's draws.
 */
export function randomLab(
  opts: SimClusterOptions & { readonly seed: number },
  stream: string,
): { c: SimCluster; leaders: LeadersByTerm; rng: SimRng } {
  const c = lab(opts);
  return { c, leaders: trackLeaders(c), rng: new SimRng(opts.seed, stream) };
}

/** One election timeout's lower end in ms (followers time out in [1, 2) of it). */
export function electionMs(c: SimCluster): number {
  return c.config.electionTick * c.tickMs;
}

/** Every term → the set of nodes that became its leader, observed on every role change. */
export function trackLeaders(c: SimCluster): LeadersByTerm {
  const byTerm: LeadersByTerm = new Map();
  c.onRoleChange((node) => {
    if (node.role !== 'leader') return;
    const s = byTerm.get(node.term) ?? new Set<NodeId>();
    s.add(node.id);
    byTerm.set(node.term, s);
  });
  return byTerm;
}

/** Election Safety as the scenario saw it: no term ever had two leaders. */
export function expectOneLeaderPerTerm(byTerm: LeadersByTerm): void {
  const doubles = [...byTerm].filter(([, s]) => s.size > 1).map(([t, s]) => [t, [...s]]);
  expect(doubles).toEqual([]);
}

/** Runs until every listed node applied `index` (or `ms` passed); returns whether they did. */
export function waitApplied(
  c: SimCluster,
  ids: readonly NodeId[],
  index: number,
  ms: number,
): boolean {
  return c.runUntil(() => ids.every((id) => c.node(id).appliedIndex >= index), ms);
}

/**
 * Every node applies `last` within `ms`, and they all end in the same state (one state-machine
 * hash): after crashes, partitions or compaction, the nodes converged on one history.
 */
export function expectConverged(c: SimCluster, last: number, ms: number): void {
  expect(waitApplied(c, c.ids(), last, ms)).toBe(true);
  const hash = c.node(1).appliedHash;
  for (const id of c.ids()) expect(c.node(id).appliedHash).toBe(hash);
}

/** Whether any node ever applied a command `cmd` (at any index, in any of its lives). */
export function appliedAnywhere(c: SimCluster, cmd: string): boolean {
  return c.ids().some((id) => [...c.node(id).history.values()].some((e) => e.data === cmd));
}

/** The leader among `ids` (by role), if one of them leads. */
export function leaderAmong(c: SimCluster, ids: readonly NodeId[]): NodeId | undefined {
  return ids.find((id) => c.node(id).alive && c.node(id).role === 'leader');
}

/**
 * The end of a scenario with client writes: every member catches up and holds every
 * acknowledged write on the one committed history (the simulator's durability check), and no
 * invariant was violated along the way.
 */
export function expectDurable(c: SimCluster): void {
  checkDurability(c, 5 * electionMs(c));
  expectNoViolations(c);
}

/** One client operation: a command retried (as a fresh, unique command) until acknowledged. */
export interface ClientOp {
  readonly name: string;
  /** Proposals of this operation that a node accepted (each one a distinct command). */
  attempts: number;
  /** The command and index a client was told committed. */
  acked?: { readonly cmd: string; readonly index: number };
  gaveUp: boolean;
}

interface Pending {
  readonly op: ClientOp;
  readonly attempt: number;
  readonly cmd: string;
  readonly term: number;
}

export interface ClientOptions {
  /** Give up on an attempt (and retry, or give up on the op) after this long. */
  readonly attemptTimeoutMs: number;
  /** Retry until acknowledged (6.824's one(cmd, 1, true)); else give up after one attempt. */
  readonly persistent: boolean;
}

/**
 * Clients that propose concurrently while the cluster runs, like 6.824's goroutines calling
 * Start() on every server: an attempt goes to the first alive node (in a random order) that
 * accepts it. It is acknowledged when any node applies exactly that entry (index, term, command)
 * — State Machine Safety makes the first application authoritative — and lost when any node
 * applies something else at its index; a lost or timed-out attempt is retried as a new command.
 * Callbacks from inside a node's Ready handling only schedule work, never touch the cluster.
 */
export class LabClients {
  readonly ops: ClientOp[] = [];
  private readonly pending = new Map<number, Pending[]>();
  private active = true;

  constructor(
    private readonly c: SimCluster,
    private readonly rng: SimRng,
    private readonly opts: ClientOptions,
  ) {
    c.onApply((_node, e) => {
      const list = this.pending.get(e.index);
      if (!list) return;
      this.pending.delete(e.index);
      for (const p of list) {
        if (p.op.acked || p.op.gaveUp) continue;
        if (e.term === p.term && e.data === p.cmd) {
          p.op.acked = { cmd: p.cmd, index: e.index };
          c.schedule(0, () => c.ack(p.cmd, e.index));
        } else if (p.op.attempts === p.attempt) {
          c.schedule(0, () => this.attempt(p.op));
        }
      }
    });
  }

  /** Starts an operation (its first attempt goes out now). */
  submit(name: string): ClientOp {
    const op: ClientOp = { name, attempts: 0, gaveUp: false };
    this.ops.push(op);
    this.attempt(op);
    return op;
  }

  /** No new attempts from now on (pending ones may still be acknowledged). */
  stop(): void {
    this.active = false;
  }

  allAcked(): boolean {
    return this.ops.every((o) => o.acked !== undefined);
  }

  acked(): ClientOp[] {
    return this.ops.filter((o) => o.acked !== undefined);
  }

  settled(op: ClientOp): boolean {
    return op.acked !== undefined || op.gaveUp;
  }

  private attempt(op: ClientOp): void {
    if (this.settled(op)) return;
    if (!this.active || (!this.opts.persistent && op.attempts > 0)) {
      op.gaveUp = true;
      return;
    }
    // `attempts` counts proposals some node accepted; a refused one is simply tried again.
    const attempt = op.attempts + 1;
    const cmd = `${op.name}#${attempt}`;
    for (const id of this.rng.shuffle(this.c.ids())) {
      if (!this.c.node(id).alive) continue;
      const r = this.c.start(id, cmd);
      if (!r.isLeader) continue;
      op.attempts = attempt;
      const list = this.pending.get(r.index) ?? [];
      list.push({ op, attempt, cmd, term: r.term });
      this.pending.set(r.index, list);
      this.c.schedule(this.opts.attemptTimeoutMs, () => {
        if (op.attempts === attempt) this.attempt(op);
      });
      return;
    }
    // Nobody leads right now: back off a little, as 6.824's clients sleep between rounds.
    this.c.schedule(this.rng.range(10, 40), () => this.attempt(op));
  }
}

/**
 * Every acknowledged write sits, on every one of `servers` nodes, at the index its client was
 * told (6.824's churn check: the values clients saw committed are really in the log).
 */
export function expectAckedEverywhere(
  c: SimCluster,
  ops: readonly ClientOp[],
  servers: number,
): void {
  for (const op of ops) {
    if (!op.acked) continue;
    expect(c.nCommitted(op.acked.index)).toEqual({ count: servers, cmd: op.acked.cmd });
  }
}
