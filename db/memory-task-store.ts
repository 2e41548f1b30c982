/**
 * A task store in memory: the simulator's stand-in for `TaskStateMachine` (MySQL). Batches go
 * through the same `planBatch` (apply-plan.ts), snapshots use the same document
 * (snapshot-format.ts) and the checksum the same lines, so for the same entries it gives the
 * same answers, snapshots and checksums as MySQL (test/db/memory-equivalence.test.ts). Every
 * call runs to completion synchronously inside its promise: calls never interleave.
 */
import type { CommandResult, Project, Task } from '../cluster/api/task.js';
import {
  batchReads,
  checkEntries,
  planBatch,
  tagsToRead,
  type BatchReads,
  type Meta,
  type Retention,
} from './apply-plan.js';
import { StateHasher } from './checksum.js';
import { tagKey } from './command.js';
import type { SessionRow } from './apply-plan.js';
import { ClusterIdentityError, StateMachineError } from './errors.js';
import { checkListQuery } from './list-query.js';
import type { NodeIdentity, VerifyApplied } from './identity.js';
import type { ClientSessionAttributes } from './models/client-session.js';
import { SESSION_RETENTION_ENTRIES, SESSION_RETENTION_MS } from './session-retention.js';
import { readSnapshotFile, writeSnapshotFile, type SnapshotFileInfo } from './snapshot-file.js';
import {
  GUID,
  SNAPSHOT_FORMAT,
  parseSnapshot,
  type SnapshotBody,
  type SnapshotSession,
} from './snapshot-format.js';
import type { SnapshotHeader } from './snapshot-v4.js';
import { addDays } from './sql/statements.js';
import {
  binaryCompare,
  canonicalProject,
  canonicalTask,
  emptyView,
  projectOrder,
  taskOrder,
  toProject,
  type ProjectRow,
  type StateView,
} from './state-view.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from './statemachine.js';
import { likeLower } from './like-lower.js';
import type { Decided, OpenTaskStore, TaskStore } from './task-store.js';
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
  private projects = new Map<string, ProjectRow>();
  /** The tags table (key: tagKey) and how many tasks carry each (task_tags). */
  private tags = new Map<string, string>();
  private tagUses = new Map<string, number>();
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

  async applyBatch(
    entries: readonly ApplyEntry[],
    decided?: Decided,
  ): Promise<(CommandResult | null)[]> {
    checkEntries(entries);
    if (entries.length === 0) return [];
    this.open();
    const reads = batchReads(entries);
    const view = this.read(reads);
    const sessions = new Map<string, SessionRow>();
    for (const key of reads.sessionKeys) {
      const row = this.sessions.get(key);
      if (row !== undefined) sessions.set(key, { ...row });
    }
    const { results, writes } = planBatch(
      entries,
      reads,
      this.meta,
      view,
      sessions,
      this.retention,
      this.log,
    );
    // The answers before the writes (the hook may crash the caller there: not applied).
    if (decided !== undefined) await decided(results);
    if (writes === null) return results;
    // The transaction's statements, in their order (statemachine.ts applyInTransaction).
    for (const project of writes.projectUpserts) {
      this.projects.set(project.id, canonicalProject(project));
    }
    for (const tag of writes.tagUpserts) this.tags.set(tag.id, tag.name);
    for (const task of writes.upserts) this.putTask(canonicalTask(task));
    for (const level of writes.deletes) for (const id of level) this.deleteTask(id);
    for (const id of writes.projectDeletes) {
      this.projects.delete(id);
      for (const task of this.tasks.values()) {
        // ON DELETE SET NULL (the plan has moved them already: a safety net, as in MySQL).
        if (task.projectId === id) this.tasks.set(task.id, { ...task, projectId: null });
      }
    }
    for (const id of writes.tagDeletes) this.tags.delete(id);
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
      projects: this.sortedProjects(),
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
    this.replaceState(body);
  }

  /** The same file, byte for byte, as TaskStateMachine.snapshotToFile (snapshot-file.ts). */
  async snapshotToFile(file: string): Promise<SnapshotFileInfo> {
    this.open();
    const { index, term, sessionClock } = this.meta;
    return writeSnapshotFile(
      file,
      { index, term, sessionClock },
      {
        projects: this.sortedProjects(),
        tasks: this.sortedTasks(),
        sessions: [...this.sessions.values()].sort((a, b) => byKey(a.key, b.key)),
      },
    );
  }

  /** As TaskStateMachine.restoreFromFile: nothing changes unless the whole file checks out. */
  async restoreFromFile(index: number, term: number, file: string): Promise<void> {
    this.open();
    let header: SnapshotHeader | undefined;
    const projects: ProjectRow[] = [];
    const tasks: Task[] = [];
    const sessions: SnapshotSession[] = [];
    for await (const page of readSnapshotFile(file, 1_000)) {
      if (page.kind === 'header') header = page.header;
      else if (page.kind === 'projects') projects.push(...page.items);
      else if (page.kind === 'tasks') tasks.push(...page.items);
      else sessions.push(...page.items);
    }
    if (header === undefined) throw new StateMachineError('snapshot has no header');
    if (header.index !== index || header.term !== term) {
      throw new StateMachineError(
        `snapshot is at ${header.index}/${header.term}, not the ${index}/${term} ` +
          'it was restored as',
      );
    }
    const { sessionClock } = header;
    this.replaceState({
      format: SNAPSHOT_FORMAT,
      index,
      term,
      sessionClock,
      projects,
      tasks,
      sessions,
    });
  }

  private replaceState(body: SnapshotBody): void {
    const { index, term } = body;
    this.projects = new Map(body.projects.map((p) => [p.id, canonicalProject(p)]));
    this.tasks = new Map();
    this.tags = new Map();
    this.tagUses = new Map();
    for (const task of body.tasks) {
      for (const tag of task.tags) if (!this.tags.has(tagKey(tag))) this.tags.set(tagKey(tag), tag);
      this.putTask(canonicalTask(task));
    }
    this.sessions = new Map(body.sessions.map((s) => [s.key, { ...s }]));
    this.meta = { index, term, sessionClock: body.sessionClock };
    this.log(
      `database ${this.database}: restored snapshot at ${index}/${term} ` +
        `(${body.projects.length} projects, ${body.tasks.length} tasks, ` +
        `${body.sessions.length} sessions)`,
    );
  }

  /** The same filters and order as the SQL (sql/statements.ts listTasks). */
  async list(query: ListQuery): Promise<Task[]> {
    const { limit, offset } = query;
    checkListQuery(query);
    this.open();
    const q = query.q === undefined || query.q === '' ? undefined : likeLower(query.q);
    const tags = [...new Set((query.tags ?? []).map(tagKey))];
    const due = query.due;
    const week = due === undefined ? '' : addDays(due.today, 7);
    return [...this.tasks.values()]
      .filter((t) => query.status === undefined || t.status === query.status)
      .filter(
        (t) =>
          query.projectId === undefined ||
          t.projectId === (query.projectId === 'none' ? null : query.projectId),
      )
      .filter(
        (t) =>
          query.parentId === undefined ||
          t.parentId === (query.parentId === 'none' ? null : query.parentId),
      )
      .filter((t) => tags.every((tag) => t.tags.some((name) => tagKey(name) === tag)))
      .filter((t) => {
        if (due === undefined) return true;
        const d = t.dueDate;
        switch (due.kind) {
          case 'overdue':
            return d !== null && d < due.today && t.status !== 'done';
          case 'today':
            return d === due.today;
          case 'upcoming':
            return d !== null && d > due.today && d <= week;
          case 'none':
            return d === null;
        }
      })
      .filter(
        (t) =>
          q === undefined || likeLower(t.title).includes(q) || likeLower(t.description).includes(q),
      )
      .sort(taskOrder)
      .slice(offset, offset + limit)
      .map(canonicalTask);
  }

  async get(id: string): Promise<Task | null> {
    if (!GUID.test(id)) return null;
    this.open();
    const task = this.tasks.get(id);
    return task === undefined ? null : canonicalTask(task);
  }

  async listProjects(): Promise<Project[]> {
    this.open();
    return [...this.projects.values()].sort(projectOrder).map(toProject);
  }

  async getProject(id: string): Promise<Project | null> {
    if (!GUID.test(id)) return null;
    this.open();
    const project = this.projects.get(id);
    return project === undefined ? null : toProject(project);
  }

  async listTags(): Promise<{ name: string; count: number }[]> {
    this.open();
    return [...this.tags.entries()]
      .map(([id, name]) => ({ id, name, count: this.tagUses.get(id) ?? 0 }))
      .filter((t) => t.count > 0)
      .sort((a, b) => binaryCompare(a.id, b.id))
      .map(({ name, count }) => ({ name, count }));
  }

  async checksum(): Promise<StateChecksum> {
    this.open();
    const hash = new StateHasher();
    for (const task of this.sortedTasks()) hash.task(task);
    for (const project of this.sortedProjects()) hash.project(project);
    return { appliedIndex: this.meta.index, checksum: hash.digest() };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * What the MySQL state machine reads before a batch (statemachine.ts applyInTransaction),
   * the same sets, so both plan from the same view.
   */
  private read(reads: BatchReads): StateView {
    const view = emptyView();
    const add = (task: Task): void => {
      view.tasks.set(task.id, canonicalTask(task));
    };
    for (const id of reads.taskIds) {
      const seen = new Set<string>();
      let task = this.tasks.get(id);
      while (task !== undefined && !seen.has(task.id)) {
        seen.add(task.id);
        add(task);
        task = task.parentId === null ? undefined : this.tasks.get(task.parentId);
      }
    }
    if (reads.subtreeRoots.length > 0 || reads.subtreeProjects.length > 0) {
      const projects = new Set(reads.subtreeProjects);
      const children = new Map<string, Task[]>();
      const queue: Task[] = [];
      for (const task of this.tasks.values()) {
        if (task.parentId !== null) {
          const list = children.get(task.parentId) ?? [];
          list.push(task);
          children.set(task.parentId, list);
        }
        if (task.projectId !== null && projects.has(task.projectId)) queue.push(task);
      }
      for (const id of reads.subtreeRoots) {
        const task = this.tasks.get(id);
        if (task !== undefined) queue.push(task);
      }
      const seen = new Set<string>();
      while (queue.length > 0) {
        const task = queue.pop()!;
        if (seen.has(task.id)) continue;
        seen.add(task.id);
        add(task);
        queue.push(...(children.get(task.id) ?? []));
      }
    }
    for (const id of reads.projectIds) {
      const project = this.projects.get(id);
      if (project !== undefined) view.projects.set(id, canonicalProject(project));
    }
    if (reads.projectNameKeys.length > 0) {
      const keys = new Set(reads.projectNameKeys);
      for (const project of this.projects.values()) {
        if (keys.has(tagKey(project.name)))
          view.projects.set(project.id, canonicalProject(project));
      }
    }
    const live = [...view.tasks.values()].filter((t): t is Task => t !== null);
    for (const key of tagsToRead(reads, live)) {
      const name = this.tags.get(key);
      if (name !== undefined) view.tags.set(key, { name, uses: this.tagUses.get(key) ?? 0 });
    }
    return view;
  }

  private putTask(task: Task): void {
    const before = this.tasks.get(task.id);
    if (before !== undefined) this.countTags(before.tags, -1);
    this.countTags(task.tags, 1);
    this.tasks.set(task.id, task);
  }

  private deleteTask(id: string): void {
    const before = this.tasks.get(id);
    if (before === undefined) return;
    this.countTags(before.tags, -1);
    this.tasks.delete(id);
  }

  private countTags(tags: readonly string[], delta: number): void {
    for (const tag of tags) {
      const key = tagKey(tag);
      const uses = (this.tagUses.get(key) ?? 0) + delta;
      if (uses === 0) this.tagUses.delete(key);
      else this.tagUses.set(key, uses);
    }
  }

  private sortedTasks(): Task[] {
    return [...this.tasks.values()].sort((a, b) => byKey(a.id, b.id)).map(canonicalTask);
  }

  private sortedProjects(): ProjectRow[] {
    return [...this.projects.values()].sort((a, b) => byKey(a.id, b.id)).map(canonicalProject);
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
