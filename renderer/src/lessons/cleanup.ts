/**
 * Putting the cluster back after a lesson: heal the network it cut, resume the nodes it paused,
 * start the nodes it killed. Reads a fresh status first (the store's may predate the last action)
 * and never throws: each failure becomes a note the user sees.
 */
import { toRequestError } from '../api/errors.js';
import type { RaftboardApi } from '../api/types.js';
import type { ClusterStatus } from '../../../cluster/api/control.js';
import type { Touched } from './ops.js';

export async function cleanUp(
  api: RaftboardApi,
  touched: Touched,
  fallback: ClusterStatus | null,
): Promise<string[]> {
  const notes: string[] = [];
  const attempt = async (todo: string, done: string, run: () => Promise<unknown>) => {
    try {
      await run();
      notes.push(done);
    } catch (e) {
      notes.push(`could not ${todo}: ${toRequestError(e).message}`);
    }
  };
  if (touched.network) {
    await attempt('heal the network', 'healed the network', () => api.healNetwork());
    touched.network = false;
  }
  if (touched.nodes.size > 0) {
    let status = fallback;
    try {
      status = await api.getCluster();
    } catch {
      // The last status the window had is the best we know.
    }
    for (const id of [...touched.nodes].sort((a, b) => a - b)) {
      const n = status?.nodes.find((x) => x.id === id);
      if (n === undefined) continue;
      if (n.status === 'paused')
        await attempt(`resume node ${id}`, `resumed node ${id}`, () =>
          api.nodeAction(id, 'resume'),
        );
      else if (n.status === 'stopped' || n.status === 'crashed') {
        await attempt(`start node ${id}`, `started node ${id}`, () => api.nodeAction(id, 'start'));
      }
    }
    touched.nodes.clear();
  }
  return notes;
}
