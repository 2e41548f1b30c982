/** Search, filters, sort, list/board switch and "New task" above the tasks. */
import { useEffect, useRef } from 'react';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  type TaskPriority,
  type TaskStatus,
} from '../../../cluster/api/task.js';
import { useSettings, useStores, useUi } from '../store/context.js';
import type { SortKey } from '../store/ui.js';
import { PRIORITY_LABELS, STATUS_LABELS } from '../text/labels.js';
import { TransferTools } from '../transfer/TransferTools.js';
import { SORT_LABELS } from './filter.js';

const VIEW_LABELS = { list: 'List', board: 'Board', calendar: 'Calendar' } as const;

export function Toolbar(props: { shown: number; total: number }) {
  const { ui, settings } = useStores();
  const filter = useUi((s) => s.filter);
  const searchFocus = useUi((s) => s.searchFocus);
  const view = useSettings((s) => s.view);
  const search = useRef<HTMLInputElement>(null);

  // `/` anywhere asks for the search box.
  useEffect(() => {
    if (searchFocus > 0) search.current?.focus();
  }, [searchFocus]);

  const set = ui.getState().setFilter;
  return (
    <div className="toolbar" role="group" aria-label="Task tools">
      <label className="search">
        <span className="visually-hidden">Search tasks</span>
        <input
          ref={search}
          type="search"
          placeholder="Search tasks  ( / )"
          aria-keyshortcuts="/"
          value={filter.q}
          onChange={(e) => set({ q: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') set({ q: '' });
          }}
        />
      </label>
      <label>
        <span>Status</span>
        <select
          aria-label="Filter by status"
          value={filter.status}
          onChange={(e) => set({ status: e.target.value as TaskStatus | 'all' })}
        >
          <option value="all">All</option>
          {TASK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Priority</span>
        <select
          aria-label="Filter by priority"
          value={filter.priority}
          onChange={(e) => set({ priority: e.target.value as TaskPriority | 'all' })}
        >
          <option value="all">All</option>
          {TASK_PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABELS[p]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Sort</span>
        <select
          aria-label="Sort by"
          value={filter.sort}
          onChange={(e) => set({ sort: e.target.value as SortKey })}
        >
          {(Object.keys(SORT_LABELS) as SortKey[]).map((k) => (
            <option key={k} value={k}>
              {SORT_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      <div className="segmented" role="group" aria-label="View">
        {(['list', 'board', 'calendar'] as const).map((v) => (
          <button
            key={v}
            type="button"
            aria-pressed={view === v}
            onClick={() => settings.getState().update({ view: v })}
          >
            {VIEW_LABELS[v]}
          </button>
        ))}
      </div>
      <span className="count" aria-live="polite">
        {props.shown === props.total
          ? `${props.total} task${props.total === 1 ? '' : 's'}`
          : `${props.shown} of ${props.total} task${props.total === 1 ? '' : 's'}`}
      </span>
      <TransferTools />
      <button
        type="button"
        aria-label="Keyboard shortcuts"
        aria-keyshortcuts="?"
        onClick={() => ui.getState().setShortcutsOpen(true)}
      >
        ?
      </button>
      <button
        type="button"
        className="primary"
        aria-keyshortcuts="n"
        onClick={() => ui.getState().openForm({ mode: 'create' })}
      >
        New task
      </button>
    </div>
  );
}
