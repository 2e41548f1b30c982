/**
 * The preload: the only code with both a foot in the page and a line to the main process. It is
 * deliberately narrow: named functions that mirror the control API (`window.raftboard`, typed by
 * RaftboardBridge) and the start-up shell (`window.raftboardShell`), each one fixed IPC channel.
 * The page never gets ipcRenderer, a channel name of its choosing, or an IpcRendererEvent:
 * subscriptions call the page's handler with the payload alone and return an unsubscribe.
 *
 * CommonJS (.cts → .cjs) because a sandboxed preload cannot load ES modules, and self-contained
 * because its `require` knows only `electron` and a few Node built-ins: every import below other
 * than `electron` is a type, erased when compiled.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  BridgeEventHandlers,
  BridgeResult,
  RaftboardBridge,
  RaftboardShell,
  ShellCommand,
  StartupState,
} from '../cluster/api/bridge.js';
import type { ClusterEvent } from '../cluster/api/control.js';
import type {
  BridgeChannel,
  CommandPushChannel,
  EventPushChannel,
  EventsChannel,
  ShellChannel,
  StartupPushChannel,
} from './channels.js';

const EVENTS: EventsChannel = 'raftboard:events';
const EVENT_PUSH: EventPushChannel = 'raftboard:event';
const STARTUP_PUSH: StartupPushChannel = 'raftboard-shell:startup';
const COMMAND_PUSH: CommandPushChannel = 'raftboard-shell:command';

function call<T>(
  channel: BridgeChannel | ShellChannel | EventsChannel,
  ...args: unknown[]
): Promise<T> {
  return ipcRenderer.invoke(channel, ...args) as Promise<T>;
}

/** Calls every handler with the payload alone; one throwing handler does not stop the others. */
function fanOut<T>(handlers: ReadonlySet<(value: T) => void>, value: T): void {
  for (const h of [...handlers]) {
    try {
      h(value);
    } catch (e) {
      console.error(e);
    }
  }
}

const eventHandlers = new Set<(e: ClusterEvent) => void>();
const onEventPush = (_e: IpcRendererEvent, event: ClusterEvent): void =>
  fanOut(eventHandlers, event);

/** Recent events and a status snapshot first (the main process's replay), then live events. */
function subscribeEvents(handlers: BridgeEventHandlers): () => void {
  const deliver = (e: ClusterEvent): void => handlers.onEvent(e);
  let active = true;
  if (eventHandlers.size === 0) ipcRenderer.on(EVENT_PUSH, onEventPush);
  handlers.onConnection?.('connecting');
  void call<BridgeResult<readonly ClusterEvent[]>>(EVENTS, true).then(
    (r) => {
      if (!active) return;
      if (r.ok) for (const e of r.value) deliver(e);
      eventHandlers.add(deliver);
      handlers.onConnection?.('open');
    },
    () => {
      if (active) handlers.onConnection?.('closed');
    },
  );
  return () => {
    if (!active) return;
    active = false;
    eventHandlers.delete(deliver);
    if (eventHandlers.size === 0) {
      ipcRenderer.removeListener(EVENT_PUSH, onEventPush);
      void call(EVENTS, false).catch(() => undefined);
    }
  };
}

const startupHandlers = new Set<(s: StartupState) => void>();
const onStartupPush = (_e: IpcRendererEvent, state: StartupState): void =>
  fanOut(startupHandlers, state);

function onStartup(handler: (s: StartupState) => void): () => void {
  const h = (s: StartupState): void => handler(s);
  if (startupHandlers.size === 0) ipcRenderer.on(STARTUP_PUSH, onStartupPush);
  startupHandlers.add(h);
  return () => {
    startupHandlers.delete(h);
    if (startupHandlers.size === 0) ipcRenderer.removeListener(STARTUP_PUSH, onStartupPush);
  };
}

const commandHandlers = new Set<(c: ShellCommand) => void>();
const onCommandPush = (_e: IpcRendererEvent, command: ShellCommand): void =>
  fanOut(commandHandlers, command);

function onCommand(handler: (c: ShellCommand) => void): () => void {
  const h = (c: ShellCommand): void => handler(c);
  if (commandHandlers.size === 0) ipcRenderer.on(COMMAND_PUSH, onCommandPush);
  commandHandlers.add(h);
  return () => {
    commandHandlers.delete(h);
    if (commandHandlers.size === 0) ipcRenderer.removeListener(COMMAND_PUSH, onCommandPush);
  };
}

const raftboard: RaftboardBridge = {
  listTasks: (options) => call('raftboard:listTasks', options),
  createTask: (input, options) => call('raftboard:createTask', input, options),
  updateTask: (id, patch, options) => call('raftboard:updateTask', id, patch, options),
  deleteTask: (id, options) => call('raftboard:deleteTask', id, options),
  listProjects: () => call('raftboard:listProjects'),
  createProject: (input, options) => call('raftboard:createProject', input, options),
  updateProject: (id, patch, options) => call('raftboard:updateProject', id, patch, options),
  deleteProject: (id, tasks, options) => call('raftboard:deleteProject', id, tasks, options),
  listTags: () => call('raftboard:listTags'),
  exportData: () => call('raftboard:exportData'),
  exportCsv: () => call('raftboard:exportCsv'),
  importData: (body, options) => call('raftboard:importData', body, options),
  getCluster: () => call('raftboard:getCluster'),
  nodeAction: (id, action) => call('raftboard:nodeAction', id, action),
  mysqlAction: (id, action) => call('raftboard:mysqlAction', id, action),
  addNode: () => call('raftboard:addNode'),
  removeNode: (id) => call('raftboard:removeNode', id),
  setNetwork: (body) => call('raftboard:setNetwork', body),
  healNetwork: () => call('raftboard:healNetwork'),
  setSlow: (factor) => call('raftboard:setSlow', factor),
  getChecksums: () => call('raftboard:getChecksums'),
  getHistory: () => call('raftboard:getHistory'),
  recordHistory: (body) => call('raftboard:recordHistory', body),
  checkHistory: () => call('raftboard:checkHistory'),
  subscribeEvents,
};

const raftboardShell: RaftboardShell = {
  getStartup: () => call('raftboard-shell:getStartup'),
  getSettings: () => call('raftboard-shell:getSettings'),
  saveSettings: (settings) => call('raftboard-shell:saveSettings', settings),
  retryStart: () => call('raftboard-shell:retryStart'),
  quit: () => call('raftboard-shell:quit'),
  notify: (notification) => call('raftboard-shell:notify', notification),
  onStartup,
  onCommand,
};

contextBridge.exposeInMainWorld('raftboard', raftboard);
contextBridge.exposeInMainWorld('raftboardShell', raftboardShell);
