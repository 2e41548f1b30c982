/**
 * The node driver's clients. Each one loops: thinks, then writes (create, update or delete with
 * an Idempotency-Key, retried with the same key after a timeout or a refusal, following
 * NotLeader answers to the leader) or reads (linearizable through any node, leader-lease on the
 * leader, or stale: the node's tasks as they are). Writes and linearizable reads go into the
 * history that the linearizability checker of cluster/verify reads, as `npm run verify` records
 * it on a real cluster; stale and lease reads must show a state some replica passed through.
 *
 * Some writes are "side" writes (issue 14): projects, tagged tasks, subtasks, recurring tasks
 * completed with a next occurrence, cascading deletes. They touch only their own tasks (titled
 * `side-…`), which the history leaves out, so the linearizability check is as before while the
 * replicas' agreement (checksums, stale reads) covers the new apply rules under faults.
 */
import type { NodeId } from '../../raft/index.js';
import type { CommandResult, Task, TaskCommand, TaskPriority, TaskStatus } from '../../api/task.js';
import { MySqlUnavailableError } from '../../../db/errors.js';
import { NotLeaderError, NoQuorumError } from '../../node/service.js';
import type { CreateOp, DeleteOp, ListRead, Op, UpdateOp } from '../../verify/index.js';
import type { SimRng } from '../rng.js';
import type { NodeSimCluster } from './cluster.js';
import { buildCommand, seededUuid, sessionOf, type WriteSpec } from './commands.js';
import type { SimMember } from './member.js';
import { ALL_TASKS } from './observed-store.js';
import { isFailpointCrash } from './failpoints.js';

interface Client {
  readonly id: number;
  readonly name: string;
  seq: number;
  /** The node this client believes leads (learned from NotLeader answers). */
  guess: NodeId;
  /** The node that served its last lease read: a client sticks to a node that answers. */
  sticky: NodeId;
}

export type ReadMode = 'linearizable' | 'leader' | 'stale';

export interface ClientStats {
  writes: number;
  acked: number;
  /** Writes given up on: their outcome is unknown. */
  unknown: number;
  retries: number;
  reads: Record<ReadMode, number>;
  failedReads: number;
  /** Side writes answered (projects, subtasks, recurrence: see the header). */
  sideWrites: number;
}

/** Counters before any client did anything (also a run's when no client ran). */
export function emptyClientStats(): ClientStats {
  return {
    writes: 0,
    acked: 0,
    unknown: 0,
    retries: 0,
    reads: { linearizable: 0, leader: 0, stale: 0 },
    failedReads: 0,
    sideWrites: 0,
  };
}

const STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];
const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high'];
type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown }
  | 'timeout';

export class NodeClients {
  private active = true;
  private readonly clients: Client[] = [];
  /** Operations still running (the final phase waits for them). */
  private running = 0;
  readonly writes: Op[] = [];
  readonly lists: ListRead[] = [];
  /** Leader-lease reads: linearizable only as far as the lease holds. */
  readonly leaderLists: ListRead[] = [];
  /** Creates that got no answer, with their Idempotency-Key. */
  readonly unansweredCreates = new Map<Op, string>();
  /** Task ids learned from answers (creates) and from reads. */
  readonly knownIds: string[] = [];
  private readonly known = new Set<string>();
  /** The last version of each task a client saw (for conditional writes). */
  private readonly versions = new Map<string, number>();
  readonly stats: ClientStats = emptyClientStats();

  constructor(
    private readonly cluster: NodeSimCluster,
    private readonly rng: SimRng,
    count: number,
    /** The side workload's own stream (none: no side writes), so the others draw as before. */
    private readonly sideRng?: SimRng,
  ) {
    for (let i = 1; i <= count; i++) {
      const c: Client = { id: i, name: `c${i}`, seq: 0, guess: 1, sticky: 0 };
      this.clients.push(c);
      this.loop(c, rng.range(0, 100));
    }
    if (sideRng !== undefined) {
      const c: Client = { id: count + 1, name: 'side', seq: 0, guess: 1, sticky: 0 };
      this.sideLoop(c, sideRng, sideRng.range(0, 100));
    }
  }

  /** One client doing only side writes, on its own stream. */
  private sideLoop(c: Client, rng: SimRng, delayMs: number): void {
    this.cluster.agenda.schedule(delayMs, () => {
      if (!this.active) return;
      this.running++;
      void this.side(c, rng).finally(() => {
        this.running--;
        this.sideLoop(c, rng, rng.range(30, 400));
      });
    });
  }

  stop(): void {
    this.active = false;
  }

  get busy(): boolean {
    return this.running > 0;
  }

  private get requestTimeoutMs(): number {
    return this.cluster.opts.knobs.requestTimeoutMs;
  }

  private now(): number {
    return this.cluster.agenda.virtualNow;
  }

  private loop(c: Client, delayMs: number): void {
    this.cluster.agenda.schedule(delayMs, () => {
      if (!this.active) return;
      this.running++;
      void this.act(c).finally(() => {
        this.running--;
        this.loop(c, this.rng.range(5, 120));
      });
    });
  }

  private act(c: Client): Promise<void> {
    const r = this.rng.float();
    if (r < 0.3 || this.knownIds.length === 0) return this.write(c, this.createSpec(c));
    if (r < 0.48) return this.write(c, this.updateSpec());
    if (r < 0.55) return this.write(c, this.deleteSpec());
    if (r < 0.72) return this.read(c, 'linearizable');
    if (r < 0.9) return this.read(c, 'leader');
    return this.read(c, 'stale');
  }

  private createSpec(c: Client): WriteSpec {
    const title = `t-${c.name}-${c.seq + 1}`;
    const priority = this.rng.pick(PRIORITIES);
    const input = { title, description: '', status: 'todo' as const, priority, dueDate: null };
    // The parsed body: the contract's defaults for the fields this workload leaves out.
    const body = {
      ...input,
      dueTime: null,
      projectId: null,
      tags: [],
      parentId: null,
      recurrence: null,
    };
    return { f: 'create', body, input };
  }

  private updateSpec(): WriteSpec {
    const id = this.rng.pick(this.knownIds);
    const patch = this.rng.chance(0.5)
      ? { status: this.rng.pick(STATUSES) }
      : { title: `u-${this.rng.int(1_000_000)}` };
    const version = this.versions.get(id);
    const expectedVersion = version !== undefined && this.rng.chance(0.3) ? version : undefined;
    const body = expectedVersion === undefined ? { ...patch } : { ...patch, expectedVersion };
    return { f: 'update', id, body, patch, expectedVersion };
  }

  private deleteSpec(): WriteSpec {
    const id = this.rng.pick(this.knownIds);
    const version = this.versions.get(id);
    const expectedVersion = version !== undefined && this.rng.chance(0.3) ? version : undefined;
    return { f: 'delete', id, expectedVersion };
  }

  /** The member a request goes to: mostly the believed leader, else any running one. */
  private target(c: Client, leaderOnly: boolean): SimMember | undefined {
    const guess = this.cluster.members.get(c.guess);
    if (guess?.isUp && (leaderOnly || this.rng.chance(0.7))) return guess;
    const up = this.cluster.up();
    return up.length === 0 ? undefined : this.rng.pick(up);
  }

  /** Settles with the promise's outcome, or 'timeout' after `ms` of virtual time. */
  private within<T>(p: Promise<T>, ms: number): Promise<Outcome<T>> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (o: Outcome<T>): void => {
        if (done) return;
        done = true;
        resolve(o);
      };
      this.cluster.agenda.schedule(ms, () => finish('timeout'));
      p.then(
        (value) => finish({ ok: true, value }),
        (error: unknown) => finish({ ok: false, error }),
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.cluster.agenda.schedule(ms, resolve));
  }

  private learn(task: Task): void {
    if (!this.known.has(task.id)) {
      this.known.add(task.id);
      this.knownIds.push(task.id);
    }
    this.versions.set(task.id, task.version);
  }

  private async write(c: Client, spec: WriteSpec): Promise<void> {
    c.seq++;
    this.stats.writes++;
    const key = `${c.name}-${c.seq}`;
    const session = sessionOf(key, spec);
    const call = this.now();
    const deadline = call + 3 * this.requestTimeoutMs + 1000;
    let attempt = 0;
    while (this.now() < deadline) {
      if (attempt++ > 0) this.stats.retries++;
      const m = this.target(c, false);
      if (m?.node === undefined) {
        await this.sleep(50);
        continue;
      }
      const at = new Date(this.cluster.agenda.now()).toISOString();
      const cmd = buildCommand(spec, session, at, this.rng);
      const o = await this.within(m.node.propose(cmd), this.requestTimeoutMs + 200);
      if (o !== 'timeout' && o.ok) {
        this.cluster.checks.onAck(key, o.value.index, o.value.term);
        this.cluster.onAcked();
        this.record(c, spec, key, call, this.now(), o.value.result);
        this.cluster.note(
          `${c.name} ${spec.f} ${key} → n${m.id}: ${o.value.result.outcome} @${o.value.index}`,
        );
        return;
      }
      if (o !== 'timeout' && o.error instanceof NotLeaderError) {
        c.guess =
          o.error.leaderId !== 0 ? o.error.leaderId : this.rng.pick(this.cluster.memberIds());
        await this.sleep(o.error.leaderId !== 0 ? 1 : 30);
        continue;
      }
      if (o !== 'timeout' && !isRetryable(o.error)) {
        this.cluster.nodeThrew(m, `propose(${key})`, o.error);
        return;
      }
      c.guess = this.rng.pick(this.cluster.memberIds());
      await this.sleep(this.rng.range(20, 150));
    }
    this.stats.unknown++;
    this.cluster.note(`${c.name} ${spec.f} ${key}: gave up, outcome unknown`);
    const op = unanswered(spec, c.name, call);
    if (op.f === 'create') this.unansweredCreates.set(op, key);
    this.writes.push(op);
  }

  private record(
    c: Client,
    spec: WriteSpec,
    key: string,
    call: number,
    ret: number,
    result: CommandResult,
  ): void {
    this.stats.acked++;
    if (!result.ok && result.outcome === 'key_reused') {
      this.cluster.checks.fail(
        'idempotency',
        `${key} was refused as a reused key: ${result.message}`,
      );
      return;
    }
    if (result.ok && (result.outcome === 'created' || result.outcome === 'updated')) {
      this.learn(result.task);
    }
    const client = c.name;
    switch (spec.f) {
      case 'create': {
        if (!result.ok || result.outcome !== 'created') {
          if (!result.ok && result.outcome === 'version_conflict') {
            this.writes.push({
              f: 'create',
              client,
              call,
              input: spec.input,
              ret,
              out: { status: 409 },
            });
            return;
          }
          this.cluster.checks.fail('client', `create ${key} answered ${result.outcome}`);
          return;
        }
        this.writes.push({
          f: 'create',
          client,
          call,
          input: spec.input,
          ret,
          out: { status: 201, task: result.task },
        });
        return;
      }
      case 'update': {
        const base = { f: 'update' as const, client, call, taskId: spec.id, patch: spec.patch };
        const op: UpdateOp = {
          ...base,
          ...(spec.expectedVersion === undefined ? {} : { expectedVersion: spec.expectedVersion }),
          ret,
          out:
            result.ok && result.outcome === 'updated'
              ? { status: 200, task: result.task }
              : { status: !result.ok && result.outcome === 'not_found' ? 404 : 409 },
        };
        this.writes.push(op);
        return;
      }
      case 'delete': {
        const op: DeleteOp = {
          f: 'delete',
          client,
          call,
          taskId: spec.id,
          ...(spec.expectedVersion === undefined ? {} : { expectedVersion: spec.expectedVersion }),
          ret,
          out: result.ok ? { status: 200 } : { status: result.outcome === 'not_found' ? 404 : 409 },
        };
        this.writes.push(op);
        return;
      }
    }
  }

  /** Side tasks and projects known from answers, with the last version seen. */
  private readonly sideTasks = new Map<string, number>();
  private readonly sideProjects: string[] = [];

  /** One side write (see the header), one attempt, no key: its answer only feeds later ones. */
  private async side(c: Client, rng: SimRng): Promise<void> {
    const guess = this.cluster.members.get(c.guess);
    const up = this.cluster.up();
    const m = guess?.isUp === true ? guess : up.length === 0 ? undefined : rng.pick(up);
    if (m?.node === undefined) return;
    const command = this.sideCommand(c, rng);
    const o = await this.within(m.node.propose(command), this.requestTimeoutMs + 200);
    if (o === 'timeout') return;
    if (!o.ok) {
      if (o.error instanceof NotLeaderError) {
        c.guess = o.error.leaderId !== 0 ? o.error.leaderId : rng.pick(this.cluster.memberIds());
      } else if (!isRetryable(o.error)) {
        this.cluster.nodeThrew(m, `propose(side ${command.op})`, o.error);
      }
      return;
    }
    this.stats.sideWrites++;
    const result = o.value.result;
    this.cluster.note(`${c.name} side ${command.op} → n${m.id}: ${result.outcome}`);
    if (!result.ok) return;
    switch (result.outcome) {
      case 'created':
      case 'updated':
        this.sideTasks.set(result.task.id, result.task.version);
        if (result.next !== undefined) this.sideTasks.set(result.next.id, result.next.version);
        break;
      case 'deleted':
      case 'project_deleted':
        for (const id of result.deletedIds) this.sideTasks.delete(id);
        break;
      case 'project_created':
        this.sideProjects.push(result.project.id);
        break;
    }
  }

  private sideCommand(c: Client, rng: SimRng): TaskCommand {
    const at = new Date(this.cluster.agenda.now()).toISOString();
    const tasks = [...this.sideTasks.keys()];
    const anyTask = (): string | null => (tasks.length === 0 ? null : rng.pick(tasks));
    const anyProject = (): string | null =>
      this.sideProjects.length === 0 ? null : rng.pick(this.sideProjects);
    const r = rng.float();
    if (r < 0.15 || (r < 0.5 && tasks.length === 0)) {
      return {
        op: 'project.create',
        project: {
          id: seededUuid(rng),
          // A few names only, in two cases: some clash (invalid_reference).
          name: rng.chance(0.5) ? `Side ${rng.int(4)}` : `SIDE ${rng.int(4)}`,
          color: rng.chance(0.5) ? null : '#336699',
          position: rng.int(10),
        },
        at,
      };
    }
    if (r < 0.5 || tasks.length === 0) {
      c.seq++;
      const parentId = rng.chance(0.4) ? anyTask() : null;
      const dueDate = rng.chance(0.5) ? '2030-01-04' : null;
      return {
        op: 'create',
        task: {
          id: seededUuid(rng),
          title: `side-${c.name}-${c.seq}`,
          description: '',
          status: 'todo',
          priority: rng.pick(PRIORITIES),
          dueDate,
          dueTime: dueDate !== null && rng.chance(0.5) ? '09:30' : null,
          projectId: rng.chance(0.6) ? anyProject() : null,
          tags: SIDE_TAGS.filter(() => rng.chance(0.3)),
          parentId,
          recurrence: rng.chance(0.3) ? { rrule: 'FREQ=WEEKLY', from: 'due' } : null,
          position: this.cluster.agenda.now(),
        },
        at,
      };
    }
    const id = rng.pick(tasks);
    if (r < 0.7) {
      // Complete it; the next occurrence as the leader would compute it (maybe stale).
      return {
        op: 'update',
        id,
        patch: { status: 'done' },
        next: { id: seededUuid(rng), dueDate: '2030-01-11', forVersion: this.sideTasks.get(id)! },
        v: 2, // as a leader of this version marks its updates (completedAt's rule)
        at,
      };
    }
    if (r < 0.82) {
      return {
        op: 'update',
        id,
        patch: rng.chance(0.5)
          ? { parentId: anyTask(), tags: SIDE_TAGS.filter(() => rng.chance(0.3)) }
          : { status: rng.pick(STATUSES), projectId: anyProject() },
        v: 2,
        at,
      };
    }
    const project = anyProject();
    if (r < 0.9 && project !== null) {
      return { op: 'project.delete', id: project, tasks: rng.chance(0.5) ? 'keep' : 'delete', at };
    }
    return { op: 'delete', id, at };
  }

  private async read(c: Client, mode: ReadMode): Promise<void> {
    // Lease reads go back to the node that served the last one, to the believed leader, or to
    // any node (as a client that reaches a follower, which sends it on): a node that wrongly
    // believes it leads must be asked too.
    const sticky = this.cluster.members.get(c.sticky);
    const m =
      mode === 'leader' && sticky?.isUp === true && this.rng.chance(0.6)
        ? sticky
        : this.target(c, mode === 'leader' && this.rng.chance(0.5));
    if (m?.node === undefined) return;
    const node = m.node;
    const call = this.now();
    const o = await this.within(
      (async () => {
        if (mode !== 'stale') await node.readBarrier(mode);
        return node.listTasks(ALL_TASKS);
      })(),
      this.requestTimeoutMs + 200,
    );
    if (o === 'timeout' || !o.ok) {
      this.stats.failedReads++;
      if (o === 'timeout') return;
      if (o.error instanceof NotLeaderError) {
        if (o.error.leaderId !== 0) c.guess = o.error.leaderId;
      } else if (!isRetryable(o.error)) {
        this.cluster.nodeThrew(m, `a ${mode} read`, o.error);
      }
      return;
    }
    this.stats.reads[mode]++;
    if (mode === 'leader') c.sticky = m.id;
    this.cluster.note(
      `${c.name} ${mode} read → n${m.id}: ${o.value.length} tasks (called at ${call})`,
    );
    const tasks = o.value.filter((t) => !isSide(t));
    for (const t of tasks) this.learn(t);
    const list: ListRead = { client: c.name, call, ret: this.now(), tasks, complete: true };
    if (mode === 'linearizable') this.lists.push(list);
    else {
      this.cluster.checks.onStaleRead(m.id, o.value);
      if (mode === 'leader') this.leaderLists.push(list);
    }
  }

  /**
   * A final linearizable read through member `m` (the end-of-run durability check), asked again
   * after a refusal the API answers with 503 until it is answered or `deadline` passes.
   */
  async finalRead(m: SimMember, deadline: number): Promise<boolean> {
    while (this.now() < deadline) {
      const node = m.node;
      if (node === undefined) return false;
      const call = this.now();
      const o = await this.within(
        (async () => {
          await node.readBarrier('linearizable');
          return node.listTasks(ALL_TASKS);
        })(),
        this.requestTimeoutMs + 200,
      );
      if (o !== 'timeout' && o.ok) {
        const tasks = o.value.filter((t) => !isSide(t));
        for (const t of tasks) this.learn(t);
        const list = { client: `final-n${m.id}`, call, ret: this.now(), tasks };
        this.lists.push({ ...list, complete: true });
        return true;
      }
      if (o !== 'timeout' && !isRetryable(o.error) && !(o.error instanceof NotLeaderError)) {
        this.cluster.nodeThrew(m, 'the final read', o.error);
        return false;
      }
      await this.sleep(100);
    }
    return false;
  }
}

const SIDE_TAGS = ['Work', 'work', 'HOME', 'home', 'urgent'];

/** A task of the side workload: left out of the history the checker reads. */
function isSide(task: Task): boolean {
  return task.title.startsWith('side-');
}

/** Also a failpoint's crash of the node asked: its connection broke mid-request. */
function isRetryable(e: unknown): boolean {
  return e instanceof NoQuorumError || e instanceof MySqlUnavailableError || isFailpointCrash(e);
}

function unanswered(spec: WriteSpec, client: string, call: number): Op {
  switch (spec.f) {
    case 'create': {
      const op: CreateOp = { f: 'create', client, call, input: spec.input, ret: null, out: null };
      return op;
    }
    case 'update':
      return {
        f: 'update',
        client,
        call,
        taskId: spec.id,
        patch: spec.patch,
        ...(spec.expectedVersion === undefined ? {} : { expectedVersion: spec.expectedVersion }),
        ret: null,
        out: null,
      };
    case 'delete':
      return {
        f: 'delete',
        client,
        call,
        taskId: spec.id,
        ...(spec.expectedVersion === undefined ? {} : { expectedVersion: spec.expectedVersion }),
        ret: null,
        out: null,
      };
  }
}
