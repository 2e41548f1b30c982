/**
 * Turning an abstract TaskRequest into the bytes sent, against the fuzz's current model: which
 * known task a `known` id names, what its version is, which earlier key a `reuse` key repeats.
 */
import { randomBytes } from 'node:crypto';
import { steerAround } from '../known-bugs.js';
import { renderBody, resolveVersion } from './bodies.js';
import type { RawRequest } from './raw-http.js';
import type { TaskRequest } from './requests.js';

export interface RenderContext {
  readonly token: string;
  /** The port the request goes to (for the Host header). */
  readonly port: number;
  /** '' for a node's API, '/api' for the control API's relay. */
  readonly prefix: string;
  readonly knownIds: readonly string[];
  version(id: string): number | undefined;
  /** Idempotency-Keys sent before, oldest first. */
  readonly usedKeys: readonly string[];
}

export interface Rendered {
  readonly raw: RawRequest;
  /** The task the path names, when it names one by a well-formed id. */
  readonly taskId: string | undefined;
  readonly key: string | undefined;
  /** The body as the server will parse it, when it is JSON. */
  readonly json: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function pathOf(req: TaskRequest, ctx: RenderContext): { path: string; taskId?: string } {
  const p = req.path;
  switch (p.k) {
    case 'tasks':
      return { path: `${ctx.prefix}/tasks` };
    case 'task': {
      let id: string;
      if (p.id.k === 'known') {
        id =
          ctx.knownIds.length > 0
            ? ctx.knownIds[p.id.i % ctx.knownIds.length]
            : '6f1c7c9e-0000-4000-8000-000000000000';
      } else id = p.id.v;
      // The router ignores empty segments, and the node lower-cases ids.
      const named = p.suffix !== '/x' && UUID.test(id) ? id.toLowerCase() : undefined;
      return { path: `${ctx.prefix}/tasks/${id}${p.suffix}`, taskId: named };
    }
    case 'fixed':
      return { path: `${ctx.prefix}${p.path}` };
    case 'segments':
      return { path: `${ctx.prefix}/${p.segs.join('/')}` };
    case 'raw':
      return { path: p.target };
  }
}

function authHeader(req: TaskRequest, token: string): string | undefined {
  switch (req.auth) {
    case 'ok':
      return `Bearer ${token}`;
    case 'none':
      return undefined;
    case 'wrong':
      return `Bearer ${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    case 'basic':
      return 'Basic dXNlcjpwYXNz';
    case 'padded':
      return `Bearer  ${token}`;
  }
}

function hostHeader(req: TaskRequest, port: number): string | undefined {
  switch (req.host) {
    case 'ok':
      return `127.0.0.1:${port}`;
    case 'localhost':
      return `localhost:${port}`;
    case 'evil':
      return 'evil.example';
    case 'otherPort':
      return `127.0.0.1:${port + 1}`;
    case 'none':
      return undefined;
  }
}

export function render(req: TaskRequest, ctx: RenderContext): Rendered {
  const { path, taskId } = pathOf(req, ctx);
  const version = taskId === undefined ? undefined : ctx.version(taskId);
  const headers: [string, string][] = [];
  const host = hostHeader(req, ctx.port);
  if (host !== undefined) headers.push(['Host', host]);
  const auth = authHeader(req, ctx.token);
  if (auth !== undefined) headers.push(['Authorization', auth]);
  if (req.contentType !== null) headers.push(['Content-Type', req.contentType]);
  let key: string | undefined;
  if (req.key.k === 'fresh' || (req.key.k === 'reuse' && ctx.usedKeys.length === 0)) {
    key = `fz-${randomBytes(8).toString('hex')}`;
  } else if (req.key.k === 'reuse') key = ctx.usedKeys[req.key.i % ctx.usedKeys.length];
  else if (req.key.k === 'raw') key = req.key.v;
  if (key !== undefined) headers.push(['Idempotency-Key', key]);
  if (req.ifMatch !== null) {
    const v =
      req.ifMatch.k === 'header'
        ? req.ifMatch.v
        : JSON.stringify(resolveVersion(req.ifMatch, version));
    headers.push(['If-Match', v]);
  }
  headers.push(...req.extraHeaders.map(([n, v]): [string, string] => [n, v]));
  const body = renderBody(req.body, version);
  let json: unknown;
  if (body !== undefined) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
  }
  let target = req.query === '' ? path : `${path}?${req.query}`;
  if (steerAround('bad-url') && !URL.canParse(target, 'http://localhost')) target = '/tasks';
  return {
    raw: {
      method: req.method,
      target,
      headers,
      ...(body === undefined ? {} : { body }),
      chunked: req.chunked && body !== undefined,
    },
    taskId,
    key,
    json,
  };
}
