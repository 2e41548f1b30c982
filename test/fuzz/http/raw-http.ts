/**
 * HTTP/1.1 over a plain socket, so a fuzz request can carry what fetch and http.request refuse
 * to send: any method token, any request target (`//[`, `*`, raw `%zz`), any Host header, header
 * values with non-ASCII bytes, repeated headers. One request per connection (`Connection:
 * close`), and the answer is read to the end; only the first response counts.
 */
import net from 'node:net';

export interface RawRequest {
  readonly method: string;
  /** The request target exactly as it goes on the request line. */
  readonly target: string;
  /** In order, sent as they are (UTF-8 bytes); no Content-Length or Connection here. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  readonly chunked?: boolean;
}

export interface RawResponse {
  /** 0: the server closed the connection without answering. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The answer did not come, or was not HTTP. */
export class RawHttpError extends Error {
  override readonly name = 'RawHttpError';
}

function encode(req: RawRequest): Buffer {
  const lines = [`${req.method} ${req.target} HTTP/1.1`];
  for (const [name, value] of req.headers) lines.push(`${name}: ${value}`);
  const body = req.body ?? Buffer.alloc(0);
  if (req.chunked === true) lines.push('Transfer-Encoding: chunked');
  else if (req.body !== undefined) lines.push(`Content-Length: ${body.length}`);
  lines.push('Connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'utf8');
  if (req.chunked !== true) return Buffer.concat([head, body]);
  const parts: Buffer[] = [head];
  // Two chunks when there is a body, so the server really reassembles.
  const cut = body.length >> 1;
  for (const piece of [body.subarray(0, cut), body.subarray(cut)]) {
    if (piece.length > 0)
      parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', at);
    if (eol < 0) return Buffer.concat(out);
    const size = parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) return Buffer.concat(out);
    out.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function parse(raw: Buffer): RawResponse {
  if (raw.length === 0) return { status: 0, headers: {}, body: raw };
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0)
    throw new RawHttpError(
      `no complete response head: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`,
    );
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new RawHttpError(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined)
    body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(m[1]), headers, body };
}

/** Sends `req` to 127.0.0.1:`port`; rejects with RawHttpError on a timeout or a non-HTTP answer. */
export function sendRaw(port: number, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RawHttpError(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => got.push(d));
    // The server may close while we still write (a refused request): that is an answer too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(got)));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    // Not end(): a client that half-closes first makes Node's server abort the request
    // (httpAllowHalfOpen is false), which is not what a real client does. The server closes
    // after its answer (Connection: close).
    socket.on('connect', () => socket.write(encode(req)));
  });
}

/** The request as a shell command that replays it (printf | nc), for failure reports. */
export function replayCommand(port: number, req: RawRequest): string {
  const bytes = encode(req);
  const shown = bytes.length > 4096 ? `${bytes.length} bytes (too long to print)` : null;
  if (shown) return shown;
  let s = '';
  for (const b of bytes) {
    if (b === 0x27 || b === 0x5c || b === 0x25 || b < 0x20 || b > 0x7e)
      s += `\\x${b.toString(16).padStart(2, '0')}`;
    else s += String.fromCharCode(b);
  }
  return `printf '${s}' | nc 127.0.0.1 ${port}`;
}
