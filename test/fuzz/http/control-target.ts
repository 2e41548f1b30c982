/** The CLI's control API as a fuzz target: its task relay, and a view of its state. */
import type { ClusterNode, ClusterStatus } from '../../../cluster/api/control.js';
import type {
  ChecksumResponse,
  TaskListResponse,
  TaskResponse,
} from '../../../cluster/api/node.js';
import type { Task } from '../../../cluster/api/task.js';
import type { RunningCli } from '../../supervisor/cli-harness.js';
import type { TaskTarget } from './task-fuzz.js';

async function leaderOf(cli: RunningCli): Promise<ClusterNode> {
  return cli.leader(20_000);
}

/** A node's client API, with the token (answers must be 2xx, or 404 where asked). */
async function nodeGet<T>(
  cli: RunningCli,
  n: ClusterNode,
  path: string,
): Promise<{ status: number; body: T }> {
  const r = await cli.node<T>(n, path);
  return { status: r.status, body: r.body };
}

async function listOf(cli: RunningCli, n: ClusterNode, consistency: string): Promise<Task[]> {
  const r = await nodeGet<TaskListResponse>(
    cli,
    n,
    `/tasks?consistency=${consistency}&limit=10000`,
  );
  if (r.status !== 200)
    throw new Error(`n${n.id} list: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return [...r.body.tasks];
}

export function controlTarget(cli: RunningCli): TaskTarget & { servers: number[] } {
  const servers: number[] = [];
  let turn = 0;
  return {
    label: 'control API /api/tasks',
    ports: [Number(new URL(cli.base).port)],
    prefix: '/api',
    token: cli.token,
    servers,
    async checksum() {
      const l = await leaderOf(cli);
      const r = await nodeGet<ChecksumResponse>(cli, l, '/checksum');
      if (r.status !== 200) throw new Error(`checksum: HTTP ${r.status}`);
      return r.body.checksum;
    },
    async readTask(id) {
      const nodes = (await cli.cluster()).nodes.filter((n) => n.status === 'running');
      const n = nodes[turn++ % nodes.length];
      const r = await nodeGet<TaskResponse>(cli, n, `/tasks/${id}?consistency=linearizable`);
      if (r.status === 200) return r.body.task;
      if (r.status === 404) return null;
      throw new Error(`n${n.id} GET /tasks/${id}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    },
    async allTasks() {
      const c = await cli.cluster();
      servers.splice(0, servers.length, ...c.nodes.map((n) => n.id));
      return listOf(cli, await leaderOf(cli), 'linearizable');
    },
    async replicas() {
      const sums = await cli.checksums(30_000);
      if (new Set(sums.values()).size !== 1)
        throw new Error(`replicas differ: ${JSON.stringify([...sums])}`);
      const out = new Map<number, Task[]>();
      for (const n of (await cli.cluster()).nodes) out.set(n.id, await listOf(cli, n, 'stale'));
      return out;
    },
  };
}

/** What a refused control request must leave alone: processes, MySQL servers, faults, timers. */
export function controlState(c: ClusterStatus): string {
  return JSON.stringify({
    nodes: c.nodes.map((n) => [n.id, n.status, n.mysql.server]),
    network: c.network,
    slow: c.slow,
  });
}
