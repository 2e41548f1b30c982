/**
 * Window state that is not a setting and not cluster data: the list's filter, and which task form
 * is open. A store rather than component state, because keyboard shortcuts (`n`, `/`) act on it
 * from anywhere in the window.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TaskPriority, TaskStatus } from '../../../cluster/api/task.js';

export type SortKey = 'updated' | 'created' | 'title' | 'priority' | 'due';

export interface TaskFilter {
  readonly q: string;
  readonly status: TaskStatus | 'all';
  readonly priority: TaskPriority | 'all';
  readonly sort: SortKey;
}

export type FormRequest =
  | { readonly mode: 'create' }
  | { readonly mode: 'edit'; readonly taskId: string }
  /** Reopens a failed create with what was typed, so nothing typed is lost. */
  | { readonly mode: 'retry'; readonly changeId: string };

export interface UiState {
  readonly filter: TaskFilter;
  readonly form: FormRequest | null;
  /** Bumped to ask the search box to take focus. */
  readonly searchFocus: number;
  setFilter(patch: Partial<TaskFilter>): void;
  openForm(form: FormRequest): void;
  closeForm(): void;
  focusSearch(): void;
}

export const DEFAULT_FILTER: TaskFilter = {
  q: '',
  status: 'all',
  priority: 'all',
  sort: 'updated',
};

export type UiStore = StoreApi<UiState>;

export function createUiStore(): UiStore {
  return createStore<UiState>()((set) => ({
    filter: DEFAULT_FILTER,
    form: null,
    searchFocus: 0,
    setFilter: (patch) => set((s) => ({ filter: { ...s.filter, ...patch } })),
    openForm: (form) => set({ form }),
    closeForm: () => set({ form: null }),
    focusSearch: () => set((s) => ({ searchFocus: s.searchFocus + 1 })),
  }));
}
