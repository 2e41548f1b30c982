import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import { HttpError } from './errors.js';
import { requestUrl } from './url.js';

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

export type Handler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
  readonly method: string;
  readonly parts: readonly string[];
  readonly handler: Handler;
  readonly maxBodyBytes: number | undefined;
}

export interface RouteOptions {
  /** The body limit of this route (default MAX_BODY_BYTES, 1 MiB). */
  readonly maxBodyBytes?: number;
}

/** A tiny exact-segment router: `/tasks/:id` matches `/tasks/abc` with params.id = 'abc'. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): this {
    this.routes.push({
      method,
      parts: split(pattern),
      handler,
      maxBodyBytes: options.maxBodyBytes,
    });
    return this;
  }

  /**
   * Runs the matching handler once the body has been read; 404 for an unknown path, 405 for a
   * known path with another method, 413 for a body over the limit.
   */
  async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const parts = split(url.pathname);
    let pathKnown = false;
    for (const route of this.routes) {
      const params = match(route.parts, parts);
      if (!params) continue;
      pathKnown = true;
      if (route.method !== req.method) continue;
      // The whole body (or its 413) before the handler answers: an answer sent while the client
      // is still sending would be lost under the connection's reset (see readBody).
      await readBody(req, route.maxBodyBytes);
      await route.handler({ req, res, params, query: url.searchParams });
      return;
    }
    if (pathKnown)
      throw new HttpError(
        405,
        'invalid_input',
        `method ${req.method} is not allowed on ${url.pathname}`,
      );
    throw new HttpError(404, 'not_found', `no such endpoint: ${url.pathname}`);
  }
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p.length > 0);
}

function match(
  pattern: readonly string[],
  parts: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    } else if (p !== parts[i]) {
      return undefined;
    }
  }
  return params;
}
