/**
 * The main-process bridge host: supervisor calls and their refusals as envelopes (the same
 * status and code the control API would answer), and task calls relayed to a node.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../cluster/api/control.js';
import { SupervisorError } from '../../cluster/supervisor/errors.js';
import { createHost, listQuery, type HostSupervisor } from '../../electron/host.js';

const STATUS = { leaderId: 1, term: 2, nodes: [] } as unknown as ClusterStatus;

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function fakeSupervisor(targets: (string | undefined)[] = ['http://127.0.0.1:9001']) {
  const calls: unknown[][] = [];
  const queue = [...targets];
  const s: HostSupervisor = {
    token: 'a-token-of-sixteen-chars',
    status: () => STATUS,
    taskTarget: () => (queue.length > 1 ? queue.shift() : queue[0]),
    nodeAction: async (id, action) => {
      calls.push(['nodeAction', id, action]);
      if (id === 9) throw new SupervisorError('not_found', 'there is no node 9');
      return { ok: true, action, nodeId: id, message: 'done' };
    },
    mysqlAction: async () => {
      throw new SupervisorError('no_leader', 'no quorum');
    },
    addNode: async () => ({ ok: true, action: 'add', nodeId: 4, message: 'added' }),
    removeNode: async () => {
      throw new Error('mariadbd would not stop');
    },
    setNetwork: async () => {
      throw new SupervisorError('invalid', 'node 7 is not a member');
    },
    heal: async () => ({ ok: true, action: 'heal', message: 'healed' }),
    setSlow: async (f) => ({ ok: true, action: 'slow', message: `×${f}` }),
  };
  return { s, calls };
}

function fakeFetch(answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    const a = answers.shift();
    if (a === undefined) throw new Error('no more answers');
    if (a instanceof Error) throw a;
    return a;
  };
  return { fetch: f as typeof fetch, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('control calls', () => {
  it('answer the supervisor’s result', async () => {
    const { s, calls } = fakeSupervisor();
    const host = createHost({ supervisor: () => s });
    await expect(host.getCluster()).resolves.toEqual({ ok: true, value: STATUS });
    await expect(host.nodeAction(2, 'pause')).resolves.toMatchObject({
      ok: true,
      value: { nodeId: 2 },
    });
    expect(calls).toEqual([['nodeAction', 2, 'pause']]);
  });

  it('map refusals like the control API: 404, 503 + Retry-After, 400, 500 with the message', async () => {
    const { s } = fakeSupervisor();
    const host = createHost({ supervisor: () => s });
    await expect(host.nodeAction(9, 'kill')).resolves.toEqual({
      ok: false,
      status: 404,
      error: { error: 'not_found', message: 'there is no node 9' },
    });
    await expect(host.mysqlAction(1, 'stop')).resolves.toEqual({
      ok: false,
      status: 503,
      error: { error: 'no_leader', message: 'no quorum' },
      retryAfterMs: 1000,
    });
    await expect(host.setNetwork({ partitions: [[7]] })).resolves.toMatchObject({
      status: 400,
      error: { error: 'invalid_input' },
    });
    await expect(host.removeNode(2)).resolves.toEqual({
      ok: false,
      status: 500,
      error: { error: 'internal', message: 'mariadbd would not stop' },
    });
  });

  it('answer 503 while the cluster is not running', async () => {
    const host = createHost({ supervisor: () => undefined });
    await expect(host.getCluster()).resolves.toMatchObject({
      ok: false,
      status: 503,
      retryAfterMs: 1000,
    });
    await expect(host.listTasks()).resolves.toMatchObject({ ok: false, status: 503 });
  });

  it('keep a successful slow-motion factor', async () => {
    const { s } = fakeSupervisor();
    const kept: number[] = [];
    const host = createHost({ supervisor: () => s, onSlowChanged: (f) => kept.push(f) });
    await host.setSlow(4);
    expect(kept).toEqual([4]);
  });
});

describe('getChecksums', () => {
  it('asks each running node’s /checksum with the token and names the diverged replica', async () => {
    const { s } = fakeSupervisor();
    const nodes = [1, 2, 3].map((id) => ({
      id,
      status: id === 3 ? 'stopped' : 'running',
      clientUrl: `http://127.0.0.1:900${id}`,
    }));
    const withNodes: HostSupervisor = {
      ...s,
      status: () => ({ ...STATUS, nodes }) as unknown as ClusterStatus,
    };
    const { fetch, sent } = fakeFetch([
      json(200, { appliedIndex: 8, checksum: 'aa' }),
      json(200, { appliedIndex: 8, checksum: 'aa' }),
    ]);
    const host = createHost({ supervisor: () => withNodes, fetch });
    await expect(host.getChecksums()).resolves.toEqual({
      ok: true,
      value: {
        replicas: [
          { nodeId: 1, appliedIndex: 8, checksum: 'aa' },
          { nodeId: 2, appliedIndex: 8, checksum: 'aa' },
          { nodeId: 3, appliedIndex: null, checksum: null, error: 'the node is stopped' },
        ],
        diverged: [],
      },
    });
    expect(sent.map((x) => x.url)).toEqual([
      'http://127.0.0.1:9001/checksum',
      'http://127.0.0.1:9002/checksum',
    ]);
    expect(sent[0]?.headers.authorization).toBe('Bearer a-token-of-sixteen-chars');
  });

  it('answers 503 while the cluster is not running', async () => {
    const host = createHost({ supervisor: () => undefined });
    await expect(host.getChecksums()).resolves.toMatchObject({ ok: false, status: 503 });
  });
});

describe('task calls', () => {
  it('go to the leader’s client API with the token, key and If-Match', async () => {
    const { s } = fakeSupervisor();
    const { fetch, sent } = fakeFetch([
      json(201, { task: { id: 't1' }, raftIndex: 7, term: 2, servedBy: 1 }),
    ]);
    const host = createHost({ supervisor: () => s, fetch });
    await expect(host.createTask({ title: 'Buy milk' }, { idempotencyKey: 'k1' })).resolves.toEqual(
      {
        ok: true,
        value: { task: { id: 't1' }, raftIndex: 7, term: 2, servedBy: 1 },
      },
    );
    expect(sent[0]).toMatchObject({
      url: 'http://127.0.0.1:9001/tasks',
      method: 'POST',
      headers: {
        authorization: 'Bearer a-token-of-sixteen-chars',
        'content-type': 'application/json',
        'idempotency-key': 'k1',
      },
      body: JSON.stringify({ title: 'Buy milk' }),
    });
    const next = fakeFetch([json(200, {}), json(200, {})]);
    const host2 = createHost({ supervisor: () => s, fetch: next.fetch });
    await host2.updateTask('a/b', { status: 'done' }, { idempotencyKey: 'k2', ifMatch: 3 });
    await host2.deleteTask('t1', { idempotencyKey: 'k3' });
    expect(next.sent.map((x) => [x.method, x.url, x.headers['if-match']])).toEqual([
      [
        'PATCH',
        `http://127.0.0.1:9001/tasks/a%2Fb?tz=${encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)}`,
        '3',
      ],
      ['DELETE', 'http://127.0.0.1:9001/tasks/t1', undefined],
    ]);
  });

  it('pass the node’s error body, status and Retry-After through', async () => {
    const { s } = fakeSupervisor();
    const body = {
      error: 'invalid_input',
      message: 'bad',
      details: { title: 'must not be empty' },
    };
    const { fetch } = fakeFetch([
      json(400, body),
      json(503, { error: 'no_leader', message: 'x' }, { 'retry-after': '2' }),
    ]);
    const host = createHost({ supervisor: () => s, fetch });
    await expect(host.createTask({ title: ' ' }, { idempotencyKey: 'k' })).resolves.toEqual({
      ok: false,
      status: 400,
      error: body,
    });
    await expect(host.listTasks()).resolves.toEqual({
      ok: false,
      status: 503,
      error: { error: 'no_leader', message: 'x' },
      retryAfterMs: 2000,
    });
  });

  it('try a second node when the first does not answer, then give up with 503', async () => {
    const { s } = fakeSupervisor(['http://127.0.0.1:9001', 'http://127.0.0.1:9002']);
    const { fetch, sent } = fakeFetch([new Error('ECONNREFUSED'), json(200, { tasks: [] })]);
    const host = createHost({ supervisor: () => s, fetch });
    await expect(host.listTasks({ status: 'todo', q: '' })).resolves.toEqual({
      ok: true,
      value: { tasks: [] },
    });
    expect(sent.map((x) => x.url)).toEqual([
      'http://127.0.0.1:9001/tasks?status=todo',
      'http://127.0.0.1:9002/tasks?status=todo',
    ]);
    const down = fakeSupervisor([undefined]);
    await expect(createHost({ supervisor: () => down.s }).listTasks()).resolves.toMatchObject({
      ok: false,
      status: 503,
      error: { error: 'no_leader' },
    });
  });

  it('builds list queries like the HTTP transport', () => {
    expect(listQuery()).toBe('');
    expect(listQuery({ consistency: 'stale', q: 'a b', limit: 5, offset: 10 })).toBe(
      '?consistency=stale&q=a+b&limit=5&offset=10',
    );
    expect(listQuery({ projectId: 'none', tags: ['x', 'y'], due: 'overdue', tz: 'UTC' })).toBe(
      '?projectId=none&tag=x&tag=y&due=overdue&tz=UTC',
    );
  });

  it('relays projects, tags, export and import to the node', async () => {
    const { s } = fakeSupervisor();
    const { fetch, sent } = fakeFetch([
      json(201, { project: { id: 'p1' }, raftIndex: 3, term: 1, servedBy: 1 }),
      json(200, { project: null, raftIndex: 4, term: 1, servedBy: 1 }),
      json(200, { tags: [{ name: 'a', count: 1 }] }),
      new Response('id,title\r\n', { status: 200, headers: { 'content-type': 'text/csv' } }),
      json(200, { projects: 0, tasks: 1, skipped: 0, raftIndex: 5, servedBy: 1 }),
    ]);
    const host = createHost({ supervisor: () => s, fetch });
    await expect(
      host.createProject({ name: 'Home' }, { idempotencyKey: 'k1' }),
    ).resolves.toMatchObject({
      ok: true,
      value: { project: { id: 'p1' } },
    });
    await host.deleteProject('p1', 'delete', { idempotencyKey: 'k2' });
    await host.listTags();
    await expect(host.exportCsv()).resolves.toEqual({ ok: true, value: 'id,title\r\n' });
    await expect(
      host.importData({ kind: 'csv', text: 'TYPE,CONTENT\n' }, { idempotencyKey: 'k3' }),
    ).resolves.toMatchObject({ ok: true, value: { tasks: 1 } });
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST http://127.0.0.1:9001/projects',
      'DELETE http://127.0.0.1:9001/projects/p1?tasks=delete',
      'GET http://127.0.0.1:9001/tags',
      'GET http://127.0.0.1:9001/export?format=csv',
      'POST http://127.0.0.1:9001/import',
    ]);
    expect(sent[4]?.headers['content-type']).toBe('text/csv');
    expect(sent[4]?.body).toBe('TYPE,CONTENT\n');
    expect(sent[4]?.headers['idempotency-key']).toBe('k3');
  });
});
