/**
 * The web UI's token (docs/contract.md §2): taken from `?token=` once, kept in sessionStorage (so it
 * dies with the tab), and removed from the address bar so it is not left in history, bookmarks
 * or screenshots.
 */
export const TOKEN_STORAGE_KEY = 'raftboard-token';

export interface TokenEnv {
  readonly location: Pick<Location, 'href'>;
  readonly storage: Pick<Storage, 'getItem' | 'setItem'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
}

export function takeToken(env: TokenEnv): string | null {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    env.storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  return env.storage.getItem(TOKEN_STORAGE_KEY);
}
