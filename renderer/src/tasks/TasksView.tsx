/** The tasks tab: tools, the list or the board, the changes panel, the undo toasts, the form. */
import { useDeferredValue, useMemo } from 'react';
import { latestByTask, overlay } from '../store/changes.js';
import { useSettings, useTasks, useUi } from '../store/context.js';
import { Board } from './Board.js';
import { ChangesPanel } from './ChangesPanel.js';
import { filterAndSort } from './filter.js';
import { FormHost } from './FormHost.js';
import { LoadBanner } from './LoadBanner.js';
import { TaskList } from './TaskList.js';
import { Toolbar } from './Toolbar.js';
import { UndoToasts } from './UndoToasts.js';

export function TasksView() {
  const committed = useTasks((s) => s.tasks);
  const changes = useTasks((s) => s.changes);
  const filter = useUi((s) => s.filter);
  const view = useSettings((s) => s.view);
  // Typing stays responsive while 10,000 tasks are filtered behind it.
  const deferredFilter = useDeferredValue(filter);

  const all = useMemo(() => overlay(committed, changes), [committed, changes]);
  const shown = useMemo(() => filterAndSort(all, deferredFilter), [all, deferredFilter]);
  const latest = useMemo(() => latestByTask(changes), [changes]);

  return (
    <div className="tasks-view">
      <div className="tasks-main">
        <Toolbar shown={shown.length} total={all.length} />
        <LoadBanner />
        {view === 'list' ? (
          <TaskList tasks={shown} latest={latest} />
        ) : (
          <Board tasks={shown} latest={latest} />
        )}
      </div>
      <ChangesPanel />
      <UndoToasts />
      <FormHost />
    </div>
  );
}
