/**
 * The seam for the Electron implementation (issue 5 §1). The preload exposes `window.raftboard`
 * with the same named functions as RaftboardApi, but each answers a BridgeResult envelope:
 * contextBridge keeps only the message of a thrown Error, and the stores need the status, code
 * and Retry-After to decide whether to retry. apiFromBridge turns envelopes back into
 * ApiRequestErrors, so the rest of the renderer cannot tell the transports apart.
 *
 * The bridge's types live in cluster/api/bridge.ts, shared with the main process and the preload.
 */
import type { BridgeResult, RaftboardBridge } from '../../../cluster/api/bridge.js';
import { ApiRequestError } from './errors.js';
import type { RaftboardApi } from './types.js';

export type { BridgeResult, RaftboardBridge };

declare global {
  interface Window {
    /** Present only inside the Electron window (set by the preload). */
    readonly raftboard?: RaftboardBridge;
  }
}

async function unwrap<T>(p: Promise<BridgeResult<T>>): Promise<T> {
  const r = await p;
  if (r.ok) return r.value;
  throw ApiRequestError.fromBody(r.status, r.error, r.retryAfterMs);
}

export function apiFromBridge(b: RaftboardBridge): RaftboardApi {
  return {
    listTasks: (o) => unwrap(b.listTasks(o)),
    createTask: (input, o) => unwrap(b.createTask(input, o)),
    updateTask: (id, patch, o) => unwrap(b.updateTask(id, patch, o)),
    deleteTask: (id, o) => unwrap(b.deleteTask(id, o)),
    listProjects: () => unwrap(b.listProjects()),
    createProject: (input, o) => unwrap(b.createProject(input, o)),
    updateProject: (id, patch, o) => unwrap(b.updateProject(id, patch, o)),
    deleteProject: (id, tasks, o) => unwrap(b.deleteProject(id, tasks, o)),
    listTags: () => unwrap(b.listTags()),
    exportData: () => unwrap(b.exportData()),
    exportCsv: () => unwrap(b.exportCsv()),
    importData: (body, o) => unwrap(b.importData(body, o)),
    getCluster: () => unwrap(b.getCluster()),
    nodeAction: (id, a) => unwrap(b.nodeAction(id, a)),
    mysqlAction: (id, a) => unwrap(b.mysqlAction(id, a)),
    addNode: () => unwrap(b.addNode()),
    removeNode: (id) => unwrap(b.removeNode(id)),
    setNetwork: (body) => unwrap(b.setNetwork(body)),
    healNetwork: () => unwrap(b.healNetwork()),
    setSlow: (f) => unwrap(b.setSlow(f)),
    getChecksums: () => unwrap(b.getChecksums()),
    getHistory: () => unwrap(b.getHistory()),
    recordHistory: (body) => unwrap(b.recordHistory(body)),
    checkHistory: () => unwrap(b.checkHistory()),
    subscribeEvents: (h) => b.subscribeEvents(h),
  };
}
