/**
 * Concurrent task clients for verification: each worker sends one operation at a time — create,
 * linearizable read (one task or the list), update (half of them conditional on the last version
 * it saw), delete, and now and then a stale read — to a node picked at random for every attempt,
 * and records it in a HistoryLog.
 *
 * Writes carry an Idempotency-Key and are retried with it (on 503, 5xx, timeouts, dropped
 * connections) until they get a definite answer or `retryForMs` runs out: then they stay
 * unknown in the history, which is exactly what they are. Reads are retried as new reads (an
 * unanswered read observed nothing).
 *
 * The workers share a small pool of tasks (`maxTasks`), so operations collide on the same task
 * often: that is where a broken cluster shows.
 */
import { randomUUID } from 'node:crypto';
import type { TaskPatch, TaskPriority, TaskStatus } from '../../api/task.js';
import { SimRng } from '../../sim/rng.js';
import { taskOf, tasksOf, writeAnswerKind, type TaskAnswer, type TaskRequest } from './exchange.js';
import { send } from './http.js';
import type { HistoryLog } from './log.js';

export interface WorkloadOptions {
  /** The client URLs of the nodes to talk to (asked again before every attempt). */
  readonly targets: () => readonly string[];
  readonly token: string;
  readonly clients: number;
  readonly log: HistoryLog;
  readonly seed?: number;
  /** Live tasks the workers keep around (default 10). */
  readonly maxTasks?: number;
  /** Per request (default 4 s: a node answers 503 after its 2 s request timeout). */
  readonly requestTimeoutMs?: number;
  /** How long a write is retried before it is left unknown (default 10 s). */
  readonly retryForMs?: number;
  /** Share of operations that are stale reads (default 0.1). */
  readonly staleShare?: number;
  /** Prefix of the worker names (default `c`: c1, c2, …). */
  readonly name?: string;
}

const STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];
const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high'];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Workload {
  /** Live task id → the highest version any worker saw. */
  private readonly pool = new Map<string, number>();
  private readonly gone: string[] = [];
  private stopping = false;
  private running: Promise<void>[] = [];
  private readonly opts: Required<Omit<WorkloadOptions, 'seed'>> & { seed: number };
  readonly done = { create: 0, read: 0, list: 0, update: 0, delete: 0, stale: 0 };

  constructor(options: WorkloadOptions) {
    this.opts = {
      maxTasks: 10,
      requestTimeoutMs: 4_000,
      retryForMs: 10_000,
      staleShare: 0.1,
      name: 'c',
      seed: Date.now() % 1_000_000,
      ...options,
    };
  }

  start(): void {
    this.stopping = false;
    for (let i = 1; i <= this.opts.clients; i++) {
      const rng = new SimRng(this.opts.seed, `${this.opts.name}${i}`);
      this.running.push(this.worker(`${this.opts.name}${i}`, rng));
    }
  }

  /** Stops issuing operations and waits for those in flight (retries included). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
    this.running = [];
  }

  get operations(): number {
    return Object.values(this.done).reduce((a, b) => a + b, 0);
  }

  private async worker(name: string, rng: SimRng): Promise<void> {
    for (let seq = 1; !this.stopping; seq++) {
      const ids = [...this.pool.keys()];
      const dice = rng.float();
      if (ids.length < 2 || (dice < 0.12 && ids.length < this.opts.maxTasks)) {
        await this.create(name, seq, rng);
      } else if (dice < 0.12 + this.opts.staleShare) {
        await this.staleRead(name, rng, ids);
      } else if (dice < 0.5) {
        await this.read(name, rng, ids);
      } else if (dice < 0.92) {
        await this.update(name, rng, rng.pick(ids));
      } else {
        await this.remove(name, rng, rng.pick(ids));
      }
    }
  }

  private target(rng: SimRng): string | undefined {
    const urls = this.opts.targets();
    return urls.length === 0 ? undefined : rng.pick(urls);
  }

  /** Sends a write with its key until a definite answer or the retry budget runs out. */
  private async write(name: string, rng: SimRng, req: TaskRequest): Promise<TaskAnswer> {
    const pending = this.opts.log.begin(name, req);
    const deadline = Date.now() + this.opts.retryForMs;
    for (;;) {
      const url = this.target(rng);
      const answer =
        url === undefined
          ? null
          : await send(url, this.opts.token, req, this.opts.requestTimeoutMs);
      this.opts.log.finish(pending, answer);
      if (writeAnswerKind(answer) !== 'unknown') return answer;
      if (Date.now() > deadline) return null;
      // The next attempt is the same operation (same key): `pending` stays the record.
      await sleep(50 + rng.int(200));
    }
  }

  /** A read, retried (as a new read) a few times while nodes answer 503 or not at all. */
  private async readOnce(name: string, rng: SimRng, req: TaskRequest): Promise<TaskAnswer> {
    for (let attempt = 0; attempt < 4 && !this.stopping; attempt++) {
      const url = this.target(rng);
      if (url === undefined) break;
      const pending = this.opts.log.begin(name, req);
      const answer = await send(url, this.opts.token, req, this.opts.requestTimeoutMs);
      this.opts.log.finish(pending, answer);
      if (answer !== null && (answer.status === 200 || answer.status === 404)) return answer;
      await sleep(50 + rng.int(200));
    }
    return null;
  }

  private seen(answer: TaskAnswer): void {
    const task = answer === null ? undefined : taskOf(answer.body);
    if (task === undefined) return;
    const v = this.pool.get(task.id);
    if (v !== undefined && task.version > v) this.pool.set(task.id, task.version);
  }

  private forget(id: string): void {
    if (this.pool.delete(id)) this.gone.push(id);
  }

  private async create(name: string, seq: number, rng: SimRng): Promise<void> {
    const req: TaskRequest = {
      method: 'POST',
      path: '/tasks',
      query: new URLSearchParams(),
      idempotencyKey: `${name}-${randomUUID()}`,
      // Unique titles: a create whose answer is lost is then recognised when a read shows it.
      body: {
        title: `${name}#${seq} ${randomUUID().slice(0, 8)}`,
        priority: rng.pick(PRIORITIES),
      },
    };
    const answer = await this.write(name, rng, req);
    this.done.create++;
    const task = answer === null ? undefined : taskOf(answer.body);
    if (answer?.status === 201 && task !== undefined && this.pool.size < this.opts.maxTasks * 2) {
      this.pool.set(task.id, task.version);
    }
  }

  private async read(name: string, rng: SimRng, ids: readonly string[]): Promise<void> {
    if (rng.chance(0.2)) {
      const answer = await this.readOnce(name, rng, {
        method: 'GET',
        path: '/tasks',
        query: new URLSearchParams({ consistency: 'linearizable' }),
      });
      for (const t of (answer !== null && tasksOf(answer.body)) || []) {
        this.seen({ status: 200, body: { task: t } });
      }
      this.done.list++;
      return;
    }
    // Now and then a task that was deleted: its reads must keep saying 404.
    const id = this.gone.length > 0 && rng.chance(0.1) ? rng.pick(this.gone) : rng.pick(ids);
    const answer = await this.readOnce(name, rng, {
      method: 'GET',
      path: `/tasks/${id}`,
      query: new URLSearchParams({ consistency: 'linearizable' }),
    });
    if (answer?.status === 404) this.forget(id);
    this.seen(answer);
    this.done.read++;
  }

  private async staleRead(name: string, rng: SimRng, ids: readonly string[]): Promise<void> {
    const list = rng.chance(0.3);
    await this.readOnce(name, rng, {
      method: 'GET',
      path: list ? '/tasks' : `/tasks/${rng.pick(ids)}`,
      query: new URLSearchParams({ consistency: 'stale' }),
    });
    this.done.stale++;
  }

  private async update(name: string, rng: SimRng, id: string): Promise<void> {
    const patch: Record<string, unknown> = {};
    const which = rng.int(3);
    if (which === 0) patch.status = rng.pick(STATUSES);
    else if (which === 1) patch.priority = rng.pick(PRIORITIES);
    else patch.description = `${name} ${rng.int(1_000_000)}`;
    const version = this.pool.get(id);
    const conditional = version !== undefined && rng.chance(0.5);
    const req: TaskRequest = {
      method: 'PATCH',
      path: `/tasks/${id}`,
      query: new URLSearchParams(),
      idempotencyKey: `${name}-${randomUUID()}`,
      ...(conditional ? { ifMatch: String(version) } : {}),
      body: patch as TaskPatch,
    };
    const answer = await this.write(name, rng, req);
    if (answer?.status === 404) this.forget(id);
    this.seen(answer);
    this.done.update++;
  }

  private async remove(name: string, rng: SimRng, id: string): Promise<void> {
    const version = this.pool.get(id);
    const conditional = version !== undefined && rng.chance(0.5);
    const req: TaskRequest = {
      method: 'DELETE',
      path: `/tasks/${id}`,
      query: new URLSearchParams(),
      idempotencyKey: `${name}-${randomUUID()}`,
      ...(conditional ? { ifMatch: String(version) } : {}),
    };
    const answer = await this.write(name, rng, req);
    if (answer?.status === 200 || answer?.status === 404) this.forget(id);
    this.done.delete++;
  }
}
