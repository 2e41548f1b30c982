import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/**
 * Every request must name this server in its Host header (a DNS-rebinding guard: a web page on
 * another origin that resolves its name to 127.0.0.1 still sends its own host name) and carry
 * `Authorization: Bearer TOKEN`.
 */
export function checkRequest(req: IncomingMessage, token: string, port: number): void {
  if (!hostAllowed(req, port)) {
    throw new HttpError(
      403,
      'forbidden_host',
      `Host header must be 127.0.0.1:${port} or localhost:${port}`,
    );
  }
  const auth = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(auth);
  if (!match || !sameSecret(match[1], token)) {
    throw new HttpError(
      401,
      'unauthorized',
      'missing or wrong token: send Authorization: Bearer TOKEN',
      undefined,
      {
        'www-authenticate': 'Bearer',
      },
    );
  }
}

/** The Host header names this server on loopback (the DNS-rebinding guard). */
export function hostAllowed(req: Pick<IncomingMessage, 'headers'>, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Constant-time comparison of a presented token with the expected one. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
