/**
 * CRUD through every node of a real 3-node cluster: writes sent to a follower are forwarded to
 * the leader (servedBy = leader), every node reads back the same task, version checks give 409,
 * unknown ids 404, and at the end all replicas hold byte-for-byte the same tasks (checksums).
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../cluster/api/task.js';
import { ok, useCluster } from './harness/index.js';

const c = useCluster('crud');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads the task from every node (linearizable) and checks they all return `expected`. */
async function expectOnEveryNode(expected: Task): Promise<void> {
  for (const id of c().ids) {
    const res = await c().client(id).getTask(expected.id, 'linearizable');
    expect(res.status, `GET /tasks/${expected.id} on n${id}`).toBe(200);
    expect(ok(res).task, `task as n${id} returns it`).toEqual(expected);
  }
}

describe('CRUD through every node', () => {
  it('creates, reads, updates and deletes via each node; followers forward to the leader', async () => {
    const cl = c();
    for (const via of cl.ids) {
      const leader = await cl.leader();
      const input = {
        title: `  task created via n${via}  `,
        description: `made through node ${via}`,
        priority: 'high',
        dueDate: '2025-03-01',
      };
      const created = await cl.client(via).createTask(input);
      expect(created.status, `POST /tasks via n${via}: ${JSON.stringify(created.body)}`).toBe(201);
      const w = ok(created);
      expect(w.servedBy, `servedBy of a write sent to n${via} (leader n${leader})`).toBe(leader);
      expect(w.raftIndex).toBeGreaterThan(0);
      expect(w.term).toBeGreaterThanOrEqual(1);
      const task = w.task;
      expect(task).not.toBeNull();
      if (!task) return;
      expect(task.id).toMatch(UUID);
      expect(task).toMatchObject({
        title: `task created via n${via}`, // trimmed
        description: `made through node ${via}`,
        status: 'todo',
        priority: 'high',
        dueDate: '2025-03-01',
        version: 1,
        raftIndex: w.raftIndex,
      });
      expect(task.createdAt).toMatch(ISO);
      expect(task.updatedAt).toBe(task.createdAt);
      await expectOnEveryNode(task);

      // Update through the next node, with the right expected version.
      const other = (via % cl.ids.length) + 1;
      const patched = await cl
        .client(other)
        .patchTask(task.id, { status: 'in_progress', expectedVersion: 1 });
      expect(patched.status, `PATCH via n${other}: ${JSON.stringify(patched.body)}`).toBe(200);
      const pw = ok(patched);
      expect(pw.servedBy).toBe(await cl.leader());
      expect(pw.raftIndex).toBeGreaterThan(w.raftIndex);
      const updated = pw.task;
      expect(updated).toMatchObject({
        id: task.id,
        title: task.title,
        status: 'in_progress',
        priority: 'high',
        version: 2,
        raftIndex: pw.raftIndex,
        createdAt: task.createdAt,
      });
      if (!updated) return;
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.updatedAt));
      await expectOnEveryNode(updated);

      // A stale version (body or If-Match) is a conflict and changes nothing.
      const third = (other % cl.ids.length) + 1;
      const stale = await cl
        .client(third)
        .patchTask(task.id, { title: 'lost', expectedVersion: 1 });
      expect(stale.status, JSON.stringify(stale.body)).toBe(409);
      expect(stale.body).toMatchObject({ error: 'version_conflict' });
      const staleHeader = await cl
        .client(via)
        .patchTask(task.id, { title: 'lost' }, { ifMatch: 1 });
      expect(staleHeader.status, JSON.stringify(staleHeader.body)).toBe(409);
      expect(staleHeader.body).toMatchObject({ error: 'version_conflict' });
      const staleDelete = await cl.client(other).deleteTask(task.id, { expectedVersion: 1 });
      expect(staleDelete.status, JSON.stringify(staleDelete.body)).toBe(409);
      await expectOnEveryNode(updated);

      // Delete through the third node (If-Match with the current version).
      const deleted = await cl.client(third).deleteTask(task.id, { ifMatch: 2 });
      expect(deleted.status, `DELETE via n${third}: ${JSON.stringify(deleted.body)}`).toBe(200);
      const dw = ok(deleted);
      expect(dw.task).toBeNull();
      expect(dw.servedBy).toBe(await cl.leader());
      expect(dw.raftIndex).toBeGreaterThan(pw.raftIndex);
      for (const id of cl.ids) {
        const gone = await cl.client(id).getTask(task.id, 'linearizable');
        expect(gone.status, `GET deleted task on n${id}`).toBe(404);
        expect(gone.body).toMatchObject({ error: 'not_found' });
      }
    }
  });

  it('lists the same tasks on every node, with filters, and answers 404 for unknown ids', async () => {
    const cl = c();
    const made: Task[] = [];
    for (const [i, via] of cl.ids.entries()) {
      const res = await cl.client(via).createTask({
        title: `listed ${i} ${via === 1 ? 'alpha' : 'beta'}`,
        status: i === 0 ? 'done' : 'todo',
      });
      const t = ok(res, `create via n${via}`).task;
      if (t) made.push(t);
    }
    expect(made).toHaveLength(cl.ids.length);
    const lists = new Map<number, Task[]>();
    for (const id of cl.ids) {
      const res = await cl.client(id).listTasks({ consistency: 'linearizable' });
      const body = ok(res, `list on n${id}`);
      expect(body.consistency).toBe('linearizable');
      expect(body.servedBy).toBe(id);
      expect(body.appliedIndex).toBeGreaterThanOrEqual(Math.max(...made.map((t) => t.raftIndex)));
      lists.set(
        id,
        [...body.tasks].sort((a, b) => a.id.localeCompare(b.id)),
      );
      for (const t of made) expect(body.tasks).toContainEqual(t);
    }
    const first = lists.get(cl.ids[0]);
    for (const id of cl.ids) expect(lists.get(id), `list of n${id} vs n1`).toEqual(first);

    for (const id of cl.ids) {
      const done = ok(await cl.client(id).listTasks({ status: 'done' }));
      expect(done.tasks.length).toBeGreaterThan(0);
      expect(done.tasks.every((t) => t.status === 'done')).toBe(true);
      expect(done.tasks.map((t) => t.id)).toContain(made[0].id);
      const q = ok(await cl.client(id).listTasks({ q: 'alpha' }));
      expect(q.tasks.map((t) => t.id)).toEqual([made[0].id]);
    }

    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const id of cl.ids) {
      const client = cl.client(id);
      for (const res of [
        await client.getTask(unknown),
        await client.patchTask(unknown, { title: 'x' }),
        await client.deleteTask(unknown),
      ]) {
        expect(res.status, `unknown id on n${id}: ${JSON.stringify(res.body)}`).toBe(404);
        expect(res.body).toMatchObject({ error: 'not_found' });
      }
    }
  });

  it('ends with equal checksums on every node', async () => {
    const sums = await c().checksums();
    const values = [...sums.values()];
    expect(values).toHaveLength(3);
    expect(values[0].appliedIndex).toBeGreaterThan(0);
    expect(values[0].checksum).toMatch(/^[0-9a-f]{16,}$/);
    for (const [id, s] of sums) expect(s, `checksum of n${id}`).toEqual(values[0]);
  });
});
