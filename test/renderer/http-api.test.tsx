// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import { createHttpApi } from '../../renderer/src/api/http.js';
import { TOKEN_STORAGE_KEY, takeToken } from '../../renderer/src/api/token.js';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const sent: Sent[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    sent.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    return Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      }),
    );
  };
  return { sent, fetch };
}

const BASE = 'http://127.0.0.1:7070';

describe('HTTP API', () => {
  it('sends the token, the Idempotency-Key and If-Match on a write', async () => {
    const { sent, fetch } = fakeFetch(200, { task: null, raftIndex: 9, term: 2, servedBy: 1 });
    const api = createHttpApi({ baseUrl: BASE, token: 's3cret', fetch });
    const res = await api.updateTask(
      'abc',
      { status: 'done' },
      { idempotencyKey: 'k-1', ifMatch: 3 },
    );
    expect(res.raftIndex).toBe(9);
    // The zone a completion's date is counted in ("from completion" rules).
    const tz = encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(sent[0]).toMatchObject({
      url: `${BASE}/api/tasks/abc?tz=${tz}`,
      method: 'PATCH',
      headers: {
        authorization: 'Bearer s3cret',
        'idempotency-key': 'k-1',
        'if-match': '3',
        'content-type': 'application/json',
      },
      body: '{"status":"done"}',
    });
  });

  it('asks the project, tag, export and import routes, with list filters', async () => {
    const { sent, fetch } = fakeFetch(200, { projects: [] });
    const api = createHttpApi({ baseUrl: BASE, token: 't', fetch });
    await api.listTasks({
      projectId: 'none',
      tags: ['a', 'b c'],
      parentId: 'p',
      due: 'today',
      tz: 'Europe/Paris',
    });
    await api.listProjects();
    await api.createProject({ name: 'Home' }, { idempotencyKey: 'k1' });
    await api.updateProject('p/1', { color: '#aabbcc' }, { idempotencyKey: 'k2', ifMatch: 2 });
    await api.deleteProject('p1', 'delete', { idempotencyKey: 'k3' });
    await api.deleteProject('p1', 'keep', { idempotencyKey: 'k4' });
    await api.listTags();
    await api.exportData();
    await api.importData(
      { kind: 'json', document: { format: 'raftboard/1' } },
      { idempotencyKey: 'k5' },
    );
    await api.importData({ kind: 'csv', text: 'TYPE,CONTENT\n' }, { idempotencyKey: 'k6' });
    expect(sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
      'GET /api/tasks?projectId=none&tag=a&tag=b+c&parentId=p&due=today&tz=Europe%2FParis',
      'GET /api/projects',
      'POST /api/projects',
      'PATCH /api/projects/p%2F1',
      'DELETE /api/projects/p1?tasks=delete',
      'DELETE /api/projects/p1',
      'GET /api/tags',
      'GET /api/export',
      'POST /api/import',
      'POST /api/import',
    ]);
    expect(sent[4]?.headers['idempotency-key']).toBe('k3');
    expect(sent[8]?.headers['content-type']).toBe('application/json');
    expect(sent[8]?.body).toBe('{"format":"raftboard/1"}');
    expect(sent[9]?.headers['content-type']).toBe('text/csv');
    expect(sent[9]?.body).toBe('TYPE,CONTENT\n');
  });

  it('answers the CSV export as text', async () => {
    const fetch = (): Promise<Response> =>
      Promise.resolve(new Response('id,title\r\n1,"a, b"\r\n', { status: 200 }));
    const api = createHttpApi({ baseUrl: BASE, token: 't', fetch });
    expect(await api.exportCsv()).toBe('id,title\r\n1,"a, b"\r\n');
  });

  it('puts the token on every control call too', async () => {
    const { sent, fetch } = fakeFetch(200, { ok: true, action: 'kill', message: 'ok' });
    const api = createHttpApi({ baseUrl: BASE, token: 't', fetch });
    await api.nodeAction(2, 'kill');
    await api.mysqlAction(3, 'start');
    await api.setNetwork({ partitions: [[1], [2, 3]] });
    await api.healNetwork();
    expect(sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
      'POST /api/nodes/2/kill',
      'POST /api/nodes/3/mysql/start',
      'PUT /api/network',
      'DELETE /api/network',
    ]);
    expect(sent.every((s) => s.headers.authorization === 'Bearer t')).toBe(true);
  });

  it('turns an error body into an ApiRequestError with Retry-After', async () => {
    const { fetch } = fakeFetch(
      503,
      { error: 'no_leader', message: 'no quorum' },
      { 'retry-after': '1' },
    );
    const api = createHttpApi({ baseUrl: BASE, token: 't', fetch });
    const err = await api.createTask({ title: 'x' }, { idempotencyKey: 'k' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err).toMatchObject({ status: 503, code: 'no_leader', retryAfterMs: 1000 });
  });

  it('reports no answer at all as a network error (status 0)', async () => {
    const api = createHttpApi({
      baseUrl: BASE,
      token: 't',
      fetch: () => Promise.reject(new TypeError('connection refused')),
    });
    await expect(api.getCluster()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('opens the event stream with the token in the query and hands over each event', () => {
    const opened: FakeSocket[] = [];
    class FakeSocket {
      onopen: (() => void) | null = null;
      onmessage: ((m: MessageEvent) => void) | null = null;
      onclose: (() => void) | null = null;
      closed = false;
      constructor(readonly url: string) {
        opened.push(this);
      }
      close(): void {
        this.closed = true;
      }
    }
    const api = createHttpApi({
      baseUrl: BASE,
      token: 'a b',
      WebSocket: FakeSocket as unknown as typeof WebSocket,
    });
    const got: string[] = [];
    const states: string[] = [];
    const stop = api.subscribeEvents({
      onEvent: (e) => got.push(e.type),
      onConnection: (s) => states.push(s),
    });
    const socket = opened[0];
    expect(socket?.url).toBe('ws://127.0.0.1:7070/api/events?token=a%20b');
    socket?.onopen?.();
    socket?.onmessage?.(new MessageEvent('message', { data: '{"type":"role","seq":1}' }));
    socket?.onmessage?.(new MessageEvent('message', { data: 'not json' }));
    expect(got).toEqual(['role']);
    expect(states).toEqual(['connecting', 'open']);
    stop();
    expect(socket?.closed).toBe(true);
  });
});

describe('token', () => {
  it('takes ?token= once, keeps it in session storage and removes it from the address', () => {
    const stored = new Map<string, string>();
    const replaced: string[] = [];
    const env = {
      location: { href: 'http://127.0.0.1:7070/?token=abc&x=1#cluster' },
      storage: {
        getItem: (k: string) => stored.get(k) ?? null,
        setItem: (k: string, v: string) => void stored.set(k, v),
      },
      history: {
        state: null,
        replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url),
      },
    };
    expect(takeToken(env)).toBe('abc');
    expect(stored.get(TOKEN_STORAGE_KEY)).toBe('abc');
    expect(replaced).toEqual(['/?x=1#cluster']);

    // A reload (no token in the URL any more) still finds it.
    env.location.href = 'http://127.0.0.1:7070/?x=1#cluster';
    expect(takeToken(env)).toBe('abc');
    expect(replaced).toHaveLength(1);
  });
});
