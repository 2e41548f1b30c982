/**
 * In the Electron window: the app menu's Import…/Export… and clicks on the app's notifications
 * arrive as ShellCommands from the main process. In the browser there is no shell: nothing to do.
 */
import type { RaftboardShell, ShellCommand } from '../../../cluster/api/bridge.js';
import type { Stores } from '../store/stores.js';
import { exportAs, importFile } from './transfer.js';

export function runShellCommand(stores: Stores, c: ShellCommand): Promise<void> {
  const report = (e: unknown): void => {
    stores.undo.getState().notice(e instanceof Error ? e.message : String(e));
  };
  if (c.type === 'import') {
    return importFile(stores, c.name, c.text).then(() => undefined, report);
  }
  if (c.type === 'export') return exportAs(stores, c.format).catch(report);
  stores.reminders.getState().open(c.tag);
  return Promise.resolve();
}

export function listenToShell(stores: Stores, win: Window = window): () => void {
  const shell = (win as unknown as { raftboardShell?: Partial<RaftboardShell> }).raftboardShell;
  if (shell?.onCommand === undefined) return () => undefined;
  return shell.onCommand((c) => void runShellCommand(stores, c));
}
