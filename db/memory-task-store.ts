/**
 * A task store in memory: the simulator's stand-in for `TaskStateMachine` (MySQL). Batches go
 * through the same `planBatch` (apply-plan.ts), snapshots use the same document
 * (snapshot-format.ts) and the checksum the same lines, so for the same entries it gives the
 * same answers, snapshots and checksums as MySQL (test/db/memory-equivalence.test.ts). Every
 * call runs to completion synchronously inside its promise: calls never interleave.
 */
import { createHash } from 'node:crypto';
import type { CommandResult, Task } from '../cluster/api/task.js';
import { batchReads, checkEntries, planBatch, type Meta, type Retention } from './apply-plan.js';
import type { SessionRow } from './apply-plan.js';
import { ClusterIdentityError, StateMachineError } from './errors.js';
import { checkListQuery } from './list-query.js';
import type { NodeIdentity, VerifyApplied } from './identity.js';
import type { ClientSessionAttributes } from './models/client-session.js';
import { SESSION_RETENTION_ENTRIES, SESSION_RETENTION_MS } from './session-retention.js';
import {
  GUID,
  SNAPSHOT_FORMAT,
  checksumLine,
  parseSnapshot,
  type SnapshotBody,
} from './snapshot-format.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from './statemachine.js';
import { likeLower } from './like-lower.js';
import type { OpenTaskStore, TaskStore } from './task-store.js';
import { TaskStoreHandle } from './task-store-handle.js';

export interface MemoryTaskStoreOptions {
  /** Named in log lines and identity errors, as MySQL's database name is. Default 'memory'. */
  readonly database?: string;
  readonly sessionRetentionMs?: number;
  readonly sessionRetentionEntries?: number;
  readonly log?: (line: string) => void;
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class MemoryTaskStore implements TaskStore {
  readonly database: string;
  private readonly retention: Retention;
  private readonly log: (line: string) => void;
  private tasks = new Map<string, Task>();
  private sessions = new Map<string, ClientSessionAttributes>();
  private meta: Meta = { index: 0, term: 0, sessionClock: '' };
  private stamp: NodeIdentity | null = null;
  private closed = false;

  constructor(options: MemoryTaskStoreOptions = {}) {
    this.database = options.database ?? 'memory';
    this.retention = {
      ms: options.sessionRetentionMs ?? SESSION_RETENTION_MS,
      entries: options.sessionRetentionEntries ?? SESSION_RETENTION_ENTRIES,
    };
    for (const [name, value] of Object.entries(this.retention)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new StateMachineError(`session retention ${name} must be a positive integer`);
      }
    }
    this.log = options.log ?? (() => undefined);
  }

  /** The cluster and node stamped into this store, or null before the first node opened it. */
  identityStamp(): NodeIdentity | null {
    return this.stamp;
  }

  /** `stampOrCheckIdentity` (identity.ts): check the stamp, `verify`, then stamp if unstamped. */
  stampOrCheckIdentity(
    identity: NodeIdentity,
    log: (line: string) => void,
    verify: VerifyApplied = () => undefined,
  ): void {
    this.open();
    const stamp = this.stamp;
    if (
      stamp !== null &&
      (stamp.clusterId !== identity.clusterId || stamp.nodeId !== identity.nodeId)
    ) {
      throw new ClusterIdentityError(
        `database ${this.database} belongs to cluster ${stamp.clusterId} node ${stamp.nodeId}, ` +
          `but this is cluster ${identity.clusterId} node ${identity.nodeId}: refusing to ` +
          "apply to another node's state. Give this node its own database, or start the " +
          'cluster with --fresh, which empties the databases it is given (their tasks are lost)',
      );
    }
    verify({ index: this.meta.index, term: this.meta.term });
    if (stamp === null) {
      this.stamp = { clusterId: identity.clusterId, nodeId: identity.nodeId };
      const applied = this.meta.index;
      const stamp = `cluster ${identity.clusterId}, node ${identity.nodeId}`;
      log(
        applied === 0
          ? `database ${this.database}: stamped with ${stamp}`
          : `database ${this.database} has no cluster id (made by an older version, applied index ` +
              `${applied}): adopted, stamped with ${stamp}`,
      );
    }
  }

  async appliedIndex(): Promise<AppliedIndex> {
    this.open();
    return { index: this.meta.index, term: this.meta.term };
  }

  async applyBatch(entries: readonly ApplyEntry[]): Promise<(CommandResult | null)[]> {
    checkEntries(entries);
    if (entries.length === 0) return [];
    this.open();
    const reads = batchReads(entries);
    const tasks = new Map<string, Task | null>();
    for (const id of reads.taskIds) {
      const task = this.tasks.get(id);
      if (task !== undefined) tasks.set(id, { ...task });
    }
    const sessions = new Map<string, SessionRow>();
    for (const key of reads.sessionKeys) {
      const row = this.sessions.get(key);
      if (row !== undefined) sessions.set(key, { ...row });
    }
    const { results, writes } = planBatch(
      entries,
      reads,
      this.meta,
      tasks,
      sessions,
      this.retention,
      this.log,
    );
    if (writes === null) return results;
    // The transaction's statements, in their order (statemachine.ts applyInTransaction).
    for (const task of writes.upserts) this.tasks.set(task.id, { ...task });
    for (const id of writes.deletes) this.tasks.delete(id);
    for (const row of writes.newSessions) this.sessions.set(row.key, { ...row });
    const { forgetUpTo, expiredBy } = writes;
    for (const [key, row] of this.sessions) {
      if (
        (forgetUpTo >= 1 && row.raftIndex <= forgetUpTo) ||
        (expiredBy !== null && row.createdAt <= expiredBy)
      ) {
        this.sessions.delete(key);
      }
    }
    this.meta = writes.meta;
    return results;
  }

  async snapshot(): Promise<StateSnapshot> {
    this.open();
    const body: SnapshotBody = {
      format: SNAPSHOT_FORMAT,
      index: this.meta.index,
      term: this.meta.term,
      sessionClock: this.meta.sessionClock,
      tasks: this.sortedTasks(),
      sessions: [...this.sessions.values()]
        .sort((a, b) => byKey(a.key, b.key))
        .map((s) => ({
          key: s.key,
          raftIndex: s.raftIndex,
          createdAt: s.createdAt,
          fingerprint: s.fingerprint,
          result: s.result,
        })),
    };
    // The same text as snapshotJson (snapshot-json.ts), which is JSON.stringify's in slices.
    return { index: this.meta.index, term: this.meta.term, data: JSON.stringify(body) };
  }

  async restore(index: number, term: number, data: string): Promise<void> {
    const body = parseSnapshot(data);
    if (body.index !== index || body.term !== term) {
      throw new StateMachineError(
        `snapshot is at ${body.index}/${body.term}, not the ${index}/${term} it was restored as`,
      );
    }
    this.open();
    this.tasks = new Map(body.tasks.map((t) => [t.id, { ...t }]));
    this.sessions = new Map(body.sessions.map((s) => [s.key, { ...s }]));
    this.meta = { index, term, sessionClock: body.sessionClock };
    this.log(
      `database ${this.database}: restored snapshot at ${index}/${term} ` +
        `(${body.tasks.length} tasks, ${body.sessions.length} sessions)`,
    );
  }

  /** Tasks ordered by (createdAt, id), optionally filtered (the same rules as the SQL). */
  async list(query: ListQuery): Promise<Task[]> {
    const { limit, offset } = query;
    checkListQuery(query);
    this.open();
    const q = query.q === undefined || query.q === '' ? undefined : likeLower(query.q);
    return [...this.tasks.values()]
      .filter((t) => query.status === undefined || t.status === query.status)
      .filter(
        (t) =>
          q === undefined || likeLower(t.title).includes(q) || likeLower(t.description).includes(q),
      )
      .sort((a, b) => byKey(a.createdAt, b.createdAt) || byKey(a.id, b.id))
      .slice(offset, offset + limit)
      .map((t) => ({ ...t }));
  }

  async get(id: string): Promise<Task | null> {
    if (!GUID.test(id)) return null;
    this.open();
    const task = this.tasks.get(id);
    return task === undefined ? null : { ...task };
  }

  async checksum(): Promise<StateChecksum> {
    this.open();
    const hash = createHash('sha256');
    for (const task of this.sortedTasks()) hash.update(checksumLine(task), 'utf8');
    return { appliedIndex: this.meta.index, checksum: hash.digest('hex') };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private sortedTasks(): Task[] {
    return [...this.tasks.values()].sort((a, b) => byKey(a.id, b.id)).map((t) => ({ ...t }));
  }

  private open(): void {
    if (this.closed) throw new StateMachineError('the state machine is closed');
  }
}

/**
 * Opens `store` as a node opens its MySQL database: identity checked or stamped (after
 * `verifyApplied`), then a handle whose close() leaves the store (the "server") as it is.
 */
export function openMemoryTaskStore(store: MemoryTaskStore): OpenTaskStore {
  return async (opts) => {
    store.stampOrCheckIdentity(opts.identity, opts.log, opts.verifyApplied);
    return new TaskStoreHandle(store);
  };
}
