import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { chooseApi } from './api/select.js';
import { App, MissingToken } from './App.js';
import { chooseNotifier } from './reminders/notify.js';
import { startReminders } from './reminders/start.js';
import { idbOutbox } from './store/outbox-idb.js';
import { createStores } from './store/stores.js';
import { startSync } from './store/sync.js';
import { guardUnload } from './store/unload-guard.js';
import { listenToShell } from './transfer/shell-commands.js';
import './styles/theme.css';
import './styles/layout.css';
import './styles/tasks.css';
import './styles/cluster.css';

const container = document.getElementById('root');
if (!container) {
  throw new Error('Raftboard: #root element missing from index.html');
}

const choice = chooseApi();
const root = createRoot(container);
if (!choice.ok) {
  root.render(<MissingToken reason={choice.reason} />);
} else {
  const stores = createStores(choice.api, { outbox: idbOutbox() });
  if (choice.transport === 'http') guardUnload(stores.tasks);
  // Started here rather than in an effect: StrictMode runs effects twice in development, and
  // two event streams would double every event.
  // Runs for the page's life: closing the page closes the stream and the timers with it.
  startSync(stores);
  startReminders(stores, {
    notifier: chooseNotifier(window),
  });
  listenToShell(stores);
  root.render(
    <StrictMode>
      <App stores={stores} />
    </StrictMode>,
  );
}
