/**
 * The node's client API (docs/contract.md §4) on real HTTP servers (startApiServer + createClientRouter),
 * backed by an in-memory fake NodeService that applies commands to a Map. Two or three of them
 * play leader and followers so forwarding runs over real sockets; a bare recording server stands
 * in for a leader where the exact forwarded request matters.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCommand } from '../../db/command.js';
import { MySqlUnavailableError } from '../../db/errors.js';
import type { ListQuery } from '../../db/statemachine.js';
import type {
  ChecksumResponse,
  NodeStatus,
  TaskListResponse,
  TaskResponse,
  WriteResponse,
} from '../../cluster/api/node.js';
import type { CommandResult, Project, Task, TaskCommand } from '../../cluster/api/task.js';
import { startApiServer, type ApiServer } from '../../cluster/http/index.js';
import { createClientRouter, FORWARDED_HEADER } from '../../cluster/node/api/index.js';
import { forwardToLeader, sendRelayed } from '../../cluster/node/api/forward.js';
import {
  NoQuorumError,
  NotLeaderError,
  type CommittedWrite,
  type NodeService,
} from '../../cluster/node/service.js';

const TOKEN = 'client-api-test-token-0123';
const TERM = 4;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Deterministic stand-in for the Raft node: commands apply to a Map at consecutive indexes. */
class FakeNode implements NodeService {
  readonly requestTimeoutMs = 150;
  leader: boolean;
  leaderUrl: string | undefined;
  readonly tasks = new Map<string, Task>();
  readonly projects = new Map<string, Project>();
  readonly sessions = new Map<string, CommandResult>();
  /** Every command proposed to this node, in order. */
  readonly commands: TaskCommand[] = [];
  readonly barriers: ('linearizable' | 'leader')[] = [];
  readonly listQueries: ListQuery[] = [];
  readonly gets: string[] = [];
  readonly waits: number[] = [];
  /** Errors the next calls of each operation throw, in order. */
  readonly failures: Record<'propose' | 'barrier' | 'read' | 'checksum', Error[]> = {
    propose: [],
    barrier: [],
    read: [],
    checksum: [],
  };
  /** Runs at the start of propose (after recording); may change roles or throw. */
  onPropose: ((command: TaskCommand) => void) | undefined;
  /** What waitForLeader finds; default: nothing. */
  onWait: (() => string | undefined) | undefined;
  /** How far the commit index is ahead of the applied index (a lagging replica). */
  commitLead = 0;
  private applied = 0;

  constructor(
    readonly id: number,
    leader: boolean,
  ) {
    this.leader = leader;
  }

  isLeader(): boolean {
    return this.leader;
  }
  leaderClientUrl(): string | undefined {
    return this.leaderUrl;
  }
  async waitForLeader(timeoutMs: number): Promise<string | undefined> {
    this.waits.push(timeoutMs);
    return this.onWait?.();
  }

  async propose(command: TaskCommand): Promise<CommittedWrite> {
    this.commands.push(command);
    this.onPropose?.(command);
    const failure = this.failures.propose.shift();
    if (failure) throw failure;
    if (!this.leader) throw new NotLeaderError(0);
    const index = ++this.applied;
    const key = command.session?.key;
    const first = key === undefined ? undefined : this.sessions.get(key);
    const result = first ?? this.apply(command, index);
    if (key !== undefined && first === undefined) this.sessions.set(key, result);
    return { result, index, term: TERM };
  }

  private apply(c: TaskCommand, index: number): CommandResult {
    if (c.op === 'create') {
      const task: Task = {
        ...c.task,
        completedAt: c.task.status === 'done' ? c.at : null,
        createdAt: c.at,
        updatedAt: c.at,
        version: 1,
        raftIndex: index,
      };
      this.tasks.set(task.id, task);
      return { ok: true, outcome: 'created', task };
    }
    if (c.op === 'project.create') {
      const project: Project = { ...c.project, version: 1, createdAt: c.at, updatedAt: c.at };
      this.projects.set(project.id, project);
      return { ok: true, outcome: 'project_created', project };
    }
    if (c.op === 'project.update' || c.op === 'project.delete') {
      const p = this.projects.get(c.id);
      if (!p) return { ok: false, outcome: 'not_found', message: `no project ${c.id}` };
      if (c.op === 'project.delete') {
        this.projects.delete(c.id);
        return {
          ok: true,
          outcome: 'project_deleted',
          project: null,
          deletedIds: [],
          movedIds: [],
        };
      }
      const project: Project = { ...p, ...c.patch, version: p.version + 1, updatedAt: c.at };
      this.projects.set(project.id, project);
      return { ok: true, outcome: 'project_updated', project };
    }
    if (c.op === 'import') {
      let projects = 0;
      let tasks = 0;
      let skipped = 0;
      const taskIds: string[] = [];
      const projectIds: string[] = [];
      for (const p of c.projects) {
        if (this.projects.has(p.id)) skipped++;
        else {
          this.projects.set(p.id, p);
          projects++;
          projectIds.push(p.id);
        }
      }
      for (const t of c.tasks) {
        if (this.tasks.has(t.id)) skipped++;
        else {
          this.tasks.set(t.id, { ...t, version: 1, raftIndex: index });
          tasks++;
          taskIds.push(t.id);
        }
      }
      return { ok: true, outcome: 'imported', projects, tasks, skipped, taskIds, projectIds };
    }
    const current = this.tasks.get(c.id);
    if (!current) {
      return { ok: false, outcome: 'not_found', message: `no task ${c.id}` };
    }
    if (c.expectedVersion !== undefined && c.expectedVersion !== current.version) {
      return {
        ok: false,
        outcome: 'version_conflict',
        message: `version is ${current.version}, not ${c.expectedVersion}`,
      };
    }
    if (c.op === 'delete') {
      const deletedIds = [c.id];
      for (let i = 0; i < deletedIds.length; i++) {
        for (const t of this.tasks.values())
          if (t.parentId === deletedIds[i]) deletedIds.push(t.id);
      }
      for (const id of deletedIds) this.tasks.delete(id);
      return { ok: true, outcome: 'deleted', task: null, deletedIds };
    }
    const task: Task = {
      ...current,
      ...c.patch,
      updatedAt: c.at,
      version: current.version + 1,
      raftIndex: index,
    };
    this.tasks.set(task.id, task);
    if (c.next !== undefined && c.next.forVersion === current.version) {
      const next: Task = {
        ...current,
        id: c.next.id,
        dueDate: c.next.dueDate,
        status: 'todo',
        completedAt: null,
        createdAt: c.at,
        updatedAt: c.at,
        version: 1,
        raftIndex: index,
      };
      this.tasks.set(next.id, next);
      return { ok: true, outcome: 'updated', task, next };
    }
    return { ok: true, outcome: 'updated', task };
  }

  async readBarrier(mode: 'linearizable' | 'leader'): Promise<void> {
    this.barriers.push(mode);
    const failure = this.failures.barrier.shift();
    if (failure) throw failure;
    if (mode === 'leader' && !this.leader) throw new NotLeaderError(0);
  }

  async listTasks(query: ListQuery): Promise<Task[]> {
    this.listQueries.push(query);
    const failure = this.failures.read.shift();
    if (failure) throw failure;
    return [...this.tasks.values()]
      .filter((t) => query.status === undefined || t.status === query.status)
      .filter((t) => query.q === undefined || t.title.includes(query.q))
      .slice(query.offset, query.offset + query.limit);
  }

  async getTask(id: string): Promise<Task | null> {
    this.gets.push(id);
    const failure = this.failures.read.shift();
    if (failure) throw failure;
    return this.tasks.get(id) ?? null;
  }

  async listProjects(): Promise<Project[]> {
    return [...this.projects.values()];
  }

  async getProject(id: string): Promise<Project | null> {
    return this.projects.get(id) ?? null;
  }

  async listTags(): Promise<{ name: string; count: number }[]> {
    const counts = new Map<string, number>();
    for (const t of this.tasks.values())
      for (const g of t.tags) counts.set(g, (counts.get(g) ?? 0) + 1);
    return [...counts].map(([name, count]) => ({ name, count }));
  }

  async checksum(): Promise<ChecksumResponse> {
    const failure = this.failures.checksum.shift();
    if (failure) throw failure;
    const text = JSON.stringify([...this.tasks.values()]);
    return {
      appliedIndex: this.applied,
      checksum: createHash('sha256').update(text).digest('hex'),
    };
  }

  appliedIndex(): number {
    return this.applied;
  }
  commitIndex(): number {
    return this.applied + this.commitLead;
  }
  status(): NodeStatus {
    return {
      id: this.id,
      role: this.leader ? 'leader' : 'follower',
      term: TERM,
      votedFor: 1,
      leaderId: this.leader ? this.id : 0,
      commitIndex: this.commitIndex(),
      appliedIndex: this.applied,
      lastLogIndex: this.commitIndex(),
      snapshotIndex: 0,
      voters: [1, 2, 3],
      learners: [],
      electionElapsed: 0,
      electionTimeout: 10,
      logTerms: [],
      clientUrl: 'http://127.0.0.1:1',
      mysql: { status: 'up' },
      progress: [],
    };
  }

  /** Nothing reached the Raft log or MySQL. */
  untouched(): boolean {
    return (
      this.commands.length === 0 &&
      this.barriers.length === 0 &&
      this.listQueries.length === 0 &&
      this.gets.length === 0
    );
  }
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // The tests read fields of many shapes; each assertion names what it expects.
  body: Record<string, unknown> & { details?: Record<string, string> };
}

function call(
  target: { port: number },
  method: string,
  path: string,
  opts: { token?: string | null; body?: string; headers?: Record<string, string | string[]> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number | string[]> = {
      host: `127.0.0.1:${target.port}`,
      ...opts.headers,
    };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(opts.body);
    }
    const req = request({ host: '127.0.0.1', port: target.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          body: text ? (JSON.parse(text) as Reply['body']) : {},
        });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const json = (value: unknown): string => JSON.stringify(value);

async function serve(node: FakeNode): Promise<ApiServer> {
  const server = await startApiServer({
    port: 0,
    token: TOKEN,
    router: createClientRouter(node, { token: TOKEN }),
  });
  opened.push(server);
  return server;
}

let opened: ApiServer[] = [];
let leader: FakeNode;
let follower: FakeNode;
let leaderApi: ApiServer;
let followerApi: ApiServer;

beforeEach(async () => {
  opened = [];
  leader = new FakeNode(1, true);
  follower = new FakeNode(2, false);
  leaderApi = await serve(leader);
  followerApi = await serve(follower);
  leader.leaderUrl = leaderApi.url;
  follower.leaderUrl = leaderApi.url;
});

afterEach(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

async function create(
  title: string,
  extra: Record<string, unknown> = {},
  on: ApiServer = leaderApi,
): Promise<Task> {
  const r = await call(on, 'POST', '/tasks', { body: json({ title, ...extra }) });
  expect(r.status).toBe(201);
  return (r.body as unknown as WriteResponse).task as Task;
}

describe('tasks CRUD on the leader', () => {
  it('creates a task with defaults, proposer-chosen id and time, and the write metadata', async () => {
    const before = Date.now();
    const r = await call(leaderApi, 'POST', '/tasks', { body: json({ title: '  Buy milk  ' }) });
    expect(r.status).toBe(201);
    const answer = r.body as unknown as WriteResponse;
    expect(answer.servedBy).toBe(1);
    expect(answer.term).toBe(TERM);
    expect(answer.raftIndex).toBe(1);
    expect(answer.task).toMatchObject({
      title: 'Buy milk',
      description: '',
      status: 'todo',
      priority: 'medium',
      dueDate: null,
      version: 1,
      raftIndex: 1,
    });
    expect(leader.commands).toHaveLength(1);
    const command = leader.commands[0];
    if (command.op !== 'create') throw new Error(`expected a create, got ${command.op}`);
    expect(command.task.id).toMatch(UUID);
    expect(answer.task?.id).toBe(command.task.id);
    expect(command.session).toBeUndefined();
    expect(new Date(command.at).toISOString()).toBe(command.at);
    expect(Date.parse(command.at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(command.at)).toBeLessThanOrEqual(Date.now() + 1);

    const second = await create('Another');
    expect(second.id).not.toBe(command.task.id);
  });

  it('reads one task and the list with the read metadata', async () => {
    const a = await create('alpha', { status: 'done', priority: 'high', dueDate: '2025-03-01' });
    await create('beta');
    leader.commitLead = 3;

    const one = await call(leaderApi, 'GET', `/tasks/${a.id}`);
    expect(one.status).toBe(200);
    const got = one.body as unknown as TaskResponse;
    expect(got.task).toEqual(a);
    expect(got).toMatchObject({
      consistency: 'linearizable',
      servedBy: 1,
      appliedIndex: 2,
      commitIndex: 5,
    });

    const all = await call(leaderApi, 'GET', '/tasks');
    expect(all.status).toBe(200);
    const list = all.body as unknown as TaskListResponse;
    expect(list.tasks.map((t) => t.title)).toEqual(['alpha', 'beta']);
    expect(list).toMatchObject({ consistency: 'linearizable', servedBy: 1, appliedIndex: 2 });

    const filtered = await call(leaderApi, 'GET', '/tasks?status=done&q=alp&limit=5&offset=0');
    expect((filtered.body as unknown as TaskListResponse).tasks.map((t) => t.id)).toEqual([a.id]);
    expect(leader.listQueries.at(-1)).toEqual({ status: 'done', q: 'alp', limit: 5, offset: 0 });
    await call(leaderApi, 'GET', '/tasks?offset=1');
    expect(leader.listQueries.at(-1)).toEqual({
      status: undefined,
      q: undefined,
      limit: 1000,
      offset: 1,
    });
  });

  it('patches only the given fields and deletes', async () => {
    const t = await create('draft', { dueDate: '2025-01-31' });
    const r = await call(leaderApi, 'PATCH', `/tasks/${t.id}`, {
      body: json({ title: ' final ', dueDate: null }),
    });
    expect(r.status).toBe(200);
    const answer = r.body as unknown as WriteResponse;
    expect(answer.task).toMatchObject({ id: t.id, title: 'final', dueDate: null, version: 2 });
    expect(answer.raftIndex).toBe(2);
    const command = leader.commands[1];
    if (command.op !== 'update') throw new Error(`expected an update, got ${command.op}`);
    expect(command.patch).toEqual({ title: 'final', dueDate: null });
    expect(command.expectedVersion).toBeUndefined();

    const d = await call(leaderApi, 'DELETE', `/tasks/${t.id}`);
    expect(d.status).toBe(200);
    expect(d.body).toEqual({
      task: null,
      raftIndex: 3,
      term: TERM,
      servedBy: 1,
      deletedIds: [t.id],
    });
    expect(leader.commands[2]).toMatchObject({ op: 'delete', id: t.id });

    const gone = await call(leaderApi, 'GET', `/tasks/${t.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe('not_found');
  });

  it('answers 404 for an unknown id on read, patch and delete', async () => {
    const id = '0b5f5a8e-2f4c-4c56-9a57-0d1c6e0e9a11';
    expect((await call(leaderApi, 'GET', `/tasks/${id}`)).status).toBe(404);
    const p = await call(leaderApi, 'PATCH', `/tasks/${id}`, { body: json({ status: 'done' }) });
    expect(p.status).toBe(404);
    expect(p.body.error).toBe('not_found');
    const d = await call(leaderApi, 'DELETE', `/tasks/${id}`);
    expect(d.status).toBe(404);
  });

  it('accepts an upper-case id as the same task', async () => {
    const t = await create('case');
    const r = await call(leaderApi, 'GET', `/tasks/${t.id.toUpperCase()}`);
    expect(r.status).toBe(200);
    expect((r.body as unknown as TaskResponse).task.id).toBe(t.id);
  });

  it('round-trips a Unicode title with SQL in it, written through a follower', async () => {
    const title = "Ünïcødé 🚀 ' OR 1=1; --";
    const description = 'ﬁ 𝔘𝔫𝔦 \u0000 "quoted" \\ back\nslash — 中文';
    const created = await create(title, { description }, followerApi);
    expect(created.title).toBe(title);
    expect(created.description).toBe(description);
    const r = await call(followerApi, 'GET', `/tasks/${created.id}?consistency=leader`);
    expect(r.status).toBe(200);
    const task = (r.body as unknown as TaskResponse).task;
    expect(task.title).toBe(title);
    expect(task.description).toBe(description);
    expect(leader.tasks.get(created.id)?.title).toBe(title);
  });

  it('serves status and checksum', async () => {
    await create('x');
    const s = await call(followerApi, 'GET', '/status');
    expect(s.status).toBe(200);
    expect(s.body).toEqual(JSON.parse(json(follower.status())));
    const c = await call(leaderApi, 'GET', '/checksum');
    expect(c.status).toBe(200);
    expect(c.body).toEqual(await leader.checksum());
    expect(c.body.appliedIndex).toBe(1);
  });
});

/** A bare HTTP server standing in for the leader: records what arrives, answers as told. */
async function recorder(answer: {
  status: number;
  body: string;
  headers?: Record<string, string>;
}) {
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('invalid input: 400 with details, nothing proposed or forwarded', () => {
  const id = '0b5f5a8e-2f4c-4c56-9a57-0d1c6e0e9a11';
  const cases: {
    name: string;
    method: string;
    path: string;
    body?: string;
    headers?: Record<string, string | string[]>;
    field: string;
  }[] = [
    {
      name: 'empty title',
      method: 'POST',
      path: '/tasks',
      body: json({ title: '' }),
      field: 'title',
    },
    {
      name: 'blank title',
      method: 'POST',
      path: '/tasks',
      body: json({ title: '   ' }),
      field: 'title',
    },
    {
      name: '256-char title',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'é'.repeat(256) }),
      field: 'title',
    },
    {
      // JSON can carry a lone surrogate; MySQL's utf8mb4 cannot store it, so it must never commit.
      name: 'title with a lone UTF-16 surrogate',
      method: 'POST',
      path: '/tasks',
      body: '{"title":"a\\ud800b"}',
      field: 'title',
    },
    {
      name: 'description with a lone UTF-16 surrogate',
      method: 'POST',
      path: '/tasks',
      body: '{"title":"ok","description":"\\udfff"}',
      field: 'description',
    },
    {
      name: 'title not a string',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 5 }),
      field: 'title',
    },
    { name: 'missing title (empty body)', method: 'POST', path: '/tasks', field: 'title' },
    {
      name: 'bad status',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', status: 'doing' }),
      field: 'status',
    },
    {
      name: 'bad priority',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', priority: 'urgent' }),
      field: 'priority',
    },
    {
      name: 'impossible date',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', dueDate: '2025-02-30' }),
      field: 'dueDate',
    },
    {
      name: 'date not YYYY-MM-DD',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', dueDate: 'tomorrow' }),
      field: 'dueDate',
    },
    {
      name: 'unknown field',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', owner: 'me' }),
      field: 'owner',
    },
    { name: 'JSON array', method: 'POST', path: '/tasks', body: '[1,2]', field: 'body' },
    { name: 'JSON string', method: 'POST', path: '/tasks', body: '"title"', field: 'body' },
    { name: 'JSON null', method: 'POST', path: '/tasks', body: 'null', field: 'body' },
    { name: 'invalid JSON', method: 'POST', path: '/tasks', body: '{"title": ', field: 'body' },
    {
      name: 'If-Match on create',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'if-match': '1' },
      field: 'if-match',
    },
    {
      name: 'query on a write',
      method: 'POST',
      path: '/tasks?title=a',
      body: json({ title: 'a' }),
      field: 'title',
    },
    {
      name: 'Idempotency-Key too long (256)',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': 'k'.repeat(256) },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key too long in the quoted form (256)',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': `"${'k'.repeat(256)}"` },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key with a tab',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': 'a\tb' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key not ASCII',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': 'clé' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key not ASCII in the quoted form',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': '"clé"' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key empty',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': '' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key empty in the quoted form',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': '""' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key with an unterminated quote',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': '"abc' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key with an escape other than \\" or \\\\',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': '"a\\b"' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key with an unescaped quote inside the quotes',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': '"a"b"' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key with sf parameters',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': '"a";p=1' },
      field: 'idempotency-key',
    },
    {
      name: 'Idempotency-Key given twice',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a' }),
      headers: { 'idempotency-key': ['a', 'b'] },
      field: 'idempotency-key',
    },
    {
      name: 'id not a UUID (PATCH)',
      method: 'PATCH',
      path: '/tasks/not-a-uuid',
      body: json({ status: 'done' }),
      field: 'id',
    },
    {
      name: 'nothing to change',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({}),
      field: '_',
    },
    {
      name: 'only expectedVersion',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ expectedVersion: 1 }),
      field: '_',
    },
    {
      name: 'expectedVersion 0',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ status: 'done', expectedVersion: 0 }),
      field: 'expectedVersion',
    },
    {
      name: 'expectedVersion a string',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ status: 'done', expectedVersion: '1' }),
      field: 'expectedVersion',
    },
    {
      name: 'unknown field on patch',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ version: 3 }),
      field: 'version',
    },
    {
      name: 'If-Match not a number',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ status: 'done' }),
      headers: { 'if-match': 'abc' },
      field: 'if-match',
    },
    {
      name: 'If-Match zero',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ status: 'done' }),
      headers: { 'if-match': '"0"' },
      field: 'if-match',
    },
    {
      name: 'If-Match weak ETag',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ status: 'done' }),
      headers: { 'if-match': 'W/"3"' },
      field: 'if-match',
    },
    {
      name: 'If-Match and body disagree',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ status: 'done', expectedVersion: 4 }),
      headers: { 'if-match': '3' },
      field: 'expectedVersion',
    },
    { name: 'id not a UUID (DELETE)', method: 'DELETE', path: '/tasks/123', field: 'id' },
    {
      name: 'unknown field on delete',
      method: 'DELETE',
      path: `/tasks/${id}`,
      body: json({ force: true }),
      field: 'force',
    },
    {
      name: 'If-Match and body disagree on delete',
      method: 'DELETE',
      path: `/tasks/${id}`,
      body: json({ expectedVersion: 2 }),
      headers: { 'if-match': '"1"' },
      field: 'expectedVersion',
    },
    {
      name: 'bad consistency',
      method: 'GET',
      path: '/tasks?consistency=eventual',
      field: 'consistency',
    },
    { name: 'bad status filter', method: 'GET', path: '/tasks?status=doing', field: 'status' },
    { name: 'limit 0', method: 'GET', path: '/tasks?limit=0', field: 'limit' },
    { name: 'limit not a number', method: 'GET', path: '/tasks?limit=ten', field: 'limit' },
    { name: 'negative offset', method: 'GET', path: '/tasks?offset=-1', field: 'offset' },
    { name: 'unknown query parameter', method: 'GET', path: '/tasks?sort=title', field: 'sort' },
    {
      name: 'repeated query parameter',
      method: 'GET',
      path: '/tasks?status=todo&status=done',
      field: 'status',
    },
    { name: 'id not a UUID (GET)', method: 'GET', path: '/tasks/xyz', field: 'id' },
    {
      name: 'bad consistency on one task',
      method: 'GET',
      path: `/tasks/${id}?consistency=strong`,
      field: 'consistency',
    },
    {
      name: 'list parameter on one task',
      method: 'GET',
      path: `/tasks/${id}?limit=1`,
      field: 'limit',
    },
    // Issue 14's fields and filters.
    {
      name: '21 tags',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }),
      field: 'tags',
    },
    {
      name: 'a tag with a space',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', tags: ['ok', 'not ok'] }),
      field: 'tags.1',
    },
    {
      name: 'a tag with a comma',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ tags: ['a,b'] }),
      field: 'tags.0',
    },
    {
      name: 'a 41-char tag',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', tags: ['x'.repeat(41)] }),
      field: 'tags.0',
    },
    {
      name: 'dueTime without dueDate',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', dueTime: '09:30' }),
      field: 'dueTime',
    },
    {
      name: 'dueTime not HH:MM',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', dueDate: '2025-01-01', dueTime: '24:00' }),
      field: 'dueTime',
    },
    {
      name: 'dueTime set while the patch clears dueDate',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ dueDate: null, dueTime: '10:00' }),
      field: 'dueTime',
    },
    {
      name: 'bad rrule',
      method: 'POST',
      path: '/tasks',
      body: json({
        title: 'a',
        dueDate: '2025-01-01',
        recurrence: { rrule: 'FREQ=SOMETIMES', from: 'due' },
      }),
      field: 'recurrence.rrule',
    },
    {
      name: 'hourly rrule',
      method: 'POST',
      path: '/tasks',
      body: json({
        title: 'a',
        dueDate: '2025-01-01',
        recurrence: { rrule: 'FREQ=HOURLY', from: 'due' },
      }),
      field: 'recurrence.rrule',
    },
    {
      name: 'recurrence from neither due nor completion',
      method: 'POST',
      path: '/tasks',
      body: json({
        title: 'a',
        dueDate: '2025-01-01',
        recurrence: { rrule: 'FREQ=DAILY', from: 'start' },
      }),
      field: 'recurrence.from',
    },
    {
      name: 'recurrence without dueDate',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', recurrence: { rrule: 'FREQ=DAILY', from: 'due' } }),
      field: 'recurrence',
    },
    {
      name: 'projectId not a UUID',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', projectId: 'inbox' }),
      field: 'projectId',
    },
    {
      name: 'parentId not a UUID',
      method: 'PATCH',
      path: `/tasks/${id}`,
      body: json({ parentId: 42 }),
      field: 'parentId',
    },
    {
      name: 'position not a number',
      method: 'POST',
      path: '/tasks',
      body: json({ title: 'a', position: 'last' }),
      field: 'position',
    },
    { name: 'bad tz', method: 'GET', path: '/tasks?due=today&tz=Mars/Olympus', field: 'tz' },
    { name: 'bad due filter', method: 'GET', path: '/tasks?due=soon', field: 'due' },
    {
      name: 'bad projectId filter',
      method: 'GET',
      path: '/tasks?projectId=inbox',
      field: 'projectId',
    },
    { name: 'bad tag filter', method: 'GET', path: '/tasks?tag=a%20b', field: 'tag.0' },
    {
      name: 'empty project name',
      method: 'POST',
      path: '/projects',
      body: json({ name: '  ' }),
      field: 'name',
    },
    {
      name: '101-char project name',
      method: 'POST',
      path: '/projects',
      body: json({ name: 'p'.repeat(101) }),
      field: 'name',
    },
    {
      name: 'bad colour',
      method: 'PATCH',
      path: `/projects/${id}`,
      body: json({ color: 'red' }),
      field: 'color',
    },
    {
      name: 'bad tasks= on a project delete',
      method: 'DELETE',
      path: `/projects/${id}?tasks=archive`,
      field: 'tasks',
    },
    { name: 'project id not a UUID', method: 'GET', path: '/projects/inbox', field: 'id' },
    { name: 'bad export format', method: 'GET', path: '/export?format=xml', field: 'format' },
    {
      name: 'import of something else',
      method: 'POST',
      path: '/import',
      body: json({ format: 'trello/2', projects: [], tasks: [] }),
      field: 'format',
    },
  ];

  for (const c of cases) {
    it(`${c.name} (${c.method} ${c.path})`, async () => {
      // The follower's "leader" records anything forwarded: a bad request must be refused
      // where it arrives, not relayed.
      const rec = await recorder({ status: 418, body: '{}' });
      follower.leaderUrl = rec.url;
      try {
        for (const api of [leaderApi, followerApi]) {
          const r = await call(api, c.method, c.path, { body: c.body, headers: c.headers });
          expect(r.status, r.text).toBe(400);
          expect(r.body.error).toBe('invalid_input');
          expect(typeof r.body.message).toBe('string');
          expect(Object.keys(r.body.details ?? {})).toContain(c.field);
        }
      } finally {
        await rec.close();
      }
      expect(rec.seen).toEqual([]);
      expect(leader.untouched()).toBe(true);
      expect(follower.untouched()).toBe(true);
      expect(follower.waits).toEqual([]);
    });
  }

  it('accepts the boundary values the refusals sit next to', async () => {
    const t = await create('🚀'.repeat(255), { dueDate: '2024-02-29' });
    expect([...t.title]).toHaveLength(255);
    const ok = await call(followerApi, 'PATCH', `/tasks/${t.id}`, {
      body: json({ status: 'done', expectedVersion: 1 }),
      headers: { 'if-match': '"1"', 'idempotency-key': '~'.repeat(255) },
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it('accepts 20 tags, a due time with a date, and a rule with its date', async () => {
    const t = await create('full', {
      dueDate: '2025-01-03',
      dueTime: '23:59',
      tags: Array.from({ length: 20 }, (_, i) => `tag-${i}`).concat(['TAG-0']),
      recurrence: { rrule: 'RRULE:FREQ=WEEKLY;BYDAY=FR', from: 'completion' },
      position: -1.5,
    });
    expect(t.tags).toHaveLength(20); // TAG-0 is tag-0 again, ignoring case
    expect(t.recurrence).toEqual({ rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'completion' });
    expect(t.position).toBe(-1.5);
  });

  it('answers 413 for a 2 MiB body, on the leader and on a follower', async () => {
    const big = json({ title: 'x'.repeat(2 * 1024 * 1024) });
    for (const api of [leaderApi, followerApi]) {
      const r = await call(api, 'POST', '/tasks', { body: big });
      expect(r.status).toBe(413);
      expect(r.body.error).toBe('body_too_large');
    }
    expect(leader.untouched()).toBe(true);
    expect(follower.untouched()).toBe(true);
  });

  it('refuses a missing or wrong token with 401 before anything else', async () => {
    for (const api of [leaderApi, followerApi]) {
      const none = await call(api, 'POST', '/tasks', { token: null, body: json({ title: 'a' }) });
      expect(none.status).toBe(401);
      expect(none.body.error).toBe('unauthorized');
      const wrong = await call(api, 'GET', '/tasks', { token: 'not-the-token-at-all' });
      expect(wrong.status).toBe(401);
    }
    expect(leader.untouched()).toBe(true);
    expect(follower.untouched()).toBe(true);
  });
});

describe('Idempotency-Key and If-Match', () => {
  it('carries the Idempotency-Key into the command, through a follower, and a retry gets the first answer', async () => {
    const headers = { 'idempotency-key': 'retry-me-42' };
    const first = await call(followerApi, 'POST', '/tasks', {
      body: json({ title: 'once' }),
      headers,
    });
    const again = await call(followerApi, 'POST', '/tasks', {
      body: json({ title: 'once' }),
      headers,
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect((again.body as unknown as WriteResponse).task).toEqual(
      (first.body as unknown as WriteResponse).task,
    );
    const fingerprint = expect.stringMatching(/^[0-9a-f]{64}$/);
    expect(leader.commands.map((c) => c.session)).toEqual([
      { key: 'retry-me-42', fingerprint },
      { key: 'retry-me-42', fingerprint },
    ]);
    expect(leader.commands[1]!.session).toEqual(leader.commands[0]!.session);
    expect(leader.tasks.size).toBe(1);
    expect(follower.commands).toEqual([]);
  });

  it('accepts keys of 1 to 255 printable characters, bare or as a quoted sf-string', async () => {
    const accepted: [header: string, key: string][] = [
      ['k', 'k'],
      ['~'.repeat(255), '~'.repeat(255)],
      ['my key with spaces', 'my key with spaces'],
      ['"my key with spaces"', 'my key with spaces'],
      ['"k"', 'k'],
      [`"${'q'.repeat(255)}"`, 'q'.repeat(255)],
      ['"say \\"hi\\" \\\\ bye"', 'say "hi" \\ bye'],
      [' "  padded  " ', '  padded  '], // whitespace around the field value is not part of it
      ['a"b\\c', 'a"b\\c'], // bare: taken as it is, quotes and backslashes included
    ];
    for (const [header, key] of accepted) {
      const r = await call(followerApi, 'POST', '/tasks', {
        body: json({ title: 'k' }),
        headers: { 'idempotency-key': header },
      });
      expect(r.status, `${JSON.stringify(header)}: ${r.text}`).toBe(201);
      expect(leader.commands.at(-1)?.session?.key, JSON.stringify(header)).toBe(key);
    }
  });

  it('fingerprints method, target and canonical body, the same on a follower and the leader', async () => {
    const t = await create('target');
    let n = 0;
    async function send(
      api: ApiServer,
      method: string,
      path: string,
      body: string | undefined,
    ): Promise<string> {
      const r = await call(api, method, path, {
        body,
        headers: { 'idempotency-key': `fp-${n++}` },
      });
      expect(r.status, r.text).toBeLessThan(500); // proposed: a 409 still built the command
      const fp = leader.commands.at(-1)?.session?.fingerprint;
      expect(fp).toMatch(/^[0-9a-f]{64}$/);
      return fp!;
    }
    const a = await send(leaderApi, 'PATCH', `/tasks/${t.id}`, '{"title":"x","status":"done"}');
    // Through a follower, with other whitespace and key order, and an upper-case id.
    const b = await send(
      followerApi,
      'PATCH',
      `/tasks/${t.id.toUpperCase()}`,
      '{ "status" : "done",\n "title":"x" }',
    );
    expect(b).toBe(a);
    const others = [
      await send(leaderApi, 'PATCH', `/tasks/${t.id}`, '{"title":"y","status":"done"}'),
      await send(
        leaderApi,
        'PATCH',
        `/tasks/${t.id}`,
        '{"title":"x","status":"done","expectedVersion":3}',
      ),
      await send(leaderApi, 'POST', '/tasks', '{"title":"x","status":"done"}'),
      await send(leaderApi, 'DELETE', `/tasks/${t.id}`, undefined),
    ];
    expect(new Set([a, ...others]).size).toBe(5);
    // An empty DELETE body and `{ }` are the same request.
    const t2 = await create('second');
    const empty = await send(leaderApi, 'DELETE', `/tasks/${t2.id}`, undefined);
    expect(await send(leaderApi, 'DELETE', `/tasks/${t2.id}`, ' { } ')).toBe(empty);
  });

  it('passes a version conflict (409) back, from If-Match (plain or quoted) or the body', async () => {
    const t = await create('versioned');
    for (const api of [leaderApi, followerApi]) {
      const r = await call(api, 'PATCH', `/tasks/${t.id}`, {
        body: json({ status: 'done' }),
        headers: { 'if-match': '"5"' },
      });
      expect(r.status).toBe(409);
      expect(r.body.error).toBe('version_conflict');
      expect(r.body.message).toContain('version is 1');
    }
    expect(leader.commands.at(-1)).toMatchObject({ op: 'update', expectedVersion: 5 });

    const body = await call(followerApi, 'DELETE', `/tasks/${t.id}`, {
      body: json({ expectedVersion: 2 }),
    });
    expect(body.status).toBe(409);

    const ok = await call(followerApi, 'PATCH', `/tasks/${t.id}`, {
      body: json({ status: 'done' }),
      headers: { 'if-match': '1' },
    });
    expect(ok.status).toBe(200);
    expect(leader.commands.at(-1)).toMatchObject({ op: 'update', expectedVersion: 1 });

    const del = await call(leaderApi, 'DELETE', `/tasks/${t.id}`, {
      headers: { 'if-match': '2' },
    });
    expect(del.status).toBe(200);
    expect(leader.commands.at(-1)).toMatchObject({ op: 'delete', id: t.id, expectedVersion: 2 });
  });
});

describe('forwarding to the leader', () => {
  it('forwards writes from a follower; the answer names the leader', async () => {
    const r = await call(followerApi, 'POST', '/tasks', { body: json({ title: 'via follower' }) });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ servedBy: 1, raftIndex: 1, term: TERM });
    expect(follower.commands).toEqual([]);
    expect(leader.commands).toHaveLength(1);
    expect(leader.tasks.size).toBe(1);
  });

  it('sends method, path, query, body and headers on, and relays status, body and Retry-After unchanged', async () => {
    const canned = '{"hello": "wörld", "n": 1}';
    const rec = await recorder({ status: 503, body: canned, headers: { 'retry-after': '7' } });
    try {
      follower.leaderUrl = rec.url;
      const id = '0b5f5a8e-2f4c-4c56-9a57-0d1c6e0e9a11';
      const body = json({ status: 'done', title: 'Ünïcødé' });
      const r = await call(followerApi, 'PATCH', `/tasks/${id}`, {
        body,
        headers: { 'idempotency-key': 'key-1', 'if-match': '"3"' },
      });
      expect(r.status).toBe(503);
      expect(r.text).toBe(canned);
      expect(r.headers['retry-after']).toBe('7');
      expect(rec.seen).toHaveLength(1);
      const got = rec.seen[0];
      expect(got.method).toBe('PATCH');
      expect(got.url).toBe(`/tasks/${id}`);
      expect(JSON.parse(got.body)).toEqual(JSON.parse(body));
      expect(got.headers.host).toBe(`127.0.0.1:${rec.port}`);
      expect(got.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(got.headers['idempotency-key']).toBe('key-1');
      expect(got.headers['if-match']).toBe('"3"');
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers[FORWARDED_HEADER]).toBeDefined();

      const read = await call(followerApi, 'GET', '/tasks?consistency=leader&status=todo&q=a%20b');
      expect(read.status).toBe(503);
      expect(rec.seen[1].method).toBe('GET');
      expect(rec.seen[1].url).toBe('/tasks?consistency=leader&status=todo&q=a%20b');
      expect(rec.seen[1].body).toBe('');
      expect(rec.seen[1].headers['content-type']).toBeUndefined();
      expect(follower.untouched()).toBe(true);
    } finally {
      await rec.close();
    }
  });

  it('never forwards twice: a forwarded request reaching another follower gets 503 no_leader', async () => {
    const other = new FakeNode(3, false);
    const otherApi = await serve(other);
    // Stale views: 2 thinks 3 leads, 3 thinks 2 leads.
    follower.leaderUrl = otherApi.url;
    other.leaderUrl = followerApi.url;
    const r = await call(followerApi, 'POST', '/tasks', { body: json({ title: 'loop?' }) });
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('no_leader');
    // Node 3's own refusal, relayed by node 2: not a timeout after bouncing back and forth.
    expect(r.body.message).toContain('node 3 received a forwarded request');
    expect(r.headers['retry-after']).toBe('1');
    expect(other.untouched()).toBe(true);
    expect(other.waits).toEqual([]);
    expect(follower.untouched()).toBe(true);
  });

  it('waits for a leader when none is known; none → 503 no_leader with Retry-After', async () => {
    follower.leaderUrl = undefined;
    const r = await call(followerApi, 'POST', '/tasks', { body: json({ title: 'nobody' }) });
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('no_leader');
    expect(r.headers['retry-after']).toBe('1');
    expect(follower.waits).toEqual([follower.requestTimeoutMs]);
    expect(leader.untouched()).toBe(true);

    const read = await call(followerApi, 'GET', '/tasks?consistency=leader');
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBe('1');
  });

  it('forwards to a leader found while waiting, or serves it here if this node got elected', async () => {
    follower.leaderUrl = undefined;
    follower.onWait = () => leaderApi.url;
    const r = await call(followerApi, 'POST', '/tasks', { body: json({ title: 'found one' }) });
    expect(r.status).toBe(201);
    expect(r.body.servedBy).toBe(1);

    follower.onWait = () => {
      follower.leader = true;
      return followerApi.url;
    };
    const here = await call(followerApi, 'POST', '/tasks', { body: json({ title: 'elected' }) });
    expect(here.status).toBe(201);
    expect(here.body.servedBy).toBe(2);
    expect(follower.commands).toHaveLength(1);
    expect(leader.commands).toHaveLength(1);
  });

  it('answers 503 no_leader with Retry-After when the leader cannot be reached', async () => {
    const rec = await recorder({ status: 200, body: '{}' });
    await rec.close(); // a port where nobody listens any more
    follower.leaderUrl = rec.url;
    const r = await call(followerApi, 'DELETE', '/tasks/0b5f5a8e-2f4c-4c56-9a57-0d1c6e0e9a11');
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('no_leader');
    expect(r.body.message).toContain(rec.url);
    expect(r.headers['retry-after']).toBe('1');
  });

  it('answers 503 when the leader takes the request but does not answer in time', async () => {
    const hung = createServer(() => {
      // Never answers: a paused (SIGSTOP) leader looks like this.
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      follower.leaderUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
      const started = Date.now();
      const r = await call(followerApi, 'POST', '/tasks', { body: json({ title: 'lost?' }) });
      expect(r.status).toBe(503);
      expect(r.body.error).toBe('no_leader');
      expect(r.body.message).toMatch(/no answer in time.*may or may not.*Idempotency-Key/);
      expect(r.headers['retry-after']).toBe('1');
      // Gives the leader its own deadline first (requestTimeoutMs), then about a second more.
      expect(Date.now() - started).toBeGreaterThanOrEqual(follower.requestTimeoutMs + 900);
    } finally {
      hung.closeAllConnections();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });

  it('retries once through the forward path when leadership is lost before the proposal commits', async () => {
    const newLeader = new FakeNode(3, true);
    const newLeaderApi = await serve(newLeader);
    leader.onPropose = () => {
      leader.leader = false;
      leader.leaderUrl = newLeaderApi.url;
      throw new NotLeaderError(3);
    };
    const r = await call(followerApi, 'POST', '/tasks', {
      body: json({ title: 'moved' }),
      headers: { 'idempotency-key': 'moving' },
    });
    // The follower forwarded to 1, which lost leadership; 1 must not forward a forwarded
    // request again, so it answers 503 and the follower passes that on.
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('no_leader');
    expect(newLeader.untouched()).toBe(true);

    // A client talking to the old leader directly is carried over to the new one.
    leader.leader = true;
    const direct = await call(leaderApi, 'POST', '/tasks', {
      body: json({ title: 'moved' }),
      headers: { 'idempotency-key': 'moving' },
    });
    expect(direct.status).toBe(201);
    expect(direct.body.servedBy).toBe(3);
    expect(newLeader.commands).toHaveLength(1);
    expect(newLeader.commands[0].session).toEqual({
      key: 'moving',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('gives up after one retry when leadership keeps moving', async () => {
    leader.failures.propose.push(new NotLeaderError(0), new NotLeaderError(0));
    const r = await call(leaderApi, 'POST', '/tasks', { body: json({ title: 'flap' }) });
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('no_leader');
    expect(r.headers['retry-after']).toBe('1');
    expect(leader.commands).toHaveLength(2);
  });
});

describe('consistency modes', () => {
  it('linearizable (the default) confirms with a read barrier, on any node', async () => {
    await create('a');
    const r = await call(leaderApi, 'GET', '/tasks');
    expect(r.body.consistency).toBe('linearizable');
    expect(leader.barriers).toEqual(['linearizable']);

    const f = await call(followerApi, 'GET', '/tasks?consistency=linearizable');
    expect(f.status).toBe(200);
    expect(f.body).toMatchObject({ consistency: 'linearizable', servedBy: 2, tasks: [] });
    expect(follower.barriers).toEqual(['linearizable']);
    expect(leader.barriers).toEqual(['linearizable']);
  });

  it('leader uses the lease barrier on the leader and is forwarded from a follower', async () => {
    const t = await create('on the leader only');
    const r = await call(leaderApi, 'GET', `/tasks/${t.id}?consistency=leader`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ consistency: 'leader', servedBy: 1 });
    expect(leader.barriers).toEqual(['leader']);

    const f = await call(followerApi, 'GET', `/tasks/${t.id}?consistency=leader`);
    expect(f.status).toBe(200);
    expect(f.body).toMatchObject({ consistency: 'leader', servedBy: 1 });
    expect(leader.barriers).toEqual(['leader', 'leader']);
    expect(follower.barriers).toEqual([]);
    expect(follower.gets).toEqual([]);
  });

  it('stale reads this node right away and shows how far behind it may be', async () => {
    const t = await create('not replicated to the fake follower');
    follower.commitLead = 2;
    const f = await call(followerApi, 'GET', `/tasks/${t.id}?consistency=stale`);
    expect(f.status).toBe(404);
    const list = await call(followerApi, 'GET', '/tasks?consistency=stale');
    expect(list.body).toMatchObject({
      consistency: 'stale',
      servedBy: 2,
      appliedIndex: 0,
      commitIndex: 2,
      tasks: [],
    });
    expect(follower.barriers).toEqual([]);
    const l = await call(leaderApi, 'GET', '/tasks?consistency=stale');
    expect((l.body as unknown as TaskListResponse).tasks).toHaveLength(1);
    expect(leader.barriers).toEqual([]);
  });
});

describe('failures become 503s (or a 500 that hides internals)', () => {
  it('NoQuorumError on a write → 503 no_leader saying to retry with the same key', async () => {
    leader.failures.propose.push(new NoQuorumError());
    const r = await call(followerApi, 'POST', '/tasks', { body: json({ title: 'maybe' }) });
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('no_leader');
    expect(r.body.message).toMatch(/may or may not.*Idempotency-Key/);
    expect(r.headers['retry-after']).toBe('1');
  });

  it('NoQuorumError on a read barrier → 503 no_leader', async () => {
    follower.failures.barrier.push(new NoQuorumError());
    const r = await call(followerApi, 'GET', '/tasks');
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('no_leader');
    expect(r.headers['retry-after']).toBe('1');
    expect(follower.listQueries).toEqual([]);
  });

  it('MySqlUnavailableError → 503 mysql_down with Retry-After, on writes, reads and checksum', async () => {
    leader.failures.propose.push(new MySqlUnavailableError('MySQL is down'));
    const w = await call(leaderApi, 'POST', '/tasks', { body: json({ title: 'later' }) });
    expect(w.status).toBe(503);
    expect(w.body.error).toBe('mysql_down');
    expect(w.headers['retry-after']).toBe('1');

    follower.failures.read.push(new MySqlUnavailableError('MySQL is down'));
    const r = await call(followerApi, 'GET', '/tasks?consistency=stale');
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('mysql_down');

    leader.failures.checksum.push(new MySqlUnavailableError('MySQL is down'));
    const c = await call(leaderApi, 'GET', '/checksum');
    expect(c.status).toBe(503);
    expect(c.body.error).toBe('mysql_down');
  });

  it('an unexpected error is a 500 without its message', async () => {
    leader.failures.propose.push(new Error('secret stack detail'));
    const r = await call(leaderApi, 'POST', '/tasks', { body: json({ title: 'boom' }) });
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('internal');
    expect(r.text).not.toContain('secret stack detail');
  });
});

describe('issue 14: projects, filters, recurrence, subtasks, export and import', () => {
  const P = '7d3c6a51-8f3e-4c1a-9b7e-2a4b5c6d7e8f';

  it('creates, reads, patches and deletes a project; ?tasks= is carried in the entry', async () => {
    const r = await call(followerApi, 'POST', '/projects', {
      body: json({ name: ' Home ', color: '#AABBCC' }),
    });
    expect(r.status, r.text).toBe(201);
    const p = r.body.project as { id: string; name: string; color: string; position: number };
    expect(p).toMatchObject({ name: 'Home', color: '#aabbcc', version: 1 });
    expect(p.id).toMatch(UUID);
    expect(r.body).toMatchObject({ raftIndex: 1, term: TERM, servedBy: 1 });
    expect(typeof p.position).toBe('number');

    const list = await call(followerApi, 'GET', '/projects');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ consistency: 'linearizable', servedBy: 2 });
    const one = await call(leaderApi, 'GET', `/projects/${p.id.toUpperCase()}`);
    expect(one.body.project).toMatchObject({ id: p.id });

    const patched = await call(leaderApi, 'PATCH', `/projects/${p.id}`, {
      body: json({ name: 'House' }),
      headers: { 'if-match': '1' },
    });
    expect(patched.status).toBe(200);
    expect(leader.commands.at(-1)).toMatchObject({
      op: 'project.update',
      patch: { name: 'House' },
      expectedVersion: 1,
    });

    const d = await call(followerApi, 'DELETE', `/projects/${p.id}?tasks=delete`, {
      headers: { 'idempotency-key': 'del-1' },
    });
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ project: null, deletedIds: [], movedIds: [] });
    expect(leader.commands.at(-1)).toMatchObject({ op: 'project.delete', tasks: 'delete' });
    await call(leaderApi, 'DELETE', `/projects/${P}`);
    expect(leader.commands.at(-1)).toMatchObject({ op: 'project.delete', tasks: 'keep' });
    expect((await call(leaderApi, 'GET', `/projects/${P}`)).status).toBe(404);
  });

  it('passes the list filters to the store, today computed in the asked zone', async () => {
    await call(leaderApi, 'GET', `/tasks?projectId=${P.toUpperCase()}&tag=a&tag=B&parentId=none`);
    expect(leader.listQueries.at(-1)).toMatchObject({
      projectId: P,
      tags: ['a', 'B'],
      parentId: 'none',
    });
    await call(leaderApi, 'GET', '/tasks?due=today&tz=Pacific/Kiritimati');
    const kiritimati = leader.listQueries.at(-1)?.due;
    await call(leaderApi, 'GET', '/tasks?due=overdue');
    const utc = leader.listQueries.at(-1)?.due;
    expect(utc).toEqual({ kind: 'overdue', today: new Date().toISOString().slice(0, 10) });
    expect(kiritimati?.kind).toBe('today');
    // UTC+14: always a day ahead of UTC, or the same day.
    expect(kiritimati!.today >= utc!.today).toBe(true);
  });

  it('completing a recurring task carries the next occurrence computed on the leader', async () => {
    const t = await create('weekly', {
      dueDate: '2025-01-01',
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'due' },
    });
    const r = await call(followerApi, 'PATCH', `/tasks/${t.id}`, {
      body: json({ status: 'done' }),
    });
    expect(r.status, r.text).toBe(200);
    const command = leader.commands.at(-1);
    if (command?.op !== 'update') throw new Error('expected an update');
    expect(command.next).toEqual({
      id: expect.stringMatching(UUID),
      dueDate: '2025-01-03',
      forVersion: 1,
    });
    expect(leader.barriers).toContain('leader');
    const answer = r.body as unknown as WriteResponse;
    expect(answer.next).toMatchObject({
      id: command.next!.id,
      dueDate: '2025-01-03',
      status: 'todo',
    });

    // From completion: counted from the leader's day.
    const c = await create('every 3 days', {
      dueDate: '2020-01-01',
      recurrence: { rrule: 'FREQ=DAILY;INTERVAL=3', from: 'completion' },
    });
    await call(leaderApi, 'PATCH', `/tasks/${c.id}`, { body: json({ status: 'done' }) });
    const done = leader.commands.at(-1);
    if (done?.op !== 'update') throw new Error('expected an update');
    const today = new Date(`${done.at.slice(0, 10)}T00:00:00Z`);
    today.setUTCDate(today.getUTCDate() + 3);
    expect(done.next?.dueDate).toBe(today.toISOString().slice(0, 10));

    // An exhausted rule, or a task that is not recurring: no next occurrence.
    const once = await create('once', {
      dueDate: '2025-01-01',
      recurrence: { rrule: 'FREQ=DAILY;COUNT=1', from: 'due' },
    });
    await call(leaderApi, 'PATCH', `/tasks/${once.id}`, { body: json({ status: 'done' }) });
    expect(leader.commands.at(-1)).not.toHaveProperty('next');
    // ...and the series ends with it, if the task did not change since it was read.
    expect(leader.commands.at(-1)).toMatchObject({
      patch: { status: 'done', recurrence: null },
      expectedVersion: 1,
    });
    const plain = await create('plain', { dueDate: '2025-01-01' });
    await call(leaderApi, 'PATCH', `/tasks/${plain.id}`, { body: json({ status: 'done' }) });
    expect(leader.commands.at(-1)).not.toHaveProperty('next');
  });

  it('refuses to leave a due time or a rule without a due date (checked on the leader)', async () => {
    const bare = await create('bare');
    const r = await call(followerApi, 'PATCH', `/tasks/${bare.id}`, {
      body: json({ dueTime: '08:00' }),
    });
    expect(r.status).toBe(400);
    expect(r.body.details).toHaveProperty('dueTime');
    const r2 = await call(leaderApi, 'PATCH', `/tasks/${bare.id}`, {
      body: json({ recurrence: { rrule: 'FREQ=DAILY', from: 'due' } }),
    });
    expect(r2.status).toBe(400);
    expect(r2.body.details).toHaveProperty('recurrence');
    const rule = await create('rule', {
      dueDate: '2025-01-01',
      recurrence: { rrule: 'FREQ=DAILY', from: 'due' },
    });
    const r3 = await call(leaderApi, 'PATCH', `/tasks/${rule.id}`, {
      body: json({ dueDate: null }),
    });
    expect(r3.status).toBe(400);
    expect(r3.body.details).toHaveProperty('recurrence');
    const ok = await call(leaderApi, 'PATCH', `/tasks/${rule.id}`, {
      body: json({ dueDate: null, recurrence: null }),
    });
    expect(ok.status).toBe(200);
    // Clearing the date of a timed task is fine: the state machine clears the time with it.
    const timed = await create('timed', { dueDate: '2025-01-01', dueTime: '08:00' });
    const r4 = await call(leaderApi, 'PATCH', `/tasks/${timed.id}`, {
      body: json({ dueDate: null }),
    });
    expect(r4.status).toBe(200);
  });

  it('a delete answers every task it deleted', async () => {
    const parent = await create('parent');
    const child = await create('child', { parentId: parent.id });
    const grandchild = await create('grandchild', { parentId: child.id });
    const d = await call(followerApi, 'DELETE', `/tasks/${parent.id}`);
    expect(d.status).toBe(200);
    expect(d.body.deletedIds).toEqual([parent.id, child.id, grandchild.id]);
  });

  it('maps the state machine outcomes to statuses', async () => {
    leader.onPropose = () => undefined;
    const results: [CommandResult, number, string][] = [
      [{ ok: false, outcome: 'not_found', message: 'no such task' }, 404, 'not_found'],
      [{ ok: false, outcome: 'version_conflict', message: 'at 3' }, 409, 'version_conflict'],
      [
        {
          ok: false,
          outcome: 'invalid_reference',
          message: 'no task with that id',
          field: 'parentId',
        },
        400,
        'invalid_input',
      ],
      [
        { ok: false, outcome: 'key_reused', message: 'another request' },
        422,
        'idempotency_key_reused',
      ],
    ];
    for (const [result, status, error] of results) {
      leader.sessions.set('k', result);
      const r = await call(leaderApi, 'POST', '/tasks', {
        body: json({ title: 'x' }),
        headers: { 'idempotency-key': 'k' },
      });
      expect(r.status).toBe(status);
      expect(r.body.error).toBe(error);
      if (result.outcome === 'invalid_reference') {
        expect(r.body.details).toEqual({ parentId: 'no task with that id' });
      }
    }
  });

  it('exports JSON and CSV after a linearizable read barrier', async () => {
    await create('with, comma "and quotes"', { tags: ['a', 'b'], dueDate: '2025-01-01' });
    const e = await call(leaderApi, 'GET', '/export');
    expect(e.status).toBe(200);
    expect(e.body).toMatchObject({ format: 'raftboard/1', projects: [] });
    expect(e.body.tasks).toHaveLength(1);
    expect(leader.barriers).toContain('linearizable');
    const raw = await fetch(`${leaderApi.url}/export?format=csv`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await raw.text();
    const [head, row] = text.split('\r\n');
    expect(head).toBe(
      'id,title,description,status,priority,dueDate,dueTime,projectId,project,tags,parentId,' +
        'recurrence,recurrenceFrom,position,completedAt,createdAt,updatedAt,version',
    );
    expect(row).toContain(',"with, comma ""and quotes""",');
    expect(row).toContain(',a b,');
  });

  it('imports a Todoist CSV through a follower, keyed per batch, nothing twice on a retry', async () => {
    const csv = [
      'TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE',
      'section,Groceries,,,,,,,,',
      'task,Buy milk @shop @urgent,2 litres,1,1,Ann,,2030-05-04,en,Europe/Paris',
      'task,Check the date,,4,2,Ann,,,en,Europe/Paris',
      'task,Water plants,,2,1,Ann,,every! 3 days,en,Europe/Paris',
      'task,,,,1,,,,,',
    ].join('\n');
    const send = (on: ApiServer) =>
      fetch(`${on.url}/import?project=Home`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'text/csv',
          'idempotency-key': 'import-1',
        },
        body: csv,
      });
    const r = await send(followerApi);
    const body = (await r.json()) as Record<string, unknown>;
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ projects: 1, tasks: 3, skipped: 1, servedBy: 1 });
    const command = leader.commands.at(-1);
    if (command?.op !== 'import') throw new Error('expected an import');
    expect(command.session?.key).toBe('import-1#0');
    const [milk, check, water] = command.tasks;
    expect(milk).toMatchObject({
      title: 'Buy milk',
      description: '2 litres',
      priority: 'high',
      tags: ['shop', 'urgent'],
      dueDate: '2030-05-04',
      projectId: command.projects[0]!.id,
      parentId: null,
    });
    expect(check).toMatchObject({ parentId: milk!.id, priority: 'low', dueDate: null });
    expect(water).toMatchObject({
      priority: 'medium',
      recurrence: { rrule: 'FREQ=DAILY;INTERVAL=3', from: 'completion' },
    });
    // The retry names the same rows (ids from the key) and gets the first answer.
    const again = await send(leaderApi);
    expect(await again.json()).toMatchObject({ projects: 1, tasks: 3, skipped: 1 });
    const retry = leader.commands.at(-1);
    if (retry?.op !== 'import') throw new Error('expected an import');
    expect(retry.tasks.map((t) => t.id)).toEqual(command.tasks.map((t) => t.id));
    expect(leader.tasks.size).toBe(3);
  });

  it('an import goes into an existing project of the same name, CSV or JSON', async () => {
    const made = await call(leaderApi, 'POST', '/projects', { body: json({ name: 'Garden' }) });
    const garden = made.body.project as { id: string };
    const csv = 'TYPE,CONTENT\ntask,Mow\n';
    const r = await fetch(`${followerApi.url}/import?project=garden`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(await r.json()).toMatchObject({ projects: 0, tasks: 1, skipped: 0 });
    const csvImport = leader.commands.at(-1);
    if (csvImport?.op !== 'import') throw new Error('expected an import');
    expect(csvImport.projects).toEqual([]);
    expect(csvImport.tasks[0]?.projectId).toBe(garden.id);

    const other = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const j = await call(leaderApi, 'POST', '/import', {
      body: json({
        format: 'raftboard/1',
        projects: [
          {
            id: other,
            name: 'GARDEN',
            color: null,
            position: 1,
            createdAt: '2025-01-01T00:00:00Z',
            updatedAt: '2025-01-01T00:00:00Z',
          },
        ],
        tasks: [
          {
            id: '00000000-0000-4000-8000-00000000abcd',
            title: 'Rake',
            projectId: other,
            createdAt: '2025-01-01T00:00:00Z',
            updatedAt: '2025-01-01T00:00:00Z',
          },
        ],
      }),
    });
    expect(j.status, j.text).toBe(200);
    const jsonImport = leader.commands.at(-1);
    if (jsonImport?.op !== 'import') throw new Error('expected an import');
    expect(jsonImport.tasks[0]?.projectId).toBe(garden.id);
  });

  it('cuts a large import into several keyed entries', async () => {
    const tasks = Array.from({ length: 1200 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      title: `task ${i}`,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    }));
    const r = await call(leaderApi, 'POST', '/import', {
      body: json({
        format: 'raftboard/1',
        exportedAt: '2025-01-02T00:00:00Z',
        projects: [],
        tasks,
      }),
      headers: { 'idempotency-key': 'big' },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ tasks: 1200, skipped: 0 });
    // Summed over the entries: every id it created, for an undo.
    expect(r.body.taskIds).toEqual(tasks.map((t) => t.id));
    expect(r.body.projectIds).toEqual([]);
    const imports = leader.commands.filter((c) => c.op === 'import');
    expect(imports.length).toBe(3);
    expect(imports.map((c) => c.session?.key)).toEqual(['big#0', 'big#1', 'big#2']);
    expect(new Set(imports.map((c) => c.session?.fingerprint)).size).toBe(1);
    expect(r.body.raftIndex).toBe(3);
    // A keyed retry answers the same ids (each entry's session keeps its answer).
    const again = await call(leaderApi, 'POST', '/import', {
      body: json({
        format: 'raftboard/1',
        exportedAt: '2025-01-02T00:00:00Z',
        projects: [],
        tasks,
      }),
      headers: { 'idempotency-key': 'big' },
    });
    expect(again.body.taskIds).toEqual(r.body.taskIds);
  });

  it('takes an import body up to 16 MiB, and answers 413 past it (other routes stay at 1 MiB)', async () => {
    const filler = 'x'.repeat(1024);
    const rows: string[] = [];
    for (let i = 0; rows.length * 1040 < 3 * 1024 * 1024; i++) rows.push(`task,${filler},,,,,,,,`);
    const mid = `TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\n${rows.join('\n')}`;
    const ok = await fetch(`${leaderApi.url}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      body: mid,
    });
    expect(ok.status).toBe(200); // 3 MiB: over the usual limit, under the import's
    const tooBig = Buffer.alloc(16 * 1024 * 1024 + 1, 0x61);
    for (const api of [leaderApi, followerApi]) {
      const r = await fetch(`${api.url}/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
        body: tooBig,
      });
      expect(r.status).toBe(413);
      expect(((await r.json()) as { error: string }).error).toBe('body_too_large');
    }
  });
});

describe('review of issue 14: what the API accepts, every replica decodes', () => {
  /** Every proposed command decodes on a replica (else it would commit and be ignored). */
  function allDecode(node: FakeNode): void {
    for (const c of node.commands) {
      const decoded = decodeCommand(JSON.stringify(c));
      expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
    }
  }
  const stamp = { createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' };

  it('refuses tags and project names with control characters (400, per field)', async () => {
    const t = await call(leaderApi, 'POST', '/tasks', {
      body: json({ title: 'x', tags: ['a\u0001b'] }),
    });
    expect(t.status, t.text).toBe(400);
    expect(t.body.details).toHaveProperty('tags.0');
    expect(t.body.details!['tags.0']).toMatch(/control/);
    const p = await call(leaderApi, 'POST', '/projects', { body: json({ name: 'Work\u0085' }) });
    expect(p.status, p.text).toBe(400);
    expect(p.body.details!.name).toMatch(/control/);
    const made = await call(leaderApi, 'POST', '/projects', { body: json({ name: 'Ok' }) });
    const id = (made.body.project as { id: string }).id;
    const patch = await call(leaderApi, 'PATCH', `/projects/${id}`, {
      body: json({ name: 'a\tb' }),
    });
    expect(patch.status, patch.text).toBe(400);
    const task = await create('y');
    const tp = await call(leaderApi, 'PATCH', `/tasks/${task.id}`, {
      body: json({ tags: ['\u0085'] }),
    });
    expect(tp.status, tp.text).toBe(400);
    // Surrounding spaces are trimmed, not refused.
    const trimmed = await call(leaderApi, 'POST', '/projects', { body: json({ name: ' Home ' }) });
    expect(trimmed.status).toBe(201);
    allDecode(leader);
  });

  it('an import skips (and counts) the rows a replica would refuse; the rest lands', async () => {
    const good = '11111111-1111-4111-8111-111111111111';
    const bad = '22222222-2222-4222-8222-222222222222';
    const r = await call(leaderApi, 'POST', '/import', {
      body: json({
        format: 'raftboard/1',
        projects: [
          { id: good, name: 'Work', color: null, position: 1, version: 1, ...stamp },
          { id: bad, name: 'Work\u0085', color: null, position: 2, version: 1, ...stamp },
        ],
        tasks: [
          { id: '00000000-0000-4000-8000-000000000001', title: 'fine', projectId: good, ...stamp },
          {
            id: '00000000-0000-4000-8000-000000000002',
            title: 'bad tag',
            tags: ['a\u0001b'],
            ...stamp,
          },
          { id: '00000000-0000-4000-8000-000000000003', title: 'also fine', ...stamp },
        ],
      }),
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ projects: 1, tasks: 2, skipped: 2 });
    allDecode(leader);
  });
});

describe('review of issue 14: from completion, in the user’s zone', () => {
  it('PATCH /tasks/:id?tz= counts a completion from the day in that zone', async () => {
    const dayAfter = (d: string): string => {
      const t = new Date(`${d}T00:00:00Z`);
      t.setUTCDate(t.getUTCDate() + 1);
      return t.toISOString().slice(0, 10);
    };
    const localDay = (at: string, tz: string): string =>
      new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date(at));
    for (const tz of ['Pacific/Kiritimati', 'Etc/GMT+12']) {
      const t = await create(`daily ${tz}`, {
        dueDate: '2020-01-01',
        recurrence: { rrule: 'FREQ=DAILY', from: 'completion' },
      });
      const r = await call(followerApi, 'PATCH', `/tasks/${t.id}?tz=${encodeURIComponent(tz)}`, {
        body: json({ status: 'done' }),
      });
      expect(r.status, r.text).toBe(200);
      const done = leader.commands.at(-1);
      if (done?.op !== 'update') throw new Error('expected an update');
      expect(done.next?.dueDate).toBe(dayAfter(localDay(done.at, tz)));
    }
    const bad = await call(
      leaderApi,
      'PATCH',
      `/tasks/${leader.tasks.keys().next().value}?tz=Mars/Base`,
      {
        body: json({ status: 'done' }),
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details).toHaveProperty('tz');
  });
});

describe('review of issue 14: the export is one consistent read', () => {
  it('reads every task in one store call: a reorder meanwhile neither skips nor doubles', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    for (let i = 0; i < 5001; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      leader.tasks.set(id, {
        id,
        title: `t${i}`,
        description: '',
        status: 'todo',
        priority: 'medium',
        dueDate: null,
        dueTime: null,
        projectId: null,
        tags: [],
        parentId: null,
        recurrence: null,
        position: i,
        completedAt: null,
        createdAt: at,
        updatedAt: at,
        version: 1,
        raftIndex: 1,
      });
    }
    // A write applied between two reads moves the first task to the end of the order.
    const list = leader.listTasks.bind(leader);
    leader.listTasks = async (query) => {
      const page = await list(query);
      const first = leader.tasks.values().next().value!;
      leader.tasks.delete(first.id);
      leader.tasks.set(first.id, first);
      return page;
    };
    const e = await call(leaderApi, 'GET', '/export');
    expect(e.status).toBe(200);
    const ids = (e.body.tasks as Task[]).map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(5001);
  });

  it('a forwarded CSV export keeps its content-disposition', async () => {
    await create('forwarded');
    // A node that forwards every request to the leader, as a follower does.
    const relay = createServer((req, res) => {
      void forwardToLeader(req, {
        leaderUrl: leaderApi.url,
        body: undefined,
        token: TOKEN,
        timeoutMs: 5000,
        from: 2,
      }).then((relayed) => sendRelayed(res, relayed));
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const port = (relay.address() as AddressInfo).port;
      const r = await fetch(`http://127.0.0.1:${port}/export?format=csv`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(r.headers.get('content-disposition')).toBe(
        'attachment; filename="raftboard-tasks.csv"',
      );
      expect(await r.text()).toContain('forwarded');
    } finally {
      await new Promise((resolve) => relay.close(resolve));
    }
  });
});

describe('review of issue 14: positions a replica can store', () => {
  it('refuses a position that is huge, denormal or tiny (400 naming position)', async () => {
    const t = await create('p');
    for (const position of [1e300, -1e16, 5e-324, 1e-12]) {
      const c = await call(leaderApi, 'POST', '/tasks', { body: json({ title: 'x', position }) });
      expect(c.status, `${position}: ${c.text}`).toBe(400);
      expect(c.body.details).toHaveProperty('position');
      const p = await call(leaderApi, 'PATCH', `/tasks/${t.id}`, { body: json({ position }) });
      expect(p.status, `${position}: ${p.text}`).toBe(400);
      const pr = await call(leaderApi, 'POST', '/projects', {
        body: json({ name: `n${position}`, position }),
      });
      expect(pr.status, `${position}: ${pr.text}`).toBe(400);
    }
    for (const position of [0, -0.5, 1e15, -1e15, 1e-9, 1765432109876.5]) {
      const c = await call(leaderApi, 'POST', '/tasks', { body: json({ title: 'x', position }) });
      expect(c.status, `${position}: ${c.text}`).toBe(201);
    }
  });
});
