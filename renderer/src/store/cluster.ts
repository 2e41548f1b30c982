/**
 * The cluster slice: the supervisor's latest status (from the event stream, or polled while the
 * stream is down) and the fault actions the control room sends, with their outcome.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ActionResult,
  ClusterStatus,
  MySqlAction,
  NodeAction,
} from '../../../cluster/api/control.js';
import { toRequestError } from '../api/errors.js';
import type { RaftboardApi } from '../api/types.js';

export interface ActionOutcome {
  readonly ok: boolean;
  readonly text: string;
  readonly at: number;
}

export interface ClusterState {
  readonly status: ClusterStatus | null;
  readonly error: string | null;
  readonly updatedAt: number | null;
  /** Actions in flight, by `node:action` (e.g. `2:kill`, `0:heal`), to disable their buttons. */
  readonly busy: Readonly<Record<string, true>>;
  readonly lastOutcome: ActionOutcome | null;

  refresh(): Promise<void>;
  setStatus(status: ClusterStatus): void;
  nodeAction(id: number, action: NodeAction): Promise<void>;
  mysqlAction(id: number, action: MySqlAction): Promise<void>;
  applyPartitions(groups: readonly (readonly number[])[]): Promise<void>;
  heal(): Promise<void>;
  setSlow(factor: number): Promise<void>;
}

export type ClusterStore = StoreApi<ClusterState>;

export function busyKey(nodeId: number, action: string): string {
  return `${nodeId}:${action}`;
}

export function createClusterStore(api: RaftboardApi, now: () => number = Date.now): ClusterStore {
  return createStore<ClusterState>()((set, get) => {
    /** Runs one action, records its outcome, then fetches the status it changed. */
    async function act(
      key: string,
      label: string,
      run: () => Promise<ActionResult>,
    ): Promise<void> {
      set((s) => ({ busy: { ...s.busy, [key]: true } }));
      let outcome: ActionOutcome;
      try {
        const r = await run();
        outcome = { ok: true, text: r.message || `${label}: done`, at: now() };
      } catch (e) {
        outcome = { ok: false, text: `${label} failed: ${toRequestError(e).message}`, at: now() };
      }
      set((s) => {
        const busy = { ...s.busy };
        delete busy[key];
        return { busy, lastOutcome: outcome };
      });
      await get().refresh();
    }

    return {
      status: null,
      error: null,
      updatedAt: null,
      busy: {},
      lastOutcome: null,

      async refresh() {
        try {
          get().setStatus(await api.getCluster());
        } catch (e) {
          set({ error: `Cannot read the cluster status: ${toRequestError(e).message}` });
        }
      },
      setStatus(status) {
        set({ status, error: null, updatedAt: now() });
      },
      nodeAction: (id, action) =>
        act(busyKey(id, action), `${action} node ${id}`, () => api.nodeAction(id, action)),
      mysqlAction: (id, action) =>
        act(busyKey(id, `mysql-${action}`), `MySQL ${action} on node ${id}`, () =>
          api.mysqlAction(id, action),
        ),
      applyPartitions: (groups) =>
        act(busyKey(0, 'network'), 'partition', () =>
          api.setNetwork({ partitions: groups.filter((g) => g.length > 0) }),
        ),
      heal: () => act(busyKey(0, 'heal'), 'heal', () => api.healNetwork()),
      setSlow: (factor) => act(busyKey(0, 'slow'), 'slow motion', () => api.setSlow(factor)),
    };
  });
}
