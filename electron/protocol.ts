/**
 * The window's pages come from a custom protocol, `raftboard://app/...`, not `file://`: a
 * file:// page may read any local file the user can, while this protocol answers only the files
 * of two folders, and it lets every answer carry our security headers (the CSP above all).
 *
 *   raftboard://app/             → build/renderer/index.html (the React app)
 *   raftboard://app/assets/...   → build/renderer/assets/...
 *   raftboard://app/_shell/...   → the start-up view (electron/startup: compiled JS, HTML, CSS)
 *
 * Pure: electron/main.ts wires it to `protocol.handle`; the path rules are unit-tested.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export const APP_SCHEME = 'raftboard';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;
export const STARTUP_URL = `${APP_ORIGIN}/_shell/startup.html`;

/**
 * Scripts only from our own files (no inline script, no eval), no network at all: the window
 * talks to the cluster over IPC. Style attributes are allowed because React and uPlot position
 * elements with them; style elements and stylesheets still come only from our files.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "worker-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type of a file we serve, or undefined: anything else is not served. */
export function contentType(file: string): string | undefined {
  return TYPES[path.extname(file).toLowerCase()];
}

/** A URL path prefix and the folders that answer it, tried in order. */
export interface Mount {
  readonly prefix: string;
  readonly roots: readonly string[];
}

export function appMounts(renderRoot: string, shellRoots: readonly string[]): Mount[] {
  return [
    { prefix: '/_shell/', roots: shellRoots },
    { prefix: '/', roots: [renderRoot] },
  ];
}

/**
 * The files that may answer `url`, in the order to try them, or undefined when the URL is not
 * ours or tries to leave its folder. The caller serves the first that exists.
 */
export function candidateFiles(url: string, mounts: readonly Mount[]): string[] | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  // Backslashes are separators on Windows, NUL ends a path in C: neither belongs in our URLs.
  if (pathname.includes('\\') || pathname.includes('\0')) return undefined;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const mount = mounts.find((m) => pathname.startsWith(m.prefix));
  if (mount === undefined) return undefined;
  const rel = pathname.slice(mount.prefix.length);
  if (rel === '' || contentType(rel) === undefined) return undefined;
  const out: string[] = [];
  for (const root of mount.roots) {
    const base = path.resolve(root);
    const file = path.resolve(base, rel);
    if (!file.startsWith(base + path.sep)) return undefined;
    out.push(file);
  }
  return out;
}

/**
 * The answer to one request of our protocol: the first candidate file that exists, with our
 * security headers; 404 for anything else, 405 for anything but GET/HEAD.
 */
export async function serveAppRequest(
  method: string,
  url: string,
  mounts: readonly Mount[],
  read: (file: string) => Promise<Buffer> = (f) => fs.readFile(f),
): Promise<Response> {
  const text = (status: number, body: string): Response =>
    new Response(body, {
      status,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
    });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'method not allowed');
  for (const file of candidateFiles(url, mounts) ?? []) {
    let body: Buffer;
    try {
      body = await read(file);
    } catch {
      continue;
    }
    return new Response(method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': contentType(file) ?? 'text/plain' },
    });
  }
  return text(404, 'not found');
}

/**
 * Links the page may open in the user's browser (never in the app): https only, so a page can
 * never launch a local program through file:, a custom scheme or javascript:.
 */
export function externalUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
