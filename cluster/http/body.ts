import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HttpError } from './errors.js';

export const MAX_BODY_BYTES = 1 << 20;
/** The one larger limit: `POST /import` (a whole export or a CSV file). */
export const MAX_IMPORT_BODY_BYTES = 16 << 20;

/**
 * How much of a refused body the server still reads (and throws away) before it answers. A
 * server that answers while the client is still sending and then closes the connection makes
 * the kernel reset it, and the client loses the answer it was sent (the "lingering close"
 * problem). Past this, the client is abusive and may get the reset.
 */
export const MAX_DRAIN_BYTES = 16 << 20;
const DRAIN_TIMEOUT_MS = 5_000;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `request body is larger than ${limit} bytes`);
}

const bodies = new WeakMap<IncomingMessage, Promise<Buffer>>();

/**
 * The whole request body, at most `limit` (MAX_BODY_BYTES unless the route says otherwise). Too
 * large (by Content-Length or by counting) → 413, once the rest of the body has been read and
 * thrown away (see drainRequest), so the client receives the answer; nothing past the limit is
 * kept in memory. Read once per request: the servers read it before routing (with the route's
 * limit), and a handler asking again gets the same result.
 */
export function readBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<Buffer> {
  let body = bodies.get(req);
  if (body === undefined) {
    body = readBodyOnce(req, limit);
    bodies.set(req, body);
  }
  return body;
}

function readBodyOnce(req: IncomingMessage, limit: number): Promise<Buffer> {
  // A route with a larger limit drains that much more, so its clients get their 413 too.
  const refuse = (): Promise<Buffer> =>
    drainRequest(req, Math.max(MAX_DRAIN_BYTES, limit + MAX_BODY_BYTES)).then(() => {
      throw tooLarge(limit);
    });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return refuse();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      stop();
      chunks.length = 0;
      refuse().then(resolve, reject);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onClose = (): void => {
      stop();
      reject(new HttpError(400, 'invalid_input', 'the connection closed before the body ended'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
  });
}

/**
 * The body as a JSON object. Too large → 413 (see readBody); not JSON, or not an object → 400.
 * An empty body reads as `{}`.
 */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'invalid_input', `body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_input', 'body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Before an answer that did not read the request's body (a 404, a 401, an error): read and
 * discard what is left of it, up to MAX_DRAIN_BYTES or DRAIN_TIMEOUT_MS, so that closing the
 * connection afterwards does not reset it under the answer.
 */
export function drainRequest(
  req: IncomingMessage,
  maxBytes: number = MAX_DRAIN_BYTES,
): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    const done = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        done();
      }
    };
    const timer = setTimeout(done, DRAIN_TIMEOUT_MS);
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

const PARSER_ERROR_STATUS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Node's own answer to a request its parser refuses (a bare 400, 431, 408…), but with a
 * lingering close: Node's default destroys the socket at once, and a client still sending its
 * body gets a reset instead of the answer. Here the answer is sent, the connection half-closed,
 * and what the client still sends is read and thrown away (up to MAX_DRAIN_BYTES or
 * DRAIN_TIMEOUT_MS).
 */
export function answerParserErrors(server: Server): void {
  const handled = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser reports the same error again for every later chunk: answer once.
    if (handled.has(socket)) return;
    handled.add(socket);
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    if ((socket as Socket).bytesWritten === 0) {
      const status = (err.code !== undefined && PARSER_ERROR_STATUS[err.code]) || '400 Bad Request';
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    }
    socket.removeAllListeners('data'); // the parser's: nothing more is parsed
    let read = 0;
    const timer = setTimeout(() => socket.destroy(), DRAIN_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > MAX_DRAIN_BYTES) socket.destroy();
    });
    socket.once('close', () => clearTimeout(timer));
    socket.end();
    socket.resume();
  });
}
