/**
 * The one way the main process answers the window: `handle(channel, schema, fn)`. Every handler
 * goes through it, so every handler gets the same two checks before it runs:
 *
 * 1. the sender: the main window's own webContents, its main frame (no subframes), and a page of
 *    our custom protocol (`raftboard://app/...`). Anything else is refused and logged: a page
 *    that somehow got loaded elsewhere must not drive the cluster.
 * 2. the arguments: parsed with a zod tuple schema. Renderer input is untrusted; a bad argument
 *    answers 400 `invalid_input` with per-argument details, like the HTTP API.
 *
 * A handler answers a BridgeResult envelope; anything it throws becomes a 500 envelope (with the
 * message: this is the user's own machine and the message is what explains the failure).
 *
 * Nothing here imports Electron: `ipcMain` is passed in, so the checks are unit-tested.
 */
import { z } from 'zod';
import type { BridgeResult } from '../cluster/api/bridge.js';
import { fieldErrors } from '../cluster/api/schemas.js';
import { APP_HOST, APP_SCHEME } from './protocol.js';

/** The part of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** The part of Electron's IpcMainInvokeEvent the helper reads. */
export interface InvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}

/** The part of Electron's ipcMain the helper uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export type ArgsSchema = z.ZodType<readonly unknown[], readonly unknown[]>;

export type Handler<S extends ArgsSchema, T> = (
  args: z.output<S>,
  event: InvokeEventLike,
) => Promise<BridgeResult<T>> | BridgeResult<T>;

export interface IpcOptions {
  readonly ipcMain: IpcMainLike;
  /** The webContents allowed to call (the main window's), or undefined while there is none. */
  readonly trustedSender: () => unknown;
  readonly log?: (message: string) => void;
}

export class UntrustedSenderError extends Error {
  override readonly name: string = 'UntrustedSenderError';
}

/** Is `url` a page of our own protocol (`raftboard://app/...`)? */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    // Node's URL gives a custom scheme the origin "null", so compare scheme and host instead.
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Why the sender is refused, or undefined when it is the main window's own page. */
export function senderProblem(event: InvokeEventLike, trusted: unknown): string | undefined {
  if (trusted === undefined || event.sender !== trusted) return 'not the main window';
  const frame = event.senderFrame;
  // Null once the frame navigated away or was destroyed: the asker is gone.
  if (frame === null) return 'the sending frame is gone';
  if (frame.parent !== null && frame.parent !== undefined) return 'a subframe';
  if (!isAppUrl(frame.url)) return `a page outside ${APP_SCHEME}://${APP_HOST} (${frame.url})`;
  return undefined;
}

/**
 * Per-field details keyed like the HTTP API's (`title`, not `0.title`): the argument's position
 * means nothing to the page that shows the message next to a field.
 */
export function argumentDetails(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(fieldErrors(error))) {
    out[key.replace(/^\d+\.?/, '') || '_'] ??= message;
  }
  return out;
}

export function invalidArguments(channel: string, error: z.ZodError): BridgeResult<never> {
  return {
    ok: false,
    status: 400,
    error: {
      error: 'invalid_input',
      message: `invalid arguments to ${channel}`,
      details: argumentDetails(error),
    },
  };
}

export function internalError(e: unknown): BridgeResult<never> {
  return {
    ok: false,
    status: 500,
    error: { error: 'internal', message: e instanceof Error ? e.message : String(e) },
  };
}

export interface Ipc {
  handle<S extends ArgsSchema, T>(channel: string, schema: S, fn: Handler<S, T>): void;
  /** Removes every handler registered here (window closed, app quitting). */
  dispose(): void;
}

export function createIpc(opts: IpcOptions): Ipc {
  const channels = new Set<string>();
  const log = opts.log ?? (() => undefined);
  return {
    handle(channel, schema, fn) {
      if (channels.has(channel)) throw new Error(`IPC channel ${channel} is handled twice`);
      channels.add(channel);
      opts.ipcMain.handle(channel, async (event, ...raw) => {
        const problem = senderProblem(event, opts.trustedSender());
        if (problem !== undefined) {
          log(`refused ${channel}: ${problem}`);
          // Rejects the invoke; an untrusted page gets no envelope, no data, nothing to retry.
          throw new UntrustedSenderError(`${channel} refused: ${problem}`);
        }
        const parsed = schema.safeParse(raw);
        if (!parsed.success) return invalidArguments(channel, parsed.error);
        try {
          return await fn(parsed.data, event);
        } catch (e) {
          log(`${channel} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          return internalError(e);
        }
      });
    },
    dispose() {
      for (const c of channels) opts.ipcMain.removeHandler(c);
      channels.clear();
    },
  };
}
