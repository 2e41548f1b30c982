/**
 * The "Check linearizability" panel's state: the supervisor's recording (polled while it runs),
 * the chosen number of background clients, and the last check's result. Without React, so it is
 * tested with a fake API.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HistoryCheckResult, HistoryRecording } from '../../../cluster/api/history.js';
import { toRequestError } from '../api/errors.js';
import type { RaftboardApi } from '../api/types.js';

export const MAX_CLIENTS = 16;

export interface VerifyState {
  readonly recording: HistoryRecording | null;
  readonly clients: number;
  readonly busy: 'start' | 'stop' | 'check' | null;
  readonly result: HistoryCheckResult | null;
  readonly error: string | null;

  refresh(): Promise<void>;
  setClients(n: number): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  check(): Promise<void>;
}

export type VerifyStore = StoreApi<VerifyState>;

export function createVerifyStore(api: RaftboardApi): VerifyStore {
  return createStore<VerifyState>()((set, get) => {
    async function run(busy: NonNullable<VerifyState['busy']>, fn: () => Promise<void>) {
      if (get().busy !== null) return;
      set({ busy, error: null });
      try {
        await fn();
      } catch (e) {
        set({ error: toRequestError(e).message });
      } finally {
        set({ busy: null });
      }
    }
    return {
      recording: null,
      clients: 2,
      busy: null,
      result: null,
      error: null,

      async refresh() {
        try {
          set({ recording: await api.getHistory() });
        } catch (e) {
          set({ error: `Cannot read the recording: ${toRequestError(e).message}` });
        }
      },
      setClients(n) {
        const v = Number.isFinite(n) ? Math.round(n) : 0;
        set({ clients: Math.min(MAX_CLIENTS, Math.max(0, v)) });
      },
      start: () =>
        run('start', async () => {
          const recording = await api.recordHistory({ record: true, clients: get().clients });
          set({ recording, result: null });
        }),
      stop: () =>
        run('stop', async () => {
          set({ recording: await api.recordHistory({ record: false }) });
        }),
      check: () =>
        run('check', async () => {
          set({ result: await api.checkHistory() });
          await get().refresh();
        }),
    };
  });
}
