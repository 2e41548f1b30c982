/**
 * The start-up view's script (raftboard://app/_shell/page.js, a module script: the CSP allows no
 * inline script). It draws the supervisor's progress per node and per step, shows why a start
 * failed with "Try again" and "Quit", and edits the settings. The main process replaces this page
 * with the app once the cluster is ready.
 *
 * It is compiled with the Node code (which has no DOM types), so it declares the few DOM members
 * it uses; everything it knows about the cluster comes through the preload's bridge.
 */
import type {
  AppSettings,
  RaftboardBridge,
  RaftboardShell,
  StartupState,
} from '../../cluster/api/bridge.js';
import { EMPTY_MODEL, foldEvent, type StartupModel } from './model.js';

interface El {
  textContent: string | null;
  hidden: boolean;
  value: string;
  disabled: boolean;
  replaceChildren(...nodes: (El | string)[]): void;
  append(...nodes: (El | string)[]): void;
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void;
}

declare const document: {
  getElementById(id: string): El | null;
  createElement(tag: string): El;
};
declare const window: {
  readonly raftboard?: RaftboardBridge;
  readonly raftboardShell?: RaftboardShell;
};

function el(id: string): El {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`startup.html has no #${id}`);
  return e;
}

function cell(tag: string, text: string): El {
  const c = document.createElement(tag);
  c.textContent = text;
  return c;
}

const PHASE_TEXT: Record<StartupState['phase'], string> = {
  starting: 'Starting the cluster…',
  ready: 'The cluster is ready: opening Raftboard…',
  failed: 'The cluster could not start.',
  stopping: 'Stopping the cluster…',
};

function drawModel(m: StartupModel): void {
  el('nodes').replaceChildren(
    ...m.nodes.map((n) => {
      const row = document.createElement('tr');
      const step = n.nodeStep !== '' ? n.nodeStep : n.mysqlStep;
      row.append(
        cell('th', `n${n.id}`),
        cell('td', [n.mysqlState, n.mysqlStep].filter((s) => s !== '').join(': ') || '…'),
        cell('td', n.process || '…'),
        cell('td', n.role || '…'),
        cell('td', step || '…'),
      );
      return row;
    }),
  );
  el('lines').replaceChildren(...m.lines.map((l) => cell('li', l)));
}

function drawState(s: StartupState): void {
  el('phase').textContent = PHASE_TEXT[s.phase];
  el('failure').hidden = s.phase !== 'failed';
  el('error').textContent = s.error ?? '';
  el('retry').disabled = s.phase !== 'failed';
  const problem = el('settings-problem');
  problem.hidden = s.settingsProblem === undefined;
  problem.textContent =
    s.settingsProblem === undefined
      ? ''
      : `The settings file could not be used, so the defaults are in force: ${s.settingsProblem}`;
  el('settings-file').textContent = s.settingsFile;
  el('data-dir').textContent = s.dataDir;
}

function fillSettings(s: AppSettings): void {
  el('s-nodes').value = String(s.nodes);
  el('s-mysql').value = s.mysql.mode;
  el('s-urls').value = s.mysql.urls.join('\n');
  el('s-tick').value = String(s.timers.tickMs);
  el('s-election').value = String(s.timers.electionTicks);
  el('s-heartbeat').value = String(s.timers.heartbeatTicks);
  el('s-slow').value = String(s.slow);
  el('s-datadir').value = s.dataDir ?? '';
}

/** The form as typed; the main process validates it (zod) and says what is wrong. */
function readSettings(): AppSettings {
  const num = (id: string): number => Number(el(id).value);
  const dataDir = el('s-datadir').value.trim();
  return {
    nodes: num('s-nodes'),
    mysql: {
      mode: el('s-mysql').value as AppSettings['mysql']['mode'],
      urls: el('s-urls')
        .value.split('\n')
        .map((u) => u.trim())
        .filter((u) => u !== ''),
    },
    timers: {
      tickMs: num('s-tick'),
      electionTicks: num('s-election'),
      heartbeatTicks: num('s-heartbeat'),
    },
    slow: num('s-slow'),
    dataDir: dataDir === '' ? null : dataDir,
  };
}

async function main(): Promise<void> {
  const bridge = window.raftboard;
  const shell = window.raftboardShell;
  if (bridge === undefined || shell === undefined) {
    el('phase').textContent = 'This page works only inside the Raftboard app.';
    return;
  }
  let model = EMPTY_MODEL;
  bridge.subscribeEvents({
    onEvent: (e) => {
      const next = foldEvent(model, e);
      if (next !== model) drawModel((model = next));
    },
  });
  shell.onStartup(drawState);
  const [state, settings] = await Promise.all([shell.getStartup(), shell.getSettings()]);
  if (state.ok) drawState(state.value);
  if (settings.ok) fillSettings(settings.value);

  el('retry').addEventListener('click', () => {
    el('retry').disabled = true;
    model = EMPTY_MODEL;
    drawModel(model);
    void shell.retryStart().then((r) => r.ok && drawState(r.value));
  });
  el('quit').addEventListener('click', () => void shell.quit());
  el('settings').addEventListener('submit', (event) => {
    event.preventDefault();
    const message = el('settings-message');
    void shell.saveSettings(readSettings()).then((r) => {
      if (r.ok) {
        fillSettings(r.value);
        message.textContent = 'Saved. Used the next time the cluster starts.';
        return;
      }
      const details = Object.entries(r.error.details ?? {}).map(([k, v]) => `${k}: ${v}`);
      message.textContent = `Not saved: ${details.length > 0 ? details.join('; ') : r.error.message}`;
    });
  });
}

void main();
