/**
 * The settings slice: what the user chose about the window, kept in localStorage so it survives
 * a reload. (Themes follow the OS through CSS; nothing to store for them.)
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ReadConsistency } from '../../../cluster/api/node.js';

export type MainTab = 'tasks' | 'cluster' | 'metrics' | 'lessons';
export type TaskView = 'list' | 'board' | 'calendar';

export interface Settings {
  readonly tab: MainTab;
  readonly view: TaskView;
  /** How the task list is read: linearizable shows the truth, stale works without a quorum. */
  readonly consistency: ReadConsistency;
  /** How long a delete can be undone before it is sent. */
  readonly undoMs: number;
  /** Cluster status poll interval while the event stream is down. */
  readonly pollMs: number;
}

export interface SettingsState extends Settings {
  update(patch: Partial<Settings>): void;
}

export const DEFAULT_SETTINGS: Settings = {
  tab: 'tasks',
  view: 'list',
  consistency: 'linearizable',
  undoMs: 5000,
  pollMs: 1000,
};

const STORAGE_KEY = 'raftboard-settings';

export type SettingsStore = StoreApi<SettingsState>;

function read(storage: Storage | null): Partial<Settings> {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Partial<Settings>) : {};
  } catch {
    return {}; // Private mode or a hand-edited value: start from the defaults.
  }
}

export function createSettingsStore(
  initial: Partial<Settings> = {},
  /** null: nothing persisted (tests). */
  storage: Storage | null = globalThis.localStorage ?? null,
): SettingsStore {
  const start: Settings = { ...DEFAULT_SETTINGS, ...read(storage), ...initial };
  return createStore<SettingsState>()((set, get) => ({
    ...start,
    update(patch) {
      set(patch);
      const { update: _update, ...settings } = get();
      try {
        storage?.setItem(STORAGE_KEY, JSON.stringify(settings));
      } catch {
        // Storage full or refused: the setting still applies for this session.
      }
    },
  }));
}
