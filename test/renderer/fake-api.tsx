/**
 * A RaftboardApi held in memory for the renderer tests: a tiny "cluster" with a log index,
 * Idempotency-Key sessions (a retried key gets the first answer, applied once), If-Match, and
 * knobs to hold writes (to see "pending") or fail them (503 no quorum, 409, 400).
 * (A .tsx file so the root tsconfig, which compiles test/**\/*.ts for Node, leaves it alone.)
 */
import type {
  ActionResult,
  ClusterChecksums,
  ClusterNode,
  ClusterStatus,
} from '../../cluster/api/control.js';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import type {
  EventHandlers,
  ImportBody,
  ListOptions,
  RaftboardApi,
  WriteOptions,
} from '../../renderer/src/api/types.js';
import type {
  HistoryCheckResult,
  HistoryRecordBody,
  HistoryRecording,
} from '../../cluster/api/history.js';
import type {
  ExportDocument,
  ImportResponse,
  ProjectListResponse,
  ProjectWriteResponse,
  TagListResponse,
  TaskListResponse,
  WriteResponse,
} from '../../cluster/api/node.js';
import type { Project, ProjectFields, Task, TaskInput, TaskPatch } from '../../cluster/api/task.js';

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

export function noQuorum(): ApiRequestError {
  return new ApiRequestError(
    503,
    'no_leader',
    'no quorum answered in time: the write may or may not have been applied; retry with the same Idempotency-Key',
    undefined,
    1000,
  );
}

export function makeTask(n: number, over: Partial<Task> = {}): Task {
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60, n)).toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    title: `Task ${n}`,
    description: '',
    status: 'todo',
    priority: 'medium',
    dueDate: null,
    dueTime: null,
    projectId: null,
    tags: [],
    parentId: null,
    recurrence: null,
    position: n,
    completedAt: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
    raftIndex: n,
    ...over,
  };
}

export function makeProject(n: number, over: Partial<Project> = {}): Project {
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60, n)).toISOString();
  return {
    id: `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    name: `Project ${n}`,
    color: null,
    position: n,
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

/** YYYY-MM-DD plus `days`. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The node's list filters, in memory (docs/contract.md §4, GET /tasks). */
export function matchesList(t: Task, o: ListOptions = {}, today: string): boolean {
  if (o.status !== undefined && t.status !== o.status) return false;
  if (o.q !== undefined && o.q !== '') {
    const q = o.q.toLowerCase();
    if (!t.title.toLowerCase().includes(q) && !t.description.toLowerCase().includes(q))
      return false;
  }
  if (o.projectId !== undefined && t.projectId !== (o.projectId === 'none' ? null : o.projectId))
    return false;
  if (o.parentId !== undefined && t.parentId !== (o.parentId === 'none' ? null : o.parentId))
    return false;
  const mine = t.tags.map((x) => x.toLowerCase());
  if (o.tags !== undefined && !o.tags.every((x) => mine.includes(x.toLowerCase()))) return false;
  switch (o.due) {
    case undefined:
      return true;
    case 'none':
      return t.dueDate === null;
    case 'overdue':
      return t.dueDate !== null && t.dueDate < today && t.status !== 'done';
    case 'today':
      return t.dueDate === today;
    case 'upcoming':
      return t.dueDate !== null && t.dueDate > today && t.dueDate <= addDays(today, 7);
  }
}

export function makeNode(id: number, over: Partial<ClusterNode> = {}): ClusterNode {
  return {
    id,
    role: id === 1 ? 'leader' : 'follower',
    status: 'running',
    term: 3,
    votedFor: 1,
    commitIndex: 40,
    appliedIndex: 40,
    lastLogIndex: 42,
    snapshotIndex: 10,
    logTerms: [
      { term: 2, from: 11, to: 30 },
      { term: 3, from: 31, to: 42 },
    ],
    clientUrl: `http://127.0.0.1:${7100 + id}`,
    mysql: { mode: 'managed', status: 'up', server: 'running' },
    leaderId: 1,
    voters: [1, 2, 3],
    learners: [],
    electionElapsed: 0,
    electionTimeout: 10,
    tickMs: 100,
    pid: 1000 + id,
    exit: null,
    lastLines: [],
    reportedAt: null,
    ...over,
  };
}

export function makeCluster(over: Partial<ClusterStatus> = {}): ClusterStatus {
  return {
    leaderId: 1,
    term: 3,
    nodes: [makeNode(1), makeNode(2), makeNode(3)],
    network: { partitions: [], links: [] },
    slow: 1,
    mysqlMode: 'managed',
    ...over,
  };
}

export class FakeApi implements RaftboardApi {
  readonly calls: Call[] = [];
  readonly tasks = new Map<string, Task>();
  readonly projects = new Map<string, Project>();
  /** What `due` filters compare with (the node computes it in the asked zone). */
  today = new Date().toISOString().slice(0, 10);
  /** Whether listTasks applies its filters (status, q, projectId, tags, parentId, due). */
  filterLists = true;
  /** What exportCsv answers. */
  csv = 'id,title\n';
  index = 100;
  term = 3;
  cluster: ClusterStatus = makeCluster();
  /** Errors the next writes throw, first one first (before anything is applied). */
  readonly writeFailures: ApiRequestError[] = [];
  /** While set, writes wait until release() is called. */
  holding = false;
  private held: (() => void)[] = [];
  private readonly sessions = new Map<string, unknown>();
  private nextId = 1;
  eventHandlers: EventHandlers | null = null;

  constructor(tasks: readonly Task[] = [], projects: readonly Project[] = []) {
    for (const t of tasks) this.tasks.set(t.id, t);
    for (const p of projects) this.projects.set(p.id, p);
  }

  /** Lets every held write go on. */
  release(): void {
    const waiting = this.held;
    this.held = [];
    for (const go of waiting) go();
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async write<R extends object>(
    method: string,
    args: readonly unknown[],
    o: WriteOptions,
    apply: () => R,
  ): Promise<R & { raftIndex: number; term: number; servedBy: number }> {
    this.calls.push({ method, args: [...args, o] });
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    const failure = this.writeFailures.shift();
    if (failure !== undefined) throw failure;
    const seen = this.sessions.get(o.idempotencyKey);
    if (seen !== undefined)
      return seen as R & { raftIndex: number; term: number; servedBy: number };
    const body = apply();
    const res = { ...body, raftIndex: ++this.index, term: this.term, servedBy: 1 };
    this.sessions.set(o.idempotencyKey, res);
    return res;
  }

  private existingProject(id: string, o: WriteOptions): Project {
    const p = this.projects.get(id);
    if (p === undefined) throw new ApiRequestError(404, 'not_found', `no project with id ${id}`);
    if (o.ifMatch !== undefined && o.ifMatch !== p.version) {
      throw new ApiRequestError(409, 'version_conflict', `project is at version ${p.version}`);
    }
    return p;
  }

  private checkName(name: string, except?: string): void {
    const clash = [...this.projects.values()].find(
      (p) => p.id !== except && p.name.toLowerCase() === name.trim().toLowerCase(),
    );
    if (clash !== undefined) {
      throw new ApiRequestError(400, 'invalid_input', 'a project with that name exists', {
        name: 'a project with that name exists',
      });
    }
  }

  /** The task and its subtasks at any depth. */
  private withSubtasks(id: string): string[] {
    const out = [id];
    for (let i = 0; i < out.length; i++) {
      for (const t of this.tasks.values()) if (t.parentId === out[i]) out.push(t.id);
    }
    return out;
  }

  private existing(id: string, o: WriteOptions): Task {
    const t = this.tasks.get(id);
    if (t === undefined) throw new ApiRequestError(404, 'not_found', `no task with id ${id}`);
    if (o.ifMatch !== undefined && o.ifMatch !== t.version) {
      throw new ApiRequestError(409, 'version_conflict', `task is at version ${t.version}`);
    }
    return t;
  }

  listTasks(options?: ListOptions): Promise<TaskListResponse> {
    this.calls.push({ method: 'listTasks', args: [options] });
    return Promise.resolve({
      tasks: [...this.tasks.values()].filter(
        (t) => !this.filterLists || matchesList(t, options, this.today),
      ),
      consistency: options?.consistency ?? 'linearizable',
      servedBy: 1,
      appliedIndex: this.index,
      commitIndex: this.index,
    });
  }

  createTask(input: TaskInput, o: WriteOptions): Promise<WriteResponse> {
    return this.write('createTask', [input], o, () => {
      const at = new Date().toISOString();
      const task: Task = {
        id: `10000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`,
        title: input.title.trim(),
        description: input.description ?? '',
        status: input.status ?? 'todo',
        priority: input.priority ?? 'medium',
        dueDate: input.dueDate ?? null,
        dueTime: input.dueTime ?? null,
        projectId: input.projectId ?? null,
        tags: input.tags ?? [],
        parentId: input.parentId ?? null,
        recurrence: input.recurrence ?? null,
        position: input.position ?? Date.parse(at),
        completedAt: input.status === 'done' ? at : null,
        createdAt: at,
        updatedAt: at,
        version: 1,
        raftIndex: this.index + 1,
      };
      this.tasks.set(task.id, task);
      return { task };
    });
  }

  updateTask(id: string, patch: TaskPatch, o: WriteOptions): Promise<WriteResponse> {
    return this.write('updateTask', [id, patch], o, () => {
      const t = this.existing(id, o);
      const at = new Date().toISOString();
      const completing = patch.status === 'done' && t.status !== 'done';
      const completedAt =
        patch.status === undefined
          ? t.completedAt
          : patch.status === 'done'
            ? (t.completedAt ?? at)
            : null;
      const task: Task = {
        ...t,
        ...patch,
        completedAt,
        updatedAt: at,
        version: t.version + 1,
        raftIndex: this.index + 1,
      };
      // A recurring task completed: the next occurrence, a week on (the fake does not read rrules).
      // As on the nodes, the rule moves to the next occurrence.
      if (completing && task.recurrence !== null && task.dueDate !== null) {
        this.tasks.set(id, { ...task, recurrence: null });
        const next: Task = {
          ...task,
          id: `30000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`,
          status: 'todo',
          dueDate: addDays(task.dueDate, 7),
          completedAt: null,
          createdAt: at,
          version: 1,
        };
        this.tasks.set(next.id, next);
        return { task: { ...task, recurrence: null }, next };
      }
      this.tasks.set(id, task);
      return { task };
    });
  }

  deleteTask(id: string, o: WriteOptions): Promise<WriteResponse> {
    return this.write('deleteTask', [id], o, () => {
      this.existing(id, o);
      const deletedIds = this.withSubtasks(id);
      for (const d of deletedIds) this.tasks.delete(d);
      return { task: null, deletedIds };
    });
  }

  listProjects(): Promise<ProjectListResponse> {
    this.calls.push({ method: 'listProjects', args: [] });
    const projects = [...this.projects.values()].sort(
      (a, b) => a.position - b.position || a.name.localeCompare(b.name),
    );
    return Promise.resolve({
      projects,
      consistency: 'linearizable',
      servedBy: 1,
      appliedIndex: this.index,
      commitIndex: this.index,
    });
  }

  createProject(
    input: Pick<ProjectFields, 'name'> & Partial<ProjectFields>,
    o: WriteOptions,
  ): Promise<ProjectWriteResponse> {
    return this.write('createProject', [input], o, () => {
      this.checkName(input.name);
      const at = new Date().toISOString();
      const project: Project = {
        id: `20000000-0000-4000-9000-${String(this.nextId++).padStart(12, '0')}`,
        name: input.name.trim(),
        color: input.color ?? null,
        position: input.position ?? Date.parse(at),
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      this.projects.set(project.id, project);
      return { project };
    });
  }

  updateProject(
    id: string,
    patch: Partial<ProjectFields>,
    o: WriteOptions,
  ): Promise<ProjectWriteResponse> {
    return this.write('updateProject', [id, patch], o, () => {
      const p = this.existingProject(id, o);
      if (patch.name !== undefined) this.checkName(patch.name, id);
      const project: Project = {
        ...p,
        ...patch,
        version: p.version + 1,
        updatedAt: new Date().toISOString(),
      };
      this.projects.set(id, project);
      return { project };
    });
  }

  deleteProject(
    id: string,
    tasks: 'keep' | 'delete',
    o: WriteOptions,
  ): Promise<ProjectWriteResponse> {
    return this.write('deleteProject', [id, tasks], o, () => {
      this.existingProject(id, o);
      this.projects.delete(id);
      const mine = [...this.tasks.values()].filter((t) => t.projectId === id);
      const deletedIds: string[] = [];
      const movedIds: string[] = [];
      if (tasks === 'delete') {
        for (const t of mine) {
          for (const d of this.withSubtasks(t.id)) {
            if (this.tasks.delete(d)) deletedIds.push(d);
          }
        }
      } else {
        for (const t of mine) {
          this.tasks.set(t.id, { ...t, projectId: null, version: t.version + 1 });
          movedIds.push(t.id);
        }
      }
      return { project: null, deletedIds, movedIds };
    });
  }

  listTags(): Promise<TagListResponse> {
    this.calls.push({ method: 'listTags', args: [] });
    const counts = new Map<string, { name: string; count: number }>();
    for (const t of this.tasks.values()) {
      for (const tag of t.tags) {
        const k = tag.toLowerCase();
        const c = counts.get(k) ?? { name: tag, count: 0 };
        counts.set(k, { ...c, count: c.count + 1 });
      }
    }
    return Promise.resolve({
      tags: [...counts.values()].sort((a, b) =>
        a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
      ),
      consistency: 'linearizable',
      servedBy: 1,
      appliedIndex: this.index,
      commitIndex: this.index,
    });
  }

  exportData(): Promise<ExportDocument> {
    this.calls.push({ method: 'exportData', args: [] });
    return Promise.resolve({
      format: 'raftboard/1',
      exportedAt: new Date().toISOString(),
      projects: [...this.projects.values()],
      tasks: [...this.tasks.values()],
    });
  }

  exportCsv(): Promise<string> {
    this.calls.push({ method: 'exportCsv', args: [] });
    return Promise.resolve(this.csv);
  }

  /** A Raftboard document's rows are added (present ids skipped); a CSV adds one task a line. */
  importData(body: ImportBody, o: WriteOptions): Promise<ImportResponse> {
    return this.write('importData', [body], o, () => {
      let projects = 0;
      let tasks = 0;
      let skipped = 0;
      const taskIds: string[] = [];
      const projectIds: string[] = [];
      if (body.kind === 'json') {
        const doc = body.document as Partial<ExportDocument>;
        for (const p of doc.projects ?? []) {
          if (this.projects.has(p.id)) skipped++;
          else {
            this.projects.set(p.id, p);
            projects++;
            projectIds.push(p.id);
          }
        }
        for (const t of doc.tasks ?? []) {
          if (this.tasks.has(t.id)) skipped++;
          else {
            this.tasks.set(t.id, { ...t, raftIndex: this.index + 1 });
            tasks++;
            taskIds.push(t.id);
          }
        }
      } else {
        for (const line of body.text.split(/\r?\n/).slice(1)) {
          if (line.trim() === '') continue;
          const task = makeTask(this.nextId++, { title: line.split(',')[1] ?? line });
          this.tasks.set(task.id, task);
          tasks++;
          taskIds.push(task.id);
        }
      }
      return { projects, tasks, skipped, taskIds, projectIds };
    });
  }

  getCluster(): Promise<ClusterStatus> {
    this.calls.push({ method: 'getCluster', args: [] });
    return Promise.resolve(this.cluster);
  }

  private action(method: string, args: readonly unknown[], message: string): Promise<ActionResult> {
    this.calls.push({ method, args });
    return Promise.resolve({ ok: true, action: method, message });
  }

  nodeAction(id: number, action: string): Promise<ActionResult> {
    return this.action('nodeAction', [id, action], `node ${id}: ${action} done`);
  }
  mysqlAction(id: number, action: string): Promise<ActionResult> {
    return this.action('mysqlAction', [id, action], `node ${id}: MySQL ${action} done`);
  }
  addNode(): Promise<ActionResult & { nodeId: number }> {
    this.calls.push({ method: 'addNode', args: [] });
    return Promise.resolve({ ok: true, action: 'add-node', nodeId: 4, message: 'added' });
  }
  removeNode(id: number): Promise<ActionResult> {
    return this.action('removeNode', [id], 'removed');
  }
  setNetwork(body: unknown): Promise<ActionResult> {
    return this.action('setNetwork', [body], 'network set');
  }
  healNetwork(): Promise<ActionResult> {
    return this.action('healNetwork', [], 'network healed');
  }
  setSlow(factor: number): Promise<ActionResult> {
    return this.action('setSlow', [factor], 'slow set');
  }
  /** What getChecksums answers (every replica agreeing at index 40 by default). */
  checksums: ClusterChecksums = {
    replicas: [1, 2, 3].map((nodeId) => ({ nodeId, appliedIndex: 40, checksum: 'c0ffee01' })),
    diverged: [],
  };
  getChecksums(): Promise<ClusterChecksums> {
    this.calls.push({ method: 'getChecksums', args: [] });
    return Promise.resolve(this.checksums);
  }

  /** The recorder's state, and what the next check answers (or throws). */
  history: HistoryRecording = { recording: false, startedAt: null, operations: 0, clients: 0 };
  checkResult: HistoryCheckResult | ApiRequestError = {
    verdict: 'linearizable',
    summary: '0 operations on 0 tasks are linearizable (checked in 0 ms)',
    operations: 0,
    tasks: 0,
    checkMs: 0,
    startedAt: null,
  };

  getHistory(): Promise<HistoryRecording> {
    this.calls.push({ method: 'getHistory', args: [] });
    return Promise.resolve(this.history);
  }
  recordHistory(body: HistoryRecordBody): Promise<HistoryRecording> {
    this.calls.push({ method: 'recordHistory', args: [body] });
    this.history = body.record
      ? {
          recording: true,
          startedAt: new Date().toISOString(),
          operations: 0,
          clients: body.clients ?? 0,
        }
      : { ...this.history, recording: false, clients: 0 };
    return Promise.resolve(this.history);
  }
  checkHistory(): Promise<HistoryCheckResult> {
    this.calls.push({ method: 'checkHistory', args: [] });
    const r = this.checkResult;
    return r instanceof ApiRequestError ? Promise.reject(r) : Promise.resolve(r);
  }

  subscribeEvents(handlers: EventHandlers): () => void {
    this.eventHandlers = handlers;
    handlers.onConnection?.('open');
    return () => {
      this.eventHandlers = null;
    };
  }
}
