/** The task fuzz pointed at the client API of a harness cluster's nodes (docs/contract.md §4). */
import fs from 'node:fs';
import type { TaskListResponse } from '../../../cluster/api/node.js';
import type { Task } from '../../../cluster/api/task.js';
import type { Cluster } from '../../cluster/harness/index.js';
import { replicaTasks } from '../../crash/check.js';
import type { TaskTarget } from './task-fuzz.js';

export function nodeTarget(cl: Cluster): TaskTarget {
  const token = fs.readFileSync(cl.config(cl.ids[0]).tokenFile, 'utf8').trim();
  const ports = cl.ids.map((id) => Number(new URL(cl.client(id).baseUrl).port));
  let leader: number | undefined;
  const leaderId = async (): Promise<number> => (leader ??= await cl.leader());
  let turn = 0;
  return {
    label: 'client API',
    ports,
    prefix: '',
    token,
    servers: cl.ids,
    async checksum() {
      const res = await cl.client(await leaderId()).checksum();
      if (!res.ok) {
        leader = undefined;
        throw new Error(`checksum: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      }
      return res.body.checksum;
    },
    async readTask(id) {
      // A node in turn, so reads come from followers too (each serves them from its own MySQL).
      const via = cl.ids[turn++ % cl.ids.length];
      const res = await cl.client(via).getTask(id, 'linearizable');
      if (res.ok) return res.body.task;
      if (res.status === 404) return null;
      throw new Error(`n${via} GET /tasks/${id}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    },
    async allTasks() {
      const res = await cl
        .client(await leaderId())
        .request<TaskListResponse>('GET', '/tasks?consistency=linearizable&limit=10000');
      if (!res.ok) throw new Error(`list: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      return [...res.body.tasks];
    },
    async replicas() {
      const sums = await cl.checksums(30_000, cl.ids);
      if (new Set([...sums.values()].map((s) => s.checksum)).size !== 1) {
        throw new Error(`replicas differ: ${JSON.stringify([...sums])}`);
      }
      const out = new Map<number, Task[]>();
      for (const id of cl.ids) out.set(id, await replicaTasks(cl, id));
      return out;
    },
  };
}
