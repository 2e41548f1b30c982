import type { NodeId } from '../raft/index.js';
import type { SimCluster } from './cluster.js';
import type { SimNode } from './node.js';
import type { SimRng } from './rng.js';

interface Client {
  readonly id: number;
  /** Bumped for every new operation: timers and callbacks of an older one are ignored. */
  op: number;
  seq: number;
  /** The node this client believes leads (learned from refusals). */
  guess: NodeId;
}

interface PendingWrite {
  readonly client: Client;
  readonly op: number;
  readonly cmd: string;
  readonly term: number;
  readonly attempt: number;
}

/** Give up on a write or a read after this long (the operation may still take effect later). */
const OP_TIMEOUT_MS = 1500;
const MAX_ATTEMPTS = 20;

/**
 * The fuzzer's clients: each one in a loop, thinks a little, then writes a unique command to
 * the node it believes is the leader (following refusals elsewhere) or reads linearizably through
 * a random node. A write counts as acknowledged when the node it was proposed to applies it at
 * the index and term it was given — exactly what a real client would be told; a write whose slot
 * is taken by another entry is retried as a new command. Clients reach any running, connected
 * node directly (the client network is not simulated).
 */
export class FuzzClients {
  private active = true;
  private readonly clients: Client[] = [];
  /** Writes waiting to be applied, keyed by `${node}:${index}`. */
  private readonly pending = new Map<string, PendingWrite>();
  acked = 0;
  reads = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly rng: SimRng,
    count: number,
  ) {
    cluster.onApply((node, e) => this.onApply(node, e.index, e.term, e.data));
    for (let i = 1; i <= count; i++) {
      const c: Client = { id: i, op: 0, seq: 0, guess: 1 };
      this.clients.push(c);
      this.next(c, rng.range(0, 50));
    }
  }

  stop(): void {
    this.active = false;
  }

  private next(c: Client, delayMs: number): void {
    const op = ++c.op;
    this.cluster.schedule(delayMs, () => {
      if (!this.active || c.op !== op) return;
      if (this.rng.chance(0.25)) this.read(c, op);
      else {
        c.seq++;
        this.write(c, op, 1);
        this.cluster.schedule(OP_TIMEOUT_MS, () => {
          if (c.op === op) this.next(c, 0);
        });
      }
    });
  }

  private think(): number {
    return this.rng.range(1, 20);
  }

  private reachable(): NodeId[] {
    return this.cluster.ids().filter((id) => this.cluster.isUp(id));
  }

  private write(c: Client, op: number, attempt: number): void {
    if (!this.active || c.op !== op) return;
    if (attempt > MAX_ATTEMPTS) return this.next(c, this.think());
    const up = this.reachable();
    if (up.length === 0) return this.retry(c, op, attempt);
    const target = up.includes(c.guess) ? c.guess : this.rng.pick(up);
    const cmd = `c${c.id}.${c.seq}.${attempt}`;
    const r = this.cluster.start(target, cmd);
    if (!r.isLeader) {
      const hint = this.cluster.node(target).leader;
      c.guess = hint !== 0 && hint !== target ? hint : this.rng.pick(up);
      return this.retry(c, op, attempt);
    }
    c.guess = target;
    this.pending.set(`${target}:${r.index}`, { client: c, op, cmd, term: r.term, attempt });
  }

  private retry(c: Client, op: number, attempt: number): void {
    this.cluster.schedule(this.rng.range(5, 30), () => this.write(c, op, attempt + 1));
  }

  private onApply(node: SimNode, index: number, term: number, data: string): void {
    const key = `${node.id}:${index}`;
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    if (term === p.term && data === p.cmd) {
      // Acknowledged even if the client already gave up: the checker learns what is committed.
      this.cluster.ack(p.cmd, index);
      this.acked++;
      if (p.client.op === p.op) this.next(p.client, this.think());
    } else if (p.client.op === p.op) {
      // Another entry took the slot: the proposal was lost with its leader's term.
      this.write(p.client, p.op, p.attempt + 1);
    }
  }

  private read(c: Client, op: number): void {
    const up = this.reachable();
    if (up.length === 0) return this.next(c, this.think());
    this.reads++;
    const h = this.cluster.read(this.rng.pick(up));
    const started = this.cluster.now;
    const poll = (): void => {
      if (c.op !== op) return;
      if (h.done || h.failed || this.cluster.now - started > OP_TIMEOUT_MS)
        this.next(c, this.think());
      else this.cluster.schedule(10, poll);
    };
    poll();
  }
}
