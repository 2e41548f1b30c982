/**
 * The IPC channel names between the main process and the preload. The preload is a sandboxed
 * CommonJS script that can load nothing but `electron`, so it spells the names out itself; it
 * types them with these types, so a misspelt channel fails to compile on either side.
 */
import type { BridgeMethod, ShellMethod } from '../cluster/api/bridge.js';

/** One invoke channel per request/answer function of `window.raftboard`. */
export type BridgeChannel = `raftboard:${BridgeMethod}`;
/** One invoke channel per function of `window.raftboardShell`. */
export type ShellChannel = `raftboard-shell:${ShellMethod}`;
/** invoke(true): push events to this page and answer the replay; invoke(false): stop. */
export type EventsChannel = 'raftboard:events';
/** main → page: one ClusterEvent. */
export type EventPushChannel = 'raftboard:event';
/** main → page: the StartupState after every change. */
export type StartupPushChannel = 'raftboard-shell:startup';

/** main → page: a ShellCommand (menu Import…/Export…, a notification clicked). */
export type CommandPushChannel = 'raftboard-shell:command';

export const EVENTS_CHANNEL: EventsChannel = 'raftboard:events';
export const EVENT_PUSH_CHANNEL: EventPushChannel = 'raftboard:event';
export const STARTUP_PUSH_CHANNEL: StartupPushChannel = 'raftboard-shell:startup';
export const COMMAND_PUSH_CHANNEL: CommandPushChannel = 'raftboard-shell:command';

export function bridgeChannel(method: BridgeMethod): BridgeChannel {
  return `raftboard:${method}`;
}

export function shellChannel(method: ShellMethod): ShellChannel {
  return `raftboard-shell:${method}`;
}
