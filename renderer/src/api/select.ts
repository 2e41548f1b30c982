/**
 * Picks the transport at start-up: the preload's bridge inside Electron, otherwise HTTP to the
 * server that served this page, with the token from the URL.
 */
import { apiFromBridge } from './bridge.js';
import { createHttpApi } from './http.js';
import { takeToken } from './token.js';
import type { RaftboardApi } from './types.js';

export type ApiChoice =
  | { readonly ok: true; readonly api: RaftboardApi; readonly transport: 'electron' | 'http' }
  | { readonly ok: false; readonly reason: string };

export function chooseApi(win: Window = window): ApiChoice {
  if (win.raftboard !== undefined) {
    return { ok: true, api: apiFromBridge(win.raftboard), transport: 'electron' };
  }
  const token = takeToken({
    location: win.location,
    storage: win.sessionStorage,
    history: win.history,
  });
  if (token === null) {
    return {
      ok: false,
      reason:
        'No access token. Open the address printed by `npm run cluster` (it ends in ?token=…).',
    };
  }
  return {
    ok: true,
    api: createHttpApi({ baseUrl: win.location.origin, token }),
    transport: 'http',
  };
}
