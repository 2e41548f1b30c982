/**
 * The writes of a crash round: concurrent writers, each sending one logical write at a time
 * (create a task, patch its own counter task, or delete one of its own tasks) with an
 * Idempotency-Key, through a node picked at random for every attempt, and retrying with the
 * same key until the write is acknowledged. Retrying until acknowledged is what lets the checks
 * be exact: once a round is over, every logical write is acknowledged, so every one must be on
 * every replica exactly once (a patch counted by the counter's version, a create by its title).
 */
import type { WriteResponse } from '../../cluster/api/node.js';
import type { Task } from '../../cluster/api/task.js';
import type { SimRng } from '../../cluster/sim/rng.js';
import { newKey, sleep, type Cluster } from '../cluster/harness/index.js';

export type WriteKind = 'create' | 'patch' | 'delete';

export interface LogicalWrite {
  readonly kind: WriteKind;
  readonly key: string;
  readonly writer: number;
  readonly round: number;
  /** create: the new task's title (unique); patch: the description it sets. */
  readonly text: string;
  /** patch and delete: the task written. */
  readonly taskId?: string;
  attempts: number;
  /** The 2xx answer that acknowledged it. */
  acked?: WriteResponse;
  /** A request for it was on the wire when the first node was killed. */
  inFlightAtKill: boolean;
  /** Why it was given up (an answer outside the contract, or no acknowledgement in time). */
  failed?: string;
}

/** What every writer shares: the cluster, the log of writes, and when to stop. */
export class Workload {
  readonly writes: LogicalWrite[] = [];
  readonly inFlight = new Set<LogicalWrite>();
  /** The counter task of each writer (created before the first round). */
  readonly counters = new Map<number, Task>();
  /** Tasks each writer created and has not deleted yet: what it may delete. */
  private readonly owned = new Map<number, string[]>();
  private stopIssuing = true;
  /** Set when the round already failed (the cluster did not come back): stop retrying too. */
  private abandoned = false;
  private running: Promise<void>[] = [];
  round = 0;

  constructor(
    private readonly cluster: Cluster,
    /** How long a write may stay unacknowledged (across a restart) before it counts as lost. */
    private readonly ackTimeoutMs = 45_000,
  ) {}

  /** Creates one counter task per writer (before any crash: plain writes to the leader). */
  async setUp(writers: number, rng: SimRng): Promise<void> {
    for (let w = 0; w < writers; w++) {
      const lw = this.record('create', w, `counter of writer ${w}`, undefined);
      await this.settle(lw, rng);
      const task = lw.acked?.task;
      if (!task) throw new Error(`the counter of writer ${w} was not created: ${lw.failed}`);
      this.counters.set(w, task);
      this.owned.set(w, []);
    }
  }

  /** Starts every writer; they issue writes until `finish()`. */
  start(round: number, rngFor: (writer: number) => SimRng): void {
    this.round = round;
    this.stopIssuing = false;
    this.running = [...this.counters.keys()].map((w) => this.writer(w, rngFor(w)));
  }

  /**
   * Stops issuing new writes and waits until every started one is acknowledged or given up
   * (at once with `abandon`: the round has failed already).
   */
  async finish(abandon = false): Promise<void> {
    this.stopIssuing = true;
    this.abandoned = abandon;
    await Promise.all(this.running);
    this.running = [];
  }

  /** Marks what is on the wire now as in flight at the kill; returns how many. */
  markInFlight(): number {
    for (const lw of this.inFlight) lw.inFlightAtKill = true;
    return this.inFlight.size;
  }

  ackedCount(round = this.round): number {
    return this.writes.filter((w) => w.round === round && w.acked !== undefined).length;
  }

  private record(kind: WriteKind, writer: number, text: string, taskId: string | undefined) {
    const lw: LogicalWrite = {
      kind,
      key: newKey(`r${this.round}w${writer}`),
      writer,
      round: this.round,
      text,
      ...(taskId === undefined ? {} : { taskId }),
      attempts: 0,
      inFlightAtKill: false,
    };
    this.writes.push(lw);
    return lw;
  }

  private async writer(w: number, rng: SimRng): Promise<void> {
    const counter = this.counters.get(w);
    const owned = this.owned.get(w);
    if (!counter || !owned) throw new Error(`writer ${w} is not set up`);
    for (let seq = 0; !this.stopIssuing; seq++) {
      const dice = rng.float();
      let lw: LogicalWrite;
      if (dice < 0.1 && owned.length > 0) {
        const [victim] = owned.splice(rng.int(owned.length), 1);
        lw = this.record('delete', w, '', victim);
      } else if (dice < 0.4) {
        lw = this.record('patch', w, `r${this.round} w${w} patch ${seq}`, counter.id);
      } else {
        lw = this.record('create', w, `r${this.round} w${w} task ${seq}`, undefined);
      }
      await this.settle(lw, rng);
      if (lw.kind === 'create' && lw.acked?.task) owned.push(lw.acked.task.id);
      // A writer whose write was refused stops: the round has failed, more writes add nothing.
      if (lw.failed !== undefined) return;
    }
  }

  /** Sends `lw` (same key every time) to random nodes until it is acknowledged. */
  private async settle(lw: LogicalWrite, rng: SimRng): Promise<void> {
    const deadline = Date.now() + this.ackTimeoutMs;
    while (lw.acked === undefined) {
      if (this.abandoned) {
        lw.failed = 'abandoned (the round failed)';
        return;
      }
      if (Date.now() > deadline) {
        lw.failed = `not acknowledged after ${lw.attempts} attempts in ${this.ackTimeoutMs} ms`;
        return;
      }
      const via = rng.pick(this.cluster.ids);
      lw.attempts += 1;
      this.inFlight.add(lw);
      try {
        const res = await this.send(lw, via);
        if (res.ok) {
          lw.acked = res.body;
        } else if (res.status !== 503) {
          // Only 2xx, or 503 while there is no leader, are in the contract for a valid write.
          lw.failed = `HTTP ${res.status} via n${via} (attempt ${lw.attempts}): ${JSON.stringify(res.body)}`;
          return;
        }
      } catch (_e) {
        // Refused, reset or timed out: the node is down or was killed mid-request. Retry.
      } finally {
        this.inFlight.delete(lw);
      }
      if (lw.acked === undefined) await sleep(25 + rng.int(50));
    }
  }

  private send(lw: LogicalWrite, via: number) {
    const client = this.cluster.client(via);
    const opts = { idempotencyKey: lw.key, timeoutMs: 6_000 };
    switch (lw.kind) {
      case 'create':
        return client.createTask({ title: lw.text, description: `key ${lw.key}` }, opts);
      case 'patch':
        return client.patchTask(lw.taskId ?? '', { description: lw.text }, opts);
      case 'delete':
        return client.deleteTask(lw.taskId ?? '', opts);
    }
  }

  /** Re-sends an acknowledged write with its key (the caller checks the answer). */
  resend(lw: LogicalWrite, via: number) {
    return this.send(lw, via);
  }
}
