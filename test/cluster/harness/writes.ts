import { newKey, ok } from './client.js';
import type { Cluster } from './cluster.js';

/**
 * Creates `count` tasks through `node`, 8 requests at a time (each with its own Idempotency-Key),
 * `body(i)` for the i-th; resolves with their ids in order. Any non-2xx fails the test.
 */
export async function createTasks(
  cl: Cluster,
  node: number,
  count: number,
  body: (i: number) => object,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, (_, k) =>
        cl.client(node).createTask(body(i + k), { idempotencyKey: newKey(`t${i + k}`) }),
      ),
    );
    for (const r of batch) ids.push(ok(r, 'create').task!.id);
  }
  return ids;
}
