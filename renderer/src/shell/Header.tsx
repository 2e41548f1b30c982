/** Title, the tabs, and the cluster's health in one line (visible from either tab). */
import { useCluster, useEvents, useSettings, useStores, useTasks } from '../store/context.js';
import type { MainTab } from '../store/settings.js';

const TABS: readonly { id: MainTab; label: string }[] = [
  { id: 'tasks', label: 'Tasks' },
  { id: 'cluster', label: 'Cluster' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'lessons', label: 'Lessons' },
];

export function tabId(tab: MainTab): string {
  return `tab-${tab}`;
}

export function panelId(tab: MainTab): string {
  return `panel-${tab}`;
}

function Health() {
  const status = useCluster((s) => s.status);
  const error = useCluster((s) => s.error);
  const connection = useEvents((s) => s.connection);
  const waiting = useTasks((s) => s.changes.filter((c) => c.state.phase === 'pending').length);
  let text: string;
  let tone: string;
  if (status === null) {
    text = error ?? 'connecting…';
    tone = error === null ? 'idle' : 'bad';
  } else if (status.leaderId === 0) {
    text = 'no leader — writes wait';
    tone = 'bad';
  } else {
    const up = status.nodes.filter((n) => n.status === 'running').length;
    text = `leader node ${status.leaderId} · term ${status.term} · ${up}/${status.nodes.length} up`;
    tone = 'ok';
  }
  return (
    <p className={`health health-${tone}`} role="status" aria-label="Cluster health">
      <span className="dot" aria-hidden />
      {text}
      {waiting > 0 && ` · ${waiting} change${waiting === 1 ? '' : 's'} pending`}
      {connection !== 'open' && status !== null && ' · events offline'}
    </p>
  );
}

export function Header() {
  const { settings } = useStores();
  const tab = useSettings((s) => s.tab);
  return (
    <header className="app-header">
      <h1>Raftboard</h1>
      <div role="tablist" aria-label="Views" className="tabs">
        {TABS.map((t) => (
          <button
            key={t.id}
            id={tabId(t.id)}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={panelId(t.id)}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => settings.getState().update({ tab: t.id })}
            onKeyDown={(e) => {
              // Arrow keys move between tabs (the ARIA tabs pattern).
              if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
              const step = e.key === 'ArrowRight' ? 1 : TABS.length - 1;
              const next = TABS[(TABS.findIndex((x) => x.id === tab) + step) % TABS.length];
              if (next !== undefined) {
                settings.getState().update({ tab: next.id });
                document.getElementById(tabId(next.id))?.focus();
              }
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <Health />
    </header>
  );
}
