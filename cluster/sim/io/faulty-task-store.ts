/**
 * A TaskStore with the faults of the MySQL behind a node: frozen (calls hang until unstalled,
 * or until `queryTimeoutMs` as the real pool's statement limit), down (MySqlUnavailableError,
 * also at open), slow (each call waits on the clock), and a crash of its host that loses the
 * last second of commits (InnoDB with innodb_flush_log_at_trx_commit=2: the log is flushed
 * once a second). It wraps the long-lived store (the "server"); `opener` gives the node's
 * OpenTaskStore, whose handles a node crash closes without touching the server.
 * Deterministic: time only through the Clock, chance only through the seeded `random`.
 */
import type { CommandResult, Project, Task } from '../../api/task.js';
import type { Clock, TimerHandle } from '../../node/clock.js';
import { MySqlUnavailableError } from '../../../db/errors.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from '../../../db/statemachine.js';
import type {
  Decided,
  OpenTaskStore,
  OpenTaskStoreOptions,
  TaskStore,
} from '../../../db/task-store.js';
import { TaskStoreHandle } from '../../../db/task-store-handle.js';
import { CommitLog } from './commit-log.js';

export interface FaultyTaskStoreOptions {
  readonly clock: Clock;
  /** Seeded: a float in [0, 1). */
  readonly random: () => number;
  /** Commits older than this survive a crash (default 1000 ms). */
  readonly durableAfterMs?: number;
}

/** Switches; all off by default. Stalls are switched with stall()/unstall(). */
export interface TaskStoreFaults {
  /** Every call and open fails with MySqlUnavailableError (MySQL is down). */
  failing: boolean;
  /** Each call fails with this probability (0..1). */
  failRate: number;
  /** Only opens fail (MySQL not reachable yet). */
  openFails: boolean;
  /** Each call first waits this long on the clock, plus up to `jitterMs` (seeded). */
  latencyMs: number;
  jitterMs: number;
  /** A stalled call fails after this long (the pool's statement limit); 0: it waits forever. */
  queryTimeoutMs: number;
  /** The chance a write that timed out in a stall is still applied when the stall ends. */
  timedOutWriteApplies: number;
}

export interface TaskStoreFaultCounts {
  failedCalls: number;
  failedOpens: number;
  slowedCalls: number;
  stalledCalls: number;
  timedOutCalls: number;
  crashes: number;
  /** Writes (batches, restores) a crash took back. */
  lostWrites: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  timer?: TimerHandle;
}

const unavailable = (why: string, code?: string): MySqlUnavailableError =>
  new MySqlUnavailableError(`MySQL is unavailable: ${why}`, { code });

export class FaultyTaskStore implements TaskStore {
  readonly faults: TaskStoreFaults = {
    failing: false,
    failRate: 0,
    openFails: false,
    latencyMs: 0,
    jitterMs: 0,
    queryTimeoutMs: 0,
    timedOutWriteApplies: 0.5,
  };
  readonly counts: TaskStoreFaultCounts = {
    failedCalls: 0,
    failedOpens: 0,
    slowedCalls: 0,
    stalledCalls: 0,
    timedOutCalls: 0,
    crashes: 0,
    lostWrites: 0,
  };
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly commits: CommitLog;
  private stalled = false;
  private readonly stallQueue: Waiter[] = [];
  private readonly sleeping = new Set<Waiter>();
  /** Writes are serialised (as TaskStateMachine's are), and a crash's revert with them. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inner: TaskStore,
    opts: FaultyTaskStoreOptions,
  ) {
    this.clock = opts.clock;
    this.random = opts.random;
    this.commits = new CommitLog(inner, opts.clock, opts.durableAfterMs ?? 1000);
  }

  /** MySQL freezes: calls hang (after their latency) until unstall(). */
  stall(): void {
    this.stalled = true;
  }

  unstall(): void {
    this.stalled = false;
    for (const waiter of this.stallQueue.splice(0)) waiter.resolve();
  }

  isStalled(): boolean {
    return this.stalled;
  }

  /**
   * MySQL's host loses power: calls in flight fail (connection lost), and the store goes back
   * to its state of `durableAfterMs` ago. Calls made afterwards work (MySQL restarted).
   */
  async crash(): Promise<void> {
    this.counts.crashes++;
    const lost = unavailable('connection lost (MySQL crashed)', 'PROTOCOL_CONNECTION_LOST');
    for (const waiter of [...this.sleeping, ...this.stallQueue.splice(0)]) {
      this.clock.clearTimer(waiter.timer);
      waiter.reject(lost);
    }
    this.sleeping.clear();
    this.counts.lostWrites += await this.exclusive(() => this.commits.revert());
  }

  /** The node's OpenTaskStore: `check` stamps or checks the identity (MemoryTaskStore's). */
  opener(check: (opts: OpenTaskStoreOptions) => void | Promise<void>): OpenTaskStore {
    return async (opts) => {
      if (this.faults.failing || this.faults.openFails) {
        this.counts.failedOpens++;
        throw unavailable('connect ECONNREFUSED', 'ECONNREFUSED');
      }
      await this.gate(false, () => Promise.resolve());
      await check(opts);
      return new TaskStoreHandle(this);
    };
  }

  appliedIndex(): Promise<AppliedIndex> {
    return this.read(() => this.inner.appliedIndex());
  }

  applyBatch(entries: readonly ApplyEntry[], decided?: Decided): Promise<(CommandResult | null)[]> {
    const batch = [...entries];
    return this.write(() => this.commits.applyBatch(batch, decided));
  }

  snapshot(): Promise<StateSnapshot> {
    return this.read(() => this.inner.snapshot());
  }

  restore(index: number, term: number, data: string): Promise<void> {
    return this.write(() => this.commits.restore(index, term, data));
  }

  list(query: ListQuery): Promise<Task[]> {
    return this.read(() => this.inner.list(query));
  }

  get(id: string): Promise<Task | null> {
    return this.read(() => this.inner.get(id));
  }

  listProjects(): Promise<Project[]> {
    return this.read(() => this.inner.listProjects());
  }

  getProject(id: string): Promise<Project | null> {
    return this.read(() => this.inner.getProject(id));
  }

  listTags(): Promise<{ name: string; count: number }[]> {
    return this.read(() => this.inner.listTags());
  }

  checksum(): Promise<StateChecksum> {
    return this.read(() => this.inner.checksum());
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.gate(false, fn);
    return fn();
  }

  private write<T>(fn: () => Promise<T>): Promise<T> {
    // The wait starts now; the writes still run one at a time, in call order.
    const gated = this.gate(true, fn);
    gated.catch(() => undefined);
    return this.exclusive(async () => {
      await gated;
      return fn();
    });
  }

  /** Fails, waits out the latency and the stall, fails again if MySQL went down meanwhile. */
  private async gate(isWrite: boolean, late: () => Promise<unknown>): Promise<void> {
    this.maybeFail();
    const ms = this.faults.latencyMs + this.random() * this.faults.jitterMs;
    if (ms > 0) {
      this.counts.slowedCalls++;
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject };
        waiter.timer = this.clock.setTimeout(() => {
          this.sleeping.delete(waiter);
          resolve();
        }, ms);
        this.sleeping.add(waiter);
      });
    }
    if (this.stalled) {
      this.counts.stalledCalls++;
      await this.waitForUnstall(isWrite, late);
    }
    this.maybeFail();
  }

  private waitForUnstall(isWrite: boolean, late: () => Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Waiter = {
        resolve: () => {
          this.clock.clearTimer(entry.timer);
          resolve();
        },
        reject: (e) => {
          this.clock.clearTimer(entry.timer);
          reject(e);
        },
      };
      const limit = this.faults.queryTimeoutMs;
      if (limit > 0) {
        entry.timer = this.clock.setTimeout(() => {
          this.counts.timedOutCalls++;
          // The server may still run a write it was sent, once it wakes up.
          const applies = isWrite && this.random() < this.faults.timedOutWriteApplies;
          const orphan: Waiter = {
            resolve: () => {
              if (applies) void this.exclusive(late).catch(() => undefined);
            },
            reject: () => undefined,
          };
          this.stallQueue.splice(this.stallQueue.indexOf(entry), 1, orphan);
          reject(unavailable('the query timed out', 'PROTOCOL_SEQUENCE_TIMEOUT'));
        }, limit);
      }
      this.stallQueue.push(entry);
    });
  }

  private maybeFail(): void {
    const { failing, failRate } = this.faults;
    if (failing || (failRate > 0 && this.random() < failRate)) {
      this.counts.failedCalls++;
      throw unavailable('connect ECONNREFUSED', 'ECONNREFUSED');
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
