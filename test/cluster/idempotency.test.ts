/**
 * Idempotency-Keys through a real 3-node cluster (docs/contract.md §4, "Idempotency-Key"): the
 * key is bound to its request by a fingerprint (method, target, canonical body) that the leader
 * puts in the log entry and every replica checks when applying it. A retry of the same request
 * gets the first answer; the same key on another request is 422 `idempotency_key_reused` and
 * changes nothing, on whichever node it is sent to.
 */
import { describe, expect, it } from 'vitest';
import type { WriteResponse } from '../../cluster/api/node.js';
import type { ApiResult } from './harness/client.js';
import { newKey, ok, useCluster } from './harness/index.js';

const c = useCluster('idem');

function expectReused(res: ApiResult<WriteResponse>, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(422);
  expect(res.body).toEqual({ error: 'idempotency_key_reused', message: expect.any(String) });
}

/** A raw POST /tasks with a body sent byte for byte as given. */
function rawPost(via: number, key: string, body: string): Promise<ApiResult<WriteResponse>> {
  return c()
    .client(via)
    .request<WriteResponse>('POST', '/tasks', {
      rawBody: body,
      headers: { 'idempotency-key': key },
    });
}

describe('Idempotency-Key bound to its request', () => {
  it('(a) a DELETE reusing a POST key is 422 and deletes nothing', async () => {
    const cl = c();
    const leader = await cl.leader();
    const victim = ok(await cl.client(leader).createTask({ title: 'must survive' })).task!;
    const key = newKey('a');
    const created = await cl.client(leader).createTask({ title: 'first' }, { idempotencyKey: key });
    expect(created.status).toBe(201);
    const del = await cl.client(leader).deleteTask(victim.id, { idempotencyKey: key });
    expectReused(del, 'DELETE with the POST key');
    for (const id of cl.ids) {
      const got = await cl.client(id).getTask(victim.id, 'linearizable');
      expect(got.status, `n${id} still has the task`).toBe(200);
    }
  });

  it('(b) the same key with another body is 422; the first answer stays the key', async () => {
    const cl = c();
    const leader = await cl.leader();
    const key = newKey('b');
    const first = ok(await cl.client(leader).createTask({ title: 'A' }, { idempotencyKey: key }));
    const other = await cl.client(leader).createTask({ title: 'B' }, { idempotencyKey: key });
    expectReused(other, 'POST with body B');
    const again = await cl.client(leader).createTask({ title: 'A' }, { idempotencyKey: key });
    expect(again.status).toBe(201);
    expect(ok(again).task).toEqual(first.task);
    const titles = ok(await cl.client(leader).listTasks({ limit: 1000 })).tasks.map((t) => t.title);
    expect(titles.filter((t) => t === 'B')).toEqual([]);
  });

  it('(c) whitespace and key order of the JSON body do not change the request', async () => {
    const cl = c();
    const leader = await cl.leader();
    // 255 characters with spaces: the longest key the contract allows.
    const key = `${newKey('c')} with spaces `.padEnd(254, 'x') + 'y';
    expect(key).toHaveLength(255);
    const first = await rawPost(leader, key, '{"title":"same","priority":"high"}');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const retry = await rawPost(leader, key, '{ "priority" : "high",\n  "title" : "same" }');
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(ok(retry).task).toEqual(ok(first).task);
    expect(ok(retry).raftIndex).toBe(ok(first).raftIndex);
  });

  it('(d) the quoted sf-string form is the same key; a key with spaces is accepted', async () => {
    const cl = c();
    const leader = await cl.leader();
    const key = `${newKey('d')} has "quotes" and \\ too`;
    const quoted = `"${key.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
    const first = await cl.client(leader).createTask({ title: 'q' }, { idempotencyKey: key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const retry = await cl.client(leader).createTask({ title: 'q' }, { idempotencyKey: quoted });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(ok(retry).task).toEqual(ok(first).task);
  });

  it('(f) through a follower: a retry gets the first answer, a mismatch 422, on every node alike', async () => {
    const cl = c();
    const leader = await cl.leader();
    const [f1, f2] = await cl.followers();
    const key = newKey('f');
    const first = ok(
      await cl.client(f1!).createTask({ title: 'via follower' }, { idempotencyKey: key }),
    );
    expect(first.servedBy).toBe(leader);
    const retry = await cl
      .client(f2!)
      .createTask({ title: 'via follower' }, { idempotencyKey: key });
    expect(retry.status).toBe(201);
    expect(ok(retry).task).toEqual(first.task);
    expect(ok(retry).raftIndex).toBe(first.raftIndex);
    const mismatch = await cl
      .client(f1!)
      .patchTask(first.task!.id, { title: 'changed' }, { idempotencyKey: key });
    expectReused(mismatch, 'PATCH through a follower with the POST key');
    for (const id of cl.ids) {
      const got = ok(await cl.client(id).getTask(first.task!.id, 'linearizable'));
      expect(got.task, `n${id}`).toEqual(first.task);
    }
    // Every replica applied the same entries the same way (the 422 changed nothing anywhere).
    const sums = [...(await cl.checksums()).values()];
    expect(sums).toHaveLength(3);
    for (const s of sums) expect(s).toEqual(sums[0]);
  });
});
