/**
 * Bad input through a real cluster: each invalid write is answered 400 (per-field details) or
 * 413, on the leader and on followers (which must refuse before forwarding), and nothing is
 * written anywhere. Any Unicode (and SQL) in a title is stored and returned exactly by every node.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../cluster/api/task.js';
import { ok, useCluster } from './harness/index.js';

const c = useCluster('input');

/** Every node's tasks (linearizable), sorted by id, plus its checksum. */
async function everyNodeState(): Promise<Map<number, { tasks: Task[]; checksum: string }>> {
  const out = new Map<number, { tasks: Task[]; checksum: string }>();
  const sums = await c().checksums();
  for (const id of c().ids) {
    const list = ok(await c().client(id).listTasks({ consistency: 'linearizable' }), `n${id}`);
    const tasks = [...list.tasks].sort((a, b) => a.id.localeCompare(b.id));
    out.set(id, { tasks, checksum: sums.get(id)?.checksum ?? '?' });
  }
  return out;
}

const TWO_MIB = 2 * 1024 * 1024;

describe('invalid input', () => {
  it('is refused with 400/413 and details on every node, and nothing is written', async () => {
    const cl = c();
    // An existing task, so PATCH can be tried too.
    const leader = await cl.leader();
    const existing = ok(await cl.client(leader).createTask({ title: 'the one valid task' })).task;
    expect(existing).not.toBeNull();
    if (!existing) return;
    const before = await everyNodeState();
    expect(before.get(leader)?.tasks.length).toBeGreaterThan(0);

    const cases: {
      name: string;
      body?: object;
      raw?: string;
      status: number;
      error: string;
      field?: string;
      patch?: boolean;
    }[] = [
      {
        name: 'empty title',
        body: { title: '' },
        status: 400,
        error: 'invalid_input',
        field: 'title',
      },
      {
        name: 'blank title (trimmed to empty)',
        body: { title: '   ' },
        status: 400,
        error: 'invalid_input',
        field: 'title',
      },
      { name: 'missing title', body: {}, status: 400, error: 'invalid_input', field: 'title' },
      {
        name: '256-character title',
        body: { title: 'x'.repeat(256) },
        status: 400,
        error: 'invalid_input',
        field: 'title',
      },
      {
        name: 'bad status',
        body: { title: 'ok', status: 'blocked' },
        status: 400,
        error: 'invalid_input',
        field: 'status',
      },
      {
        name: 'impossible date 2025-02-30',
        body: { title: 'ok', dueDate: '2025-02-30' },
        status: 400,
        error: 'invalid_input',
        field: 'dueDate',
      },
      {
        name: 'unknown field',
        body: { title: 'ok', colour: 'red' },
        status: 400,
        error: 'invalid_input',
        field: 'colour',
      },
      {
        name: '2 MiB body',
        raw: JSON.stringify({ title: 'big', description: 'x'.repeat(TWO_MIB) }),
        status: 413,
        error: 'body_too_large',
      },
      {
        name: 'PATCH with a bad status',
        body: { status: 'blocked' },
        status: 400,
        error: 'invalid_input',
        field: 'status',
        patch: true,
      },
      {
        name: 'PATCH with a 256-character title',
        body: { title: 'y'.repeat(256) },
        status: 400,
        error: 'invalid_input',
        field: 'title',
        patch: true,
      },
    ];

    for (const id of cl.ids) {
      const client = cl.client(id);
      for (const k of cases) {
        const path = k.patch ? `/tasks/${existing.id}` : '/tasks';
        const res = await client.request(k.patch ? 'PATCH' : 'POST', path, {
          body: k.body,
          rawBody: k.raw,
        });
        const where = `${k.name} via n${id}${id === leader ? ' (leader)' : ''}`;
        expect(res.status, `${where}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(k.status);
        expect(res.body, where).toMatchObject({ error: k.error });
        expect(typeof (res.ok ? undefined : res.body.message), where).toBe('string');
        if (k.field !== undefined && !res.ok) {
          expect(res.body.details, `${where}: details`).toBeDefined();
          expect(Object.keys(res.body.details ?? {}), `${where}: details name the field`).toContain(
            k.field,
          );
          expect(typeof res.body.details?.[k.field]).toBe('string');
        }
      }
    }

    const after = await everyNodeState();
    for (const id of cl.ids) {
      const b = before.get(id);
      const a = after.get(id);
      expect(a?.tasks.length, `task count on n${id}`).toBe(b?.tasks.length);
      expect(a?.tasks, `tasks on n${id}`).toEqual(b?.tasks);
      expect(a?.checksum, `checksum of n${id}`).toBe(b?.checksum);
    }
  });

  it('accepts a title of exactly 255 characters (the limit is not off by one)', async () => {
    const cl = c();
    const followers = await cl.followers();
    const title = 'é'.repeat(254) + '🚀'; // 255 characters, 510 bytes of UTF-8 + 4
    const res = await cl.client(followers[0]).createTask({ title });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201);
    const t = ok(res).task;
    expect(t?.title).toBe(title);
  });
});

describe('any Unicode, and SQL in a title, is just text', () => {
  const TITLE = "Ünïcødé 🚀 ' OR 1=1; --";
  const DESCRIPTION = 'Ωmega \\ "quoted" backslash, 𝄞 clef, 中文, \ttab; DROP TABLE tasks; --';

  it('is stored and returned exactly by every node', async () => {
    const cl = c();
    const followers = await cl.followers();
    const res = await cl
      .client(followers[0])
      .createTask({ title: TITLE, description: DESCRIPTION });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const created = ok(res).task;
    expect(created?.title).toBe(TITLE);
    expect(created?.description).toBe(DESCRIPTION);
    if (!created) return;

    for (const id of cl.ids) {
      const got = ok(await cl.client(id).getTask(created.id, 'linearizable'), `GET on n${id}`).task;
      expect(got.title, `title on n${id}`).toBe(TITLE);
      expect(Buffer.from(got.title, 'utf8').equals(Buffer.from(TITLE, 'utf8'))).toBe(true);
      expect(got.description, `description on n${id}`).toBe(DESCRIPTION);
      expect(got).toEqual(created);
    }
    // After catching up, a stale read on every node returns it too.
    await cl.checksums();
    for (const id of cl.ids) {
      const got = ok(await cl.client(id).getTask(created.id, 'stale'), `stale GET on n${id}`).task;
      expect(got).toEqual(created);
    }
  });

  it('a search for the SQL text finds only that task; the table is intact', async () => {
    const cl = c();
    for (const id of cl.ids) {
      const all = ok(await cl.client(id).listTasks({ consistency: 'linearizable' }));
      expect(all.tasks.length).toBeGreaterThan(1);
      const hit = ok(await cl.client(id).listTasks({ q: "' OR 1=1; --" }), `search on n${id}`);
      expect(hit.tasks.map((t) => t.title)).toEqual([TITLE]);
      const none = ok(await cl.client(id).listTasks({ q: "zzz' OR '1'='1" }));
      expect(none.tasks).toEqual([]);
    }
    const sums = await cl.checksums();
    const values = [...sums.values()];
    for (const [id, s] of sums) expect(s, `checksum of n${id}`).toEqual(values[0]);
  });
});
