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
  ListOptions,
  RaftboardApi,
  WriteOptions,
} from '../../renderer/src/api/types.js';
import type {
  HistoryCheckResult,
  HistoryRecordBody,
  HistoryRecording,
} from '../../cluster/api/history.js';
import type { TaskListResponse, WriteResponse } from '../../cluster/api/node.js';
import type { Task, TaskInput, TaskPatch } from '../../cluster/api/task.js';

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
    createdAt: at,
    updatedAt: at,
    version: 1,
    raftIndex: n,
    ...over,
  };
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
  index = 100;
  term = 3;
  cluster: ClusterStatus = makeCluster();
  /** Errors the next writes throw, first one first (before anything is applied). */
  readonly writeFailures: ApiRequestError[] = [];
  /** While set, writes wait until release() is called. */
  holding = false;
  private held: (() => void)[] = [];
  private readonly sessions = new Map<string, WriteResponse>();
  private nextId = 1;
  eventHandlers: EventHandlers | null = null;

  constructor(tasks: readonly Task[] = []) {
    for (const t of tasks) this.tasks.set(t.id, t);
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

  private async write(
    method: string,
    args: readonly unknown[],
    o: WriteOptions,
    apply: () => { task: Task | null },
  ): Promise<WriteResponse> {
    this.calls.push({ method, args: [...args, o] });
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    const failure = this.writeFailures.shift();
    if (failure !== undefined) throw failure;
    const seen = this.sessions.get(o.idempotencyKey);
    if (seen !== undefined) return seen;
    const { task } = apply();
    const res: WriteResponse = { task, raftIndex: ++this.index, term: this.term, servedBy: 1 };
    this.sessions.set(o.idempotencyKey, res);
    return res;
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
      tasks: [...this.tasks.values()],
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
      const task: Task = { ...t, ...patch, version: t.version + 1, raftIndex: this.index + 1 };
      this.tasks.set(id, task);
      return { task };
    });
  }

  deleteTask(id: string, o: WriteOptions): Promise<WriteResponse> {
    return this.write('deleteTask', [id], o, () => {
      this.existing(id, o);
      this.tasks.delete(id);
      return { task: null };
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
