import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/**
 * The request target as a URL. `new URL(target, base)` reads a target like `//host/x` as a
 * scheme-relative URL and throws on `//[`, so the target is appended to an origin instead;
 * anything still unparseable is the client's error (400), never a 500.
 */
export function requestUrl(req: Pick<IncomingMessage, 'url'>): URL {
  const target = req.url ?? '/';
  try {
    if (!target.startsWith('/')) throw new TypeError('not an origin-form target');
    return new URL(`http://localhost${target}`);
  } catch {
    throw new HttpError(
      400,
      'invalid_input',
      `malformed request target: ${JSON.stringify(target.slice(0, 200))}`,
    );
  }
}
