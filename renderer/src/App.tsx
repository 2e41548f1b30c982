/** The window: header with tabs, then the view of the chosen tab. */
import { ClusterView } from './cluster/ClusterView.js';
import { LessonsView } from './lessons/LessonsView.js';
import { ReminderToasts } from './reminders/ReminderToasts.js';
import { MetricsView } from './metrics/MetricsView.js';
import { Header, panelId, tabId } from './shell/Header.js';
import { ShortcutsDialog } from './shell/ShortcutsDialog.js';
import { useShortcuts } from './shell/shortcuts.js';
import { useUndoShortcut } from './shell/undo-shortcut.js';
import { StoresProvider, useSettings } from './store/context.js';
import type { Stores } from './store/stores.js';
import { TasksView } from './tasks/TasksView.js';

function Panels() {
  const tab = useSettings((s) => s.tab);
  return (
    <main id={panelId(tab)} role="tabpanel" aria-labelledby={tabId(tab)} className="app-main">
      {tab === 'tasks' && <TasksView />}
      {tab === 'cluster' && <ClusterView />}
      {tab === 'metrics' && <MetricsView />}
      {tab === 'lessons' && <LessonsView />}
    </main>
  );
}

export function App(props: { stores: Stores }) {
  useShortcuts(props.stores);
  useUndoShortcut(props.stores);
  return (
    <StoresProvider stores={props.stores}>
      <div className="app">
        <ShortcutsDialog />
        <Header />
        <Panels />
        <ReminderToasts />
      </div>
    </StoresProvider>
  );
}

/** Shown instead of the app when the page was opened without its token. */
export function MissingToken(props: { reason: string }) {
  return (
    <main className="app-main missing-token">
      <h1>Raftboard</h1>
      <p role="alert">{props.reason}</p>
    </main>
  );
}
