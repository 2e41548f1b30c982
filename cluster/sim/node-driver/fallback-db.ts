/**
 * A stand-in task database for the node driver until cluster/sim/io's MemoryTaskStore is merged:
 * db/statemachine.ts's semantics in memory (sessions with fingerprints, versions, raftIndex,
 * snapshot/restore, identity stamp), the last second of commits lost at a crash, and stall /
 * fail / slow faults on the clock.
 */
import { createHash } from 'node:crypto';
import type { CommandResult, SessionRef, Task, TaskCommand } from '../../api/task.js';
import type { Clock } from '../../node/clock.js';
import { ClusterIdentityError, MySqlUnavailableError } from '../../../db/errors.js';
import type { NodeIdentity } from '../../../db/identity.js';
import type { OpenTaskStoreOptions, TaskStore } from '../../../db/task-store.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from '../../../db/statemachine.js';
import type { SimNodeDb, StoreFault } from './io.js';

interface Session {
  readonly raftIndex: number;
  readonly result: string;
  readonly fingerprint: string;
}

interface State {
  tasks: Map<string, Task>;
  sessions: Map<string, Session>;
  applied: AppliedIndex;
}

const LOST_AT_CRASH_MS = 1000;

function clone(s: State): State {
  return { tasks: new Map(s.tasks), sessions: new Map(s.sessions), applied: { ...s.applied } };
}

function execute(cmd: TaskCommand, index: number, tasks: Map<string, Task>): CommandResult {
  if (cmd.op === 'create') {
    const { id } = cmd.task;
    if (tasks.has(id))
      return { ok: false, status: 409, error: 'version_conflict', message: `${id} exists` };
    const task: Task = {
      ...cmd.task,
      createdAt: cmd.at,
      updatedAt: cmd.at,
      version: 1,
      raftIndex: index,
    };
    tasks.set(id, task);
    return { ok: true, status: 201, task };
  }
  const cur = tasks.get(cmd.id);
  if (cur === undefined)
    return { ok: false, status: 404, error: 'not_found', message: `no task ${cmd.id}` };
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== cur.version)
    return { ok: false, status: 409, error: 'version_conflict', message: 'version' };
  if (cmd.op === 'delete') {
    tasks.delete(cmd.id);
    return { ok: true, status: 200, task: null };
  }
  const p = cmd.patch;
  const task: Task = {
    ...cur,
    ...(p.title !== undefined && { title: p.title }),
    ...(p.description !== undefined && { description: p.description }),
    ...(p.status !== undefined && { status: p.status }),
    ...(p.priority !== undefined && { priority: p.priority }),
    ...(p.dueDate !== undefined && { dueDate: p.dueDate }),
    updatedAt: cmd.at,
    version: cur.version + 1,
    raftIndex: index,
  };
  tasks.set(cmd.id, task);
  return { ok: true, status: 200, task };
}

function same(stored: Session, s: SessionRef): boolean {
  const f = s.fingerprint ?? '';
  return stored.fingerprint === '' || f === '' || stored.fingerprint === f;
}

const REUSED: CommandResult = {
  ok: false,
  status: 422,
  error: 'idempotency_key_reused',
  message: 'this Idempotency-Key was used for another request',
};

export class FallbackDb implements SimNodeDb {
  private state: State = { tasks: new Map(), sessions: new Map(), applied: { index: 0, term: 0 } };
  /** Commits of the last second: a crash goes back to the oldest one's predecessor. */
  private recent: { at: number; before: State }[] = [];
  private stamp: NodeIdentity | undefined;
  private faults = new Set<StoreFault>();
  private stalled: (() => void)[] = [];
  readonly store: TaskStore;

  constructor(private readonly clock: Clock) {
    this.store = this.plain();
  }

  open(opts: OpenTaskStoreOptions, observed: TaskStore): Promise<TaskStore> {
    return this.op(() => {
      const { identity } = opts;
      if (
        this.stamp !== undefined &&
        (this.stamp.clusterId !== identity.clusterId || this.stamp.nodeId !== identity.nodeId)
      )
        throw new ClusterIdentityError('another node');
      opts.verifyApplied(this.state.applied);
      this.stamp = identity;
      return this.faulty(observed);
    });
  }

  crash(): void {
    const cutoff = this.clock.now() - LOST_AT_CRASH_MS;
    const lost = this.recent.filter((c) => c.at > cutoff);
    if (lost.length > 0) this.state = lost[0].before;
    this.recent = [];
  }

  fault(kind: StoreFault): void {
    this.faults.add(kind);
  }

  clearFaults(): void {
    this.faults.clear();
    for (const go of this.stalled.splice(0)) go();
  }

  private commit(): void {
    const now = this.clock.now();
    this.recent = this.recent.filter((c) => c.at > now - LOST_AT_CRASH_MS);
  }

  /** One database round trip under the current faults. */
  private async op<T>(fn: () => T): Promise<T> {
    if (this.faults.has('stall')) await new Promise<void>((r) => this.stalled.push(r));
    if (this.faults.has('slow')) await new Promise<void>((r) => this.clock.setTimeout(r, 50));
    if (this.faults.has('fail')) throw new MySqlUnavailableError('connection refused (sim)');
    return fn();
  }

  private faulty(inner: TaskStore): TaskStore {
    return {
      appliedIndex: () => this.op(() => undefined).then(() => inner.appliedIndex()),
      applyBatch: (e) => this.op(() => undefined).then(() => inner.applyBatch(e)),
      snapshot: () => this.op(() => undefined).then(() => inner.snapshot()),
      restore: (i, t, d) => this.op(() => undefined).then(() => inner.restore(i, t, d)),
      list: (q) => this.op(() => undefined).then(() => inner.list(q)),
      get: (id) => this.op(() => undefined).then(() => inner.get(id)),
      checksum: () => this.op(() => undefined).then(() => inner.checksum()),
      close: () => Promise.resolve(),
    };
  }

  private plain(): TaskStore {
    return {
      appliedIndex: () => Promise.resolve({ ...this.state.applied }),
      applyBatch: (entries) => {
        const before = clone(this.state);
        try {
          return Promise.resolve(this.apply(entries, before));
        } catch (e) {
          this.state = before;
          return Promise.reject(e as Error);
        }
      },
      snapshot: () =>
        Promise.resolve<StateSnapshot>({
          ...this.state.applied,
          data: JSON.stringify({
            tasks: [...this.state.tasks.values()],
            sessions: [...this.state.sessions.entries()],
          }),
        }),
      restore: (index, term, data) => {
        const before = clone(this.state);
        const body = JSON.parse(data) as { tasks: Task[]; sessions: [string, Session][] };
        this.state = {
          tasks: new Map(body.tasks.map((t) => [t.id, t])),
          sessions: new Map(body.sessions),
          applied: { index, term },
        };
        this.recent.push({ at: this.clock.now(), before });
        this.commit();
        return Promise.resolve();
      },
      list: (q: ListQuery) => {
        const all = [...this.state.tasks.values()]
          .filter((t) => q.status === undefined || t.status === q.status)
          .sort((a, b) =>
            a.createdAt !== b.createdAt
              ? a.createdAt < b.createdAt
                ? -1
                : 1
              : a.id < b.id
                ? -1
                : 1,
          );
        return Promise.resolve(all.slice(q.offset, q.offset + q.limit));
      },
      get: (id) => Promise.resolve(this.state.tasks.get(id) ?? null),
      checksum: () => {
        const h = createHash('sha256');
        const ids = [...this.state.tasks.keys()].sort();
        for (const id of ids) h.update(JSON.stringify(this.state.tasks.get(id)));
        return Promise.resolve<StateChecksum>({
          appliedIndex: this.state.applied.index,
          checksum: h.digest('hex'),
        });
      },
      close: () => Promise.resolve(),
    };
  }

  private apply(entries: readonly ApplyEntry[], before: State): (CommandResult | null)[] {
    const s = this.state;
    const results: (CommandResult | null)[] = [];
    let next = s.applied.index + 1;
    let changed = false;
    for (const e of entries) {
      const cmd = e.type === 'normal' && e.data !== '' ? (JSON.parse(e.data) as TaskCommand) : null;
      const session = cmd?.session;
      const stored = session === undefined ? undefined : s.sessions.get(session.key);
      if (e.index <= s.applied.index) {
        results.push(
          session !== undefined && stored !== undefined
            ? stored.raftIndex !== e.index && !same(stored, session)
              ? REUSED
              : (JSON.parse(stored.result) as CommandResult)
            : null,
        );
        continue;
      }
      if (e.index !== next) throw new Error(`entry ${e.index} does not follow ${next - 1}`);
      next++;
      changed = true;
      s.applied = { index: e.index, term: e.term };
      if (cmd === null) {
        results.push(null);
        continue;
      }
      if (session !== undefined && stored !== undefined) {
        results.push(same(stored, session) ? (JSON.parse(stored.result) as CommandResult) : REUSED);
        continue;
      }
      const result = execute(cmd, e.index, s.tasks);
      results.push(result);
      if (session !== undefined) {
        s.sessions.set(session.key, {
          raftIndex: e.index,
          result: JSON.stringify({ ...result, entry: { index: e.index, term: e.term } }),
          fingerprint: session.fingerprint ?? '',
        });
      }
    }
    if (changed) {
      this.recent.push({ at: this.clock.now(), before });
      this.commit();
    }
    return results;
  }
}
