/**
 * The cluster slice: the supervisor's latest status (from the event stream, or polled while the
 * stream is down), the fault and membership actions the control room sends, with their outcome,
 * the Raft messages in flight for the message-flow drawing, and the replicas' checksums.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ActionResult,
  ClusterChecksums,
  ClusterEvent,
  ClusterStatus,
  LinkFaultBody,
  MySqlAction,
  NodeAction,
} from '../../../cluster/api/control.js';
import { toRequestError } from '../api/errors.js';
import { FAMILIES, familyOf, type Family } from '../cluster/flow.js';
import type { RaftboardApi } from '../api/types.js';

export interface ActionOutcome {
  readonly ok: boolean;
  readonly text: string;
  readonly at: number;
}

/** One sampled Raft message, as drawn: it flies from `from` to `to` starting at `at`. */
export interface Flight {
  readonly key: number;
  readonly from: number;
  readonly to: number;
  readonly kind: string;
  readonly term: number;
  readonly entries: number;
  /** When it arrived here (ms, the store's clock). */
  readonly at: number;
}

/** How long a message stays drawn; also the window the per-kind counts cover. */
export const FLIGHT_MS = 1_200;
/** Flights kept at most: a burst of appends must not make the drawing unbounded. */
const MAX_FLIGHTS = 120;

export interface ChecksumsState {
  readonly result: ClusterChecksums | null;
  readonly error: string | null;
  readonly loading: boolean;
  /** When the result was read (ms), null before the first. */
  readonly at: number | null;
}

export interface ClusterState {
  readonly status: ClusterStatus | null;
  readonly error: string | null;
  readonly updatedAt: number | null;
  /** Actions in flight, by `node:action` (e.g. `2:kill`, `0:heal`), to disable their buttons. */
  readonly busy: Readonly<Record<string, true>>;
  readonly lastOutcome: ActionOutcome | null;
  /** Messages drawn now, oldest first (pruned to FLIGHT_MS at each batch). */
  readonly flights: readonly Flight[];
  /** Messages seen per family since the window opened (sampled: routine ones once per flush). */
  readonly messageTotals: Readonly<Record<Family, number>>;
  readonly checksums: ChecksumsState;

  refresh(): Promise<void>;
  setStatus(status: ClusterStatus): void;
  nodeAction(id: number, action: NodeAction): Promise<void>;
  mysqlAction(id: number, action: MySqlAction): Promise<void>;
  applyPartitions(groups: readonly (readonly number[])[]): Promise<void>;
  heal(): Promise<void>;
  setSlow(factor: number): Promise<void>;
  /** Replaces the directed link faults (drop, delay); partitions stay as they are. */
  setLinks(links: readonly LinkFaultBody[]): Promise<void>;
  addNode(): Promise<void>;
  removeNode(id: number): Promise<void>;
  /** Adds the `message` events of a batch as flights and drops the expired ones. */
  addMessages(events: readonly ClusterEvent[]): void;
  loadChecksums(): Promise<void>;
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
      flights: [],
      messageTotals: Object.fromEntries(FAMILIES.map((f) => [f, 0])) as Record<Family, number>,
      checksums: { result: null, error: null, loading: false, at: null },

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
      setLinks: (links) =>
        act(busyKey(0, 'links'), 'link faults', () => api.setNetwork({ links: [...links] })),
      addNode: () => act(busyKey(0, 'add-node'), 'add node', () => api.addNode()),
      removeNode: (id) => act(busyKey(id, 'remove'), `remove node ${id}`, () => api.removeNode(id)),

      addMessages(events) {
        const t = now();
        const fresh: Flight[] = [];
        for (const e of events) {
          if (e.type !== 'message') continue;
          fresh.push({
            key: e.seq,
            from: e.from,
            to: e.to,
            kind: e.kind,
            term: e.term,
            entries: e.entries ?? 0,
            at: t,
          });
        }
        const kept = get().flights.filter((f) => t - f.at < FLIGHT_MS);
        if (fresh.length === 0 && kept.length === get().flights.length) return;
        const totals = { ...get().messageTotals };
        for (const f of fresh) totals[familyOf(f.kind).family] += 1;
        set({ flights: [...kept, ...fresh].slice(-MAX_FLIGHTS), messageTotals: totals });
      },

      async loadChecksums() {
        // One comparison at a time: the timer must not pile requests onto a slow database.
        if (get().checksums.loading) return;
        set((s) => ({ checksums: { ...s.checksums, loading: true } }));
        try {
          const result = await api.getChecksums();
          set({ checksums: { result, error: null, loading: false, at: now() } });
        } catch (e) {
          const error = `Cannot read the checksums: ${toRequestError(e).message}`;
          set((s) => ({ checksums: { ...s.checksums, error, loading: false } }));
        }
      },
    };
  });
}
