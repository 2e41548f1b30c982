/**
 * Waiting for the cluster's state: a leader a majority follows, a cluster ready for a test, and
 * every node applied up to the same index.
 */
import type { ChecksumResponse, NodeStatus } from '../../../cluster/api/node.js';
import type { Cluster } from './cluster.js';

/**
 * The leader: a live node that says it leads, whose term is the highest any live node is in
 * (or a node with a higher term knows no leader yet), and that a majority of the cluster
 * (itself included) follows in that term.
 */
export function findLeader(c: Cluster, timeoutMs: number): Promise<number> {
  const majority = Math.floor(c.ids.length / 2) + 1;
  return c.waitFor(
    async () => {
      const st = await c.statuses();
      const good = [...st.values()].filter((s): s is NodeStatus => !(s instanceof Error));
      const leaders = good.filter((s) => s.role === 'leader');
      leaders.sort((a, b) => b.term - a.term);
      const l = leaders[0];
      if (!l) return undefined;
      const followers = good.filter((s) => s.term === l.term && s.leaderId === l.id);
      return followers.length >= majority ? l.id : undefined;
    },
    timeoutMs,
    'a leader followed by a majority',
  );
}

/**
 * Waits until the cluster is ready for a test: a leader that answers a linearizable read (a
 * quorum works, it has committed in its term and applied to its MySQL), every live node
 * following it in its term and every live node's MySQL up. Returns the leader's id.
 */
export function waitUntilReady(c: Cluster, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  return c.waitFor(
    async () => {
      const l = await c.leader(Math.max(100, deadline - Date.now()));
      const res = await c.client(l).listTasks({ consistency: 'linearizable', limit: 1 }, 5_000);
      if (!res.ok) throw new Error(`n${l} answered ${res.status} ${JSON.stringify(res.body)}`);
      const st = await c.statuses();
      const ls = st.get(l);
      if (!ls || ls instanceof Error) throw new Error(`n${l} status: ${ls?.message ?? 'none'}`);
      const term = ls.term;
      for (const [id, s] of st) {
        if (s instanceof Error) throw s;
        if (s.leaderId !== l || s.term !== term) {
          throw new Error(`n${id} follows ${s.leaderId} in term ${s.term}, not n${l} in ${term}`);
        }
        if (s.mysql.status !== 'up') throw new Error(`n${id} MySQL is ${s.mysql.status}`);
      }
      return l;
    },
    timeoutMs,
    'a leader that serves a linearizable read, followed by every live node',
    100,
  );
}

/**
 * Waits until every node of `ids` has applied at least the leader's commit index (as it was when
 * called) and all report the same applied index, then returns their checksums. It does not
 * compare the checksums: the test does.
 */
export async function settledChecksums(
  c: Cluster,
  timeoutMs: number,
  ids: readonly number[],
): Promise<Map<number, ChecksumResponse>> {
  const l = await c.leader(timeoutMs);
  const target = (await c.ipcStatus(l)).commitIndex;
  return c.waitFor(
    async () => {
      const out = new Map<number, ChecksumResponse>();
      for (const id of ids) {
        const res = await c.client(id).checksum();
        if (!res.ok) throw new Error(`n${id} /checksum: ${res.status} ${JSON.stringify(res.body)}`);
        out.set(id, res.body);
      }
      const applied = [...out.values()].map((s) => s.appliedIndex);
      const summary = [...out].map(([id, s]) => `n${id}@${s.appliedIndex}`).join(' ');
      if (applied.some((a) => a < target)) {
        throw new Error(`not all caught up to commit ${target}: ${summary}`);
      }
      if (new Set(applied).size !== 1) throw new Error(`applied indexes differ: ${summary}`);
      return out;
    },
    timeoutMs,
    `checksums of n${ids.join(', n')} at one applied index`,
    100,
  );
}
