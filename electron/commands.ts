/**
 * What the menu and notifications ask of the page (ShellCommand), pushed on one channel. The
 * import file is picked and read here, in the main process, because the page cannot open a file
 * chooser without a click of its own; the page does the rest (parse, send, undo). Export is the
 * page's: it downloads the file, and Electron asks where to save it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ShellCommand } from '../cluster/api/bridge.js';
import { MAX_IMPORT_BODY_BYTES } from '../cluster/http/body.js';
import { COMMAND_PUSH_CHANNEL } from './channels.js';
import type { PushTarget } from './push.js';

/** The node refuses larger import bodies anyway; refusing here spares a big IPC message. */
export const IMPORT_MAX_BYTES = MAX_IMPORT_BODY_BYTES;

export const IMPORT_FILTERS = [
  { name: 'Raftboard or Todoist export', extensions: ['json', 'csv'] },
  { name: 'All files', extensions: ['*'] },
];

/** False when there is no page to take it. */
export function sendCommand(target: PushTarget | undefined, command: ShellCommand): boolean {
  if (target === undefined || target.isDestroyed()) return false;
  target.send(COMMAND_PUSH_CHANNEL, command);
  return true;
}

/** The import command for a picked file; throws with a message for the user. */
export function readImportFile(file: string): ShellCommand {
  const size = fs.statSync(file).size;
  if (size > IMPORT_MAX_BYTES) {
    throw new Error(
      `${path.basename(file)} is ${size} bytes; at most ${IMPORT_MAX_BYTES} can be imported.`,
    );
  }
  return { type: 'import', name: path.basename(file), text: fs.readFileSync(file, 'utf8') };
}
