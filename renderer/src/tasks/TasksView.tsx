/**
 * The tasks tab: the sidebar's views, quick add, tools, the list, board or calendar, the
 * changes panel, the undo toasts, the form.
 */
import { useDeferredValue, useEffect, useMemo } from 'react';
import { TASK_STATUSES } from '../../../cluster/api/task.js';
import { latestByTask, overlay } from '../store/changes.js';
import { useProjects, useSettings, useStores, useTasks, useUi } from '../store/context.js';
import { Board } from './Board.js';
import { CalendarView } from './CalendarView.js';
import { ChangesPanel } from './ChangesPanel.js';
import { filterAndSort } from './filter.js';
import { FormHost } from './FormHost.js';
import { LoadBanner } from './LoadBanner.js';
import { NextNotice } from './NextNotice.js';
import { QuickAdd } from './QuickAdd.js';
import { inScope, scopeCounts, scopeTitle, subtaskProgress } from './scope.js';
import { Sidebar } from './Sidebar.js';
import { TaskIndexContext, useToday, type TaskIndex } from './task-index.js';
import { TaskList } from './TaskList.js';
import { Toolbar } from './Toolbar.js';
import { UndoToasts } from './UndoToasts.js';
import '../styles/views.css';

export function TasksView() {
  const { ui } = useStores();
  const committed = useTasks((s) => s.tasks);
  const changes = useTasks((s) => s.changes);
  const projects = useProjects((s) => s.projects);
  const filter = useUi((s) => s.filter);
  const scope = useUi((s) => s.scope);
  const selectedId = useUi((s) => s.selectedId);
  const view = useSettings((s) => s.view);
  const today = useToday();
  // Typing stays responsive while 10,000 tasks are filtered behind it.
  const deferredFilter = useDeferredValue(filter);
  const deferredScope = useDeferredValue(scope);

  const all = useMemo(() => overlay(committed, changes), [committed, changes]);
  const counts = useMemo(() => scopeCounts(all, today), [all, today]);
  const progress = useMemo(() => subtaskProgress(all), [all]);
  // Subtasks show under their parent (its progress and its editor), not in the list.
  const topLevel = useMemo(
    () => all.filter((t) => t.parentId === null && inScope(t, deferredScope, today)),
    [all, deferredScope, today],
  );
  const shown = useMemo(() => filterAndSort(topLevel, deferredFilter), [topLevel, deferredFilter]);
  const latest = useMemo(() => latestByTask(changes), [changes]);
  const byId = useMemo(() => new Map(projects.map((p) => [p.id, p])), [projects]);
  const index = useMemo<TaskIndex>(
    () => ({ today, progress, projects: byId, selectedId }),
    [today, progress, byId, selectedId],
  );

  // j/k walk the tasks in the order they are shown: column by column on the board.
  useEffect(() => {
    const ordered =
      view === 'board' ? TASK_STATUSES.flatMap((s) => shown.filter((t) => t.status === s)) : shown;
    ui.getState().setVisible(ordered.map((t) => t.id));
  }, [shown, view, ui]);

  const title = scopeTitle(scope, (id) => byId.get(id)?.name);
  const total = topLevel.length;

  return (
    <TaskIndexContext.Provider value={index}>
      <div className="tasks-view">
        <Sidebar counts={counts} />
        <div className="tasks-main">
          <div className="scope-bar">
            <h2 className="scope-title">{title}</h2>
            <QuickAdd />
          </div>
          <Toolbar shown={shown.length} total={total} />
          <LoadBanner />
          <NextNotice />
          {view === 'list' && <TaskList tasks={shown} latest={latest} />}
          {view === 'board' && <Board tasks={shown} latest={latest} />}
          {view === 'calendar' && <CalendarView tasks={shown} />}
        </div>
        <ChangesPanel />
        <UndoToasts />
        <FormHost />
      </div>
    </TaskIndexContext.Provider>
  );
}
