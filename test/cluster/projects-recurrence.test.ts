/**
 * Issue 14 on a real 3-node cluster (each node its own process and MariaDB database): projects,
 * the task's new fields and their refusals, list filters, subtasks deleted with their parent,
 * tags, a recurring task completed across a leader change (one next occurrence, equal replicas),
 * a Todoist CSV import retried with its key, the import body limit, and export → import into a
 * fresh cluster giving the same data.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ExportDocument,
  ImportResponse,
  ProjectListResponse,
  ProjectWriteResponse,
  TagListResponse,
  TaskListResponse,
  WriteResponse,
} from '../../cluster/api/node.js';
import type { Project, Task } from '../../cluster/api/task.js';
import { useTestMariaDb } from '../support/mariadb.js';
import type { ApiResult, NodeClient } from './harness/client.js';
import {
  newKey,
  ok,
  printNodeOutputOnFailure,
  sleep,
  startCluster,
  type Cluster,
} from './harness/index.js';

const db = useTestMariaDb();
let cluster: Cluster | undefined;
printNodeOutputOnFailure(() => cluster);

const c = (): Cluster => {
  if (cluster === undefined) throw new Error('cluster not started');
  return cluster;
};

beforeAll(async () => {
  cluster = await startCluster({ mysqlUrls: db.url, label: 'i14' });
});
afterAll(async () => {
  await cluster?.destroy();
});

const FIXTURE = readFileSync(new URL('../fixtures/todoist-export.csv', import.meta.url), 'utf8');

function write<T>(
  client: NodeClient,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  return client.request<T>(method, path, { body, headers, timeoutMs: 20_000 });
}

async function createTask(via: number, body: object, key?: string): Promise<Task> {
  const r = await c()
    .client(via)
    .createTask(body, key === undefined ? {} : { idempotencyKey: key });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return ok(r).task!;
}

async function list(via: number, query: string): Promise<Task[]> {
  const r = await c().client(via).request<TaskListResponse>('GET', `/tasks?${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return [...ok(r).tasks];
}

/** Until a write through every node succeeds: leadership has settled after a crash. */
async function settle(cl: Cluster): Promise<void> {
  for (const id of cl.ids) {
    await cl.waitFor(
      async () => {
        const r = await cl
          .client(id)
          .createTask({ title: 'settle' }, { timeoutMs: 5_000 })
          .catch(() => undefined);
        return r?.status === 201 ? true : undefined;
      },
      30_000,
      `a write through n${id}`,
      250,
    );
  }
}

async function expectEqualChecksums(cl: Cluster): Promise<void> {
  const sums = [...(await cl.checksums(30_000)).values()];
  expect(sums).toHaveLength(3);
  for (const s of sums) expect(s).toEqual(sums[0]);
}

describe('projects', () => {
  it('CRUD through followers, a duplicate name is 400, delete keeps or deletes its tasks', async () => {
    const cl = c();
    const leader = await cl.leader();
    const [f1, f2] = await cl.followers();
    const created = await write<ProjectWriteResponse>(cl.client(f1!), 'POST', '/projects', {
      name: 'Home',
      color: '#FF8800',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const home = ok(created).project!;
    expect(home).toMatchObject({ name: 'Home', color: '#ff8800', version: 1 });
    expect(ok(created).servedBy).toBe(leader);

    const dup = await write<ProjectWriteResponse>(cl.client(f2!), 'POST', '/projects', {
      name: 'hOME',
    });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      error: 'invalid_input',
      details: { name: expect.any(String) },
    });

    const work = ok(
      await write<ProjectWriteResponse>(cl.client(leader), 'POST', '/projects', { name: 'Work' }),
    ).project!;
    const renamed = await write<ProjectWriteResponse>(
      cl.client(f2!),
      'PATCH',
      `/projects/${work.id}`,
      { name: 'Office', color: null },
      { 'if-match': '1' },
    );
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(ok(renamed).project).toMatchObject({ name: 'Office', version: 2 });
    const stale = await write(
      cl.client(f1!),
      'PATCH',
      `/projects/${work.id}`,
      { name: 'X' },
      {
        'if-match': '1',
      },
    );
    expect(stale.status).toBe(409);
    const clash = await write(cl.client(f1!), 'PATCH', `/projects/${work.id}`, { name: 'home' });
    expect(clash.status).toBe(400);

    for (const id of cl.ids) {
      const all = ok(await cl.client(id).request<ProjectListResponse>('GET', '/projects'));
      expect(all.projects.map((p) => p.name)).toEqual(['Home', 'Office']);
      const one = await cl.client(id).request<{ project: Project }>('GET', `/projects/${home.id}`);
      expect(one.status).toBe(200);
    }

    // keep: its tasks move to no project; delete: they go, with their subtasks.
    const kept = await createTask(leader, { title: 'kept', projectId: home.id });
    const gone = await createTask(leader, { title: 'gone', projectId: work.id });
    const goneChild = await createTask(leader, { title: 'gone child', parentId: gone.id });
    const delKeep = await write<ProjectWriteResponse>(
      cl.client(f1!),
      'DELETE',
      `/projects/${home.id}`,
    );
    expect(delKeep.status, JSON.stringify(delKeep.body)).toBe(200);
    expect(ok(delKeep)).toMatchObject({ project: null, movedIds: [kept.id], deletedIds: [] });
    const delAll = await write<ProjectWriteResponse>(
      cl.client(f2!),
      'DELETE',
      `/projects/${work.id}?tasks=delete`,
    );
    expect(delAll.status, JSON.stringify(delAll.body)).toBe(200);
    expect([...ok(delAll).deletedIds!].sort()).toEqual([gone.id, goneChild.id].sort());
    const k = ok(await cl.client(f2!).getTask(kept.id, 'linearizable')).task;
    expect(k).toMatchObject({ projectId: null, version: 2 });
    expect((await cl.client(f1!).getTask(goneChild.id, 'linearizable')).status).toBe(404);
    expect((await cl.client(leader).request('GET', `/projects/${home.id}`)).status).toBe(404);
    await expectEqualChecksums(cl);
  });
});

describe('tasks with the new fields', () => {
  it('stores every field, refuses bad ones, filters, lists tags, deletes subtrees', async () => {
    const cl = c();
    const leader = await cl.leader();
    const [f1] = await cl.followers();
    const proj = ok(
      await write<ProjectWriteResponse>(cl.client(leader), 'POST', '/projects', { name: 'Fields' }),
    ).project!;
    const parent = await createTask(f1!, {
      title: 'parent',
      projectId: proj.id,
      tags: ['Errand', 'home', 'ERRAND'],
      dueDate: '2020-01-01',
      dueTime: '07:45',
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO', from: 'due' },
      position: 12.5,
      priority: 'high',
    });
    expect(parent).toMatchObject({
      projectId: proj.id,
      tags: ['Errand', 'home'],
      dueDate: '2020-01-01',
      dueTime: '07:45',
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO', from: 'due' },
      position: 12.5,
      parentId: null,
      completedAt: null,
    });
    const child = await createTask(leader, {
      title: 'child',
      parentId: parent.id,
      tags: ['errand'],
    });
    const grandchild = await createTask(f1!, { title: 'grandchild', parentId: child.id });
    for (const id of cl.ids) {
      expect(ok(await cl.client(id).getTask(parent.id, 'linearizable')).task).toEqual(parent);
    }

    const refusals: [object, string][] = [
      [{ title: 'a', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
      [{ title: 'a', tags: ['two words'] }, 'tags.0'],
      [{ title: 'a', dueTime: '10:00' }, 'dueTime'],
      [
        { title: 'a', dueDate: '2025-01-01', recurrence: { rrule: 'EVERY=TUESDAY', from: 'due' } },
        'recurrence.rrule',
      ],
      [{ title: 'a', parentId: '00000000-0000-4000-8000-000000000000' }, 'parentId'],
      [{ title: 'a', projectId: '00000000-0000-4000-8000-000000000000' }, 'projectId'],
    ];
    for (const [body, field] of refusals) {
      const r = await cl.client(f1!).createTask(body);
      expect(r.status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body).toMatchObject({ error: 'invalid_input' });
      expect(Object.keys((r.body as { details?: object }).details ?? {})).toContain(field);
    }
    // A cycle: the parent under its own grandchild.
    const cycle = await cl.client(leader).patchTask(parent.id, { parentId: grandchild.id });
    expect(cycle.status, JSON.stringify(cycle.body)).toBe(400);
    expect(cycle.body).toMatchObject({
      error: 'invalid_input',
      details: { parentId: expect.any(String) },
    });
    const badTz = await cl.client(f1!).request('GET', '/tasks?due=today&tz=Nowhere/Atlantis');
    expect(badTz.status).toBe(400);

    // Filters.
    const ids = (ts: Task[]): string[] => ts.map((t) => t.id);
    expect(ids(await list(f1!, `projectId=${proj.id}`))).toEqual([parent.id]);
    expect(ids(await list(f1!, `parentId=${parent.id}`))).toEqual([child.id]);
    expect(ids(await list(leader, 'tag=ERRAND&tag=home'))).toEqual([parent.id]);
    expect(ids(await list(leader, 'tag=errand')).sort()).toEqual([parent.id, child.id].sort());
    expect(ids(await list(f1!, `due=overdue&tz=Europe/Paris&projectId=${proj.id}`))).toEqual([
      parent.id,
    ]);
    const inNoProject = await list(f1!, 'projectId=none&parentId=none&limit=10000');
    expect(inNoProject.some((t) => t.id === parent.id || t.id === child.id)).toBe(false);
    const today = new Date().toISOString().slice(0, 10);
    const dueToday = await createTask(leader, { title: 'today', dueDate: today, tags: ['solo'] });
    expect(ids(await list(f1!, 'due=today&tag=solo&tz=UTC'))).toEqual([dueToday.id]);

    const tags = ok(await cl.client(f1!).request<TagListResponse>('GET', '/tags')).tags;
    expect(tags).toEqual(
      expect.arrayContaining([
        { name: 'Errand', count: 2 },
        { name: 'home', count: 1 },
        { name: 'solo', count: 1 },
      ]),
    );

    // Deleting the parent deletes its subtree, in one entry.
    const del = await cl.client(f1!).deleteTask(parent.id);
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect([...ok(del).deletedIds!].sort()).toEqual([parent.id, child.id, grandchild.id].sort());
    for (const id of cl.ids) {
      expect((await cl.client(id).getTask(grandchild.id, 'linearizable')).status).toBe(404);
    }
    await expectEqualChecksums(cl);
  });
});

describe('a recurring task completed across a leader change', () => {
  // The leader dies (a) after applying the completion, before answering: the entry committed,
  // the retry must get its first answer; (b) before its WAL write: the entry may be lost, the
  // retry's new leader computes the occurrence again. Either way: exactly one next occurrence.
  for (const failpoint of ['apply-mid-batch', 'wal-before-write'] as const) {
    it(`creates exactly one next occurrence, and every replica ends equal (${failpoint})`, async () => {
      const cl = c();
      const oldLeader = await cl.leader();
      const title = `weekly review ${newKey('r')}`;
      const task = await createTask(oldLeader, {
        title,
        dueDate: '2031-01-01', // a Wednesday
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'due' },
      });
      await createTask(oldLeader, { title: `${title} / step`, parentId: task.id });
      const key = newKey('complete');
      await cl.armFailpoint(oldLeader, failpoint);
      const exited = cl.exited(oldLeader);
      const first = await cl
        .client(oldLeader)
        .patchTask(task.id, { status: 'done' }, { idempotencyKey: key, timeoutMs: 10_000 })
        .then(
          (r) => `HTTP ${r.status}`,
          (e: unknown) => String(e),
        );
      await exited;
      // Retried with the same key through the others until a new leader answers.
      const others = cl.ids.filter((id) => id !== oldLeader);
      let answer: ApiResult<WriteResponse> | undefined;
      for (let attempt = 0; attempt < 80 && answer?.status !== 200; attempt++) {
        const via = others[attempt % others.length]!;
        try {
          answer = await cl
            .client(via)
            .patchTask(task.id, { status: 'done' }, { idempotencyKey: key, timeoutMs: 10_000 });
        } catch {
          answer = undefined;
        }
        if (answer?.status !== 200) await sleep(250);
      }
      expect(answer?.status, `retry: ${JSON.stringify(answer?.body)}; first: ${first}`).toBe(200);
      const done = ok(answer!);
      expect(done.task).toMatchObject({ id: task.id, status: 'done', recurrence: null });
      expect(done.next).toMatchObject({
        title,
        status: 'todo',
        dueDate: '2031-01-03',
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'due' },
      });
      // Another retry gets the same answer; nothing new is created.
      const again = ok(
        await cl.client(others[0]!).patchTask(task.id, { status: 'done' }, { idempotencyKey: key }),
      );
      expect(again.next?.id).toBe(done.next?.id);

      await cl.start(oldLeader);
      await cl.waitReady();
      await settle(cl);
      for (const id of cl.ids) {
        const mine = (await list(id, `q=${encodeURIComponent(title)}&limit=100`)).filter(
          (t) => t.title === title,
        );
        expect(mine.map((t) => t.status).sort(), `n${id}`).toEqual(['done', 'todo']);
        expect(mine.find((t) => t.status === 'todo')?.id).toBe(done.next!.id);
        // The subtask was copied under the next occurrence.
        const steps = await list(id, `parentId=${done.next!.id}`);
        expect(steps.map((t) => t.title)).toEqual([`${title} / step`]);
      }
      await expectEqualChecksums(cl);
    });
  }
});

describe('import and export', () => {
  it('imports a Todoist CSV through a follower; a retry with the key applies nothing twice', async () => {
    const cl = c();
    const [f1, f2] = await cl.followers();
    const key = newKey('todoist');
    // A 503 (leadership settling after the previous tests' crashes) is retried with the key,
    // as a client must.
    const send = async (via: number): Promise<ApiResult<ImportResponse>> => {
      for (let attempt = 0; ; attempt++) {
        const r = await cl
          .client(via)
          .request<ImportResponse>('POST', '/import?project=Todoist%20import', {
            rawBody: FIXTURE,
            headers: { 'content-type': 'text/csv', 'idempotency-key': key },
            timeoutMs: 30_000,
          });
        if (r.status !== 503 || attempt === 20) return r;
        await sleep(250);
      }
    };
    const first = await send(f1!);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(ok(first)).toMatchObject({ projects: 1, tasks: 7, skipped: 0 });
    const again = await send(f2!);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(ok(again)).toMatchObject({ projects: 1, tasks: 7, skipped: 0 });
    // What it created, for an undo: the same ids on the keyed retry.
    expect(ok(first).taskIds).toHaveLength(7);
    expect(ok(again).taskIds).toEqual(ok(first).taskIds);
    expect(ok(again).projectIds).toEqual(ok(first).projectIds);

    const projects = ok(await cl.client(f2!).request<ProjectListResponse>('GET', '/projects'));
    const proj = projects.projects.filter((p) => p.name === 'Todoist import');
    expect(proj).toHaveLength(1);
    expect(ok(first).projectIds).toEqual([proj[0]!.id]);
    const tasks = await list(f2!, `projectId=${proj[0]!.id}`);
    expect(tasks).toHaveLength(7);
    const byTitle = new Map(tasks.map((t) => [t.title, t]));
    expect(byTitle.get('Pay the rent')).toMatchObject({
      priority: 'high',
      tags: ['home', 'money'],
      recurrence: { rrule: 'FREQ=MONTHLY;BYMONTHDAY=1', from: 'due' },
    });
    expect(byTitle.get('Find the insurance card')?.parentId).toBe(
      byTitle.get('Book the dentist')?.id,
    );
    expect(byTitle.get('Book the dentist')?.dueDate).toBe('2031-03-14');

    // Without the key, the same file is new rows: that is what the key is for.
    await expectEqualChecksums(cl);
  });

  it('a large keyed import goes in several entries, replicated; a retry adds nothing', async () => {
    const cl = c();
    const [f1, f2] = await cl.followers();
    const at = '2025-02-01T00:00:00.000Z';
    const tasks = Array.from({ length: 1300 }, (_, i) => ({
      id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      title: `bulk ${i} ${'·'.repeat(200)}`,
      tags: ['bulk'],
      parentId:
        i % 10 === 0 ? null : `00000000-0000-4000-9000-${String(i - (i % 10)).padStart(12, '0')}`,
      createdAt: at,
      updatedAt: at,
    }));
    const doc = { format: 'raftboard/1', exportedAt: at, projects: [], tasks };
    const key = newKey('bulk');
    const send = (via: number) =>
      cl.client(via).request<ImportResponse>('POST', '/import', {
        body: doc,
        headers: { 'idempotency-key': key },
        timeoutMs: 60_000,
      });
    const first = await send(f1!);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(ok(first)).toMatchObject({ projects: 0, tasks: 1300, skipped: 0 });
    const again = await send(f2!);
    expect(ok(again)).toEqual(ok(first));
    expect(new Set(ok(first).taskIds).size).toBe(1300);
    for (const id of cl.ids) {
      expect(await list(id, 'tag=bulk&limit=10000'), `n${id}`).toHaveLength(1300);
    }
    await expectEqualChecksums(cl);
  });

  it('answers 413 for an import body past 16 MiB', async () => {
    const cl = c();
    const [f1] = await cl.followers();
    const r = await cl.client(f1!).request('POST', '/import', {
      rawBody: Buffer.alloc(16 * 1024 * 1024 + 10, 0x20),
      headers: { 'content-type': 'text/csv' },
      timeoutMs: 30_000,
    });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'body_too_large' });
  });

  it('export → import into a fresh cluster gives the same data; CSV export has a header', async () => {
    const cl = c();
    const leader = await cl.leader();
    const done = await createTask(leader, { title: 'finished', status: 'done' });
    expect(done.completedAt).not.toBeNull();
    const exported = await cl.client(leader).request<ExportDocument>('GET', '/export');
    expect(exported.status).toBe(200);
    const doc = ok(exported);
    expect(doc.format).toBe('raftboard/1');
    expect(doc.tasks.length).toBeGreaterThan(5);
    const csv = await cl.client(leader).getText('/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,title,description,status,priority,dueDate/);

    const fresh = await startCluster({ mysqlUrls: db.url, label: 'i14fresh' });
    try {
      const fl = await fresh.leader();
      const [ff] = await fresh.followers();
      const key = newKey('restore');
      const imported = await fresh.client(ff!).request<ImportResponse>('POST', '/import', {
        body: doc,
        headers: { 'idempotency-key': key },
        timeoutMs: 60_000,
      });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(ok(imported)).toMatchObject({
        projects: doc.projects.length,
        tasks: doc.tasks.length,
        skipped: 0,
      });
      const back = ok(await fresh.client(fl).request<ExportDocument>('GET', '/export'));
      const strip = (t: Task) => ({ ...t, raftIndex: 0, version: 0 });
      const sort = <T extends { id: string }>(xs: readonly T[]) =>
        [...xs].sort((a, b) => a.id.localeCompare(b.id));
      expect(sort(back.tasks).map(strip)).toEqual(sort(doc.tasks).map(strip));
      expect(sort(back.projects).map((p) => ({ ...p, version: 0 }))).toEqual(
        sort(doc.projects).map((p) => ({ ...p, version: 0 })),
      );
      const sums = [...(await fresh.checksums(30_000)).values()];
      for (const s of sums) expect(s).toEqual(sums[0]);
    } finally {
      await fresh.destroy();
    }
  });
});
