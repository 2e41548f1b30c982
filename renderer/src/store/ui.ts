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

/** What the sidebar selected: which tasks the list, board and calendar show. */
export type Scope =
  | { readonly kind: 'all' }
  | { readonly kind: 'inbox' }
  | { readonly kind: 'today' }
  | { readonly kind: 'upcoming' }
  | { readonly kind: 'overdue' }
  | { readonly kind: 'project'; readonly id: string }
  | { readonly kind: 'tag'; readonly name: string };

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
  readonly scope: Scope;
  /** The task j/k moved to (x, e and Delete act on it). */
  readonly selectedId: string | null;
  /** The ids the current view shows, in order, for j/k. */
  readonly visibleIds: readonly string[];
  /** Bumped to ask the quick-add box to take focus; `quickAddDay` pre-fills its date. */
  readonly quickAddFocus: number;
  readonly quickAddDay: string | null;
  readonly shortcutsOpen: boolean;
  setFilter(patch: Partial<TaskFilter>): void;
  openForm(form: FormRequest): void;
  closeForm(): void;
  focusSearch(): void;
  setScope(scope: Scope): void;
  select(id: string | null): void;
  setVisible(ids: readonly string[]): void;
  /** Moves the selection by `step` through the visible tasks (from the first when none). */
  moveSelection(step: number): void;
  focusQuickAdd(day?: string | null): void;
  setShortcutsOpen(open: boolean): void;
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
    scope: { kind: 'all' },
    selectedId: null,
    visibleIds: [],
    quickAddFocus: 0,
    quickAddDay: null,
    shortcutsOpen: false,
    setScope: (scope) => set({ scope, selectedId: null }),
    select: (selectedId) => set({ selectedId }),
    setVisible: (visibleIds) => set({ visibleIds }),
    moveSelection: (step) =>
      set((s) => {
        const ids = s.visibleIds;
        if (ids.length === 0) return { selectedId: null };
        const at = s.selectedId === null ? -1 : ids.indexOf(s.selectedId);
        const next = at < 0 ? (step > 0 ? 0 : ids.length - 1) : at + step;
        return { selectedId: ids[Math.max(0, Math.min(ids.length - 1, next))] ?? null };
      }),
    focusQuickAdd: (day = null) =>
      set((s) => ({ quickAddFocus: s.quickAddFocus + 1, quickAddDay: day })),
    setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
  }));
}
