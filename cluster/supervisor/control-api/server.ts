/**
 * The control API server (docs/contract.md §2–3) on 127.0.0.1: `/api/...` with the token and Host
 * guard of cluster/http, the WebSocket event stream at `/api/events`, and the web UI at `/`.
 *
 * A browser cannot put an Authorization header on a page navigation or a WebSocket, so the page
 * and the WebSocket also accept `?token=` (the page then keeps it in sessionStorage). Static
 * assets of the built UI (JS, CSS) are public code and need only the Host guard.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClusterEvent, ClusterEventType } from '../../api/control.js';
import {
  HttpError,
  answerParserErrors,
  drainRequest,
  checkRequest,
  hostAllowed,
  requestUrl,
  sameSecret,
  sendError,
} from '../../http/index.js';
import { historyOf } from '../history/index.js';
import type { Supervisor } from '../supervisor.js';
import { PLACEHOLDER_PAGE, staticFile } from './page.js';
import { createControlRouter } from './routes.js';

export interface ControlServerOptions {
  readonly supervisor: Supervisor;
  /** 0 = any free port. */
  readonly port: number;
  /** The built web UI (index.html and assets); the placeholder page when absent. */
  readonly uiDir?: string | undefined;
  readonly log?: (msg: string) => void;
}

export interface ControlServer {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

/** Above this many buffered bytes a WebSocket client only gets the events that matter. */
const SLOW_CLIENT_BYTES = 1 << 20;
/** Above this it is cut off: it is not reading at all. */
const DEAD_CLIENT_BYTES = 16 << 20;

/** The bearer token, or `?token=` (browsers cannot set headers on a WebSocket). */
function tokenOk(req: IncomingMessage, token: string): boolean {
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  const given = auth?.[1] ?? requestUrl(req).searchParams.get('token') ?? '';
  return sameSecret(given, token);
}

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const { supervisor } = opts;
  const token = supervisor.token;
  const router = createControlRouter(supervisor);
  const uiDir = opts.uiDir === undefined ? undefined : path.resolve(opts.uiDir);
  let port = opts.port;

  const serveUi = (req: IncomingMessage, res: ServerResponse): void => {
    if (!hostAllowed(req, port)) {
      throw new HttpError(
        403,
        'forbidden_host',
        `Host header must be 127.0.0.1:${port} or localhost:${port}`,
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'invalid_input', `method ${req.method} is not allowed here`);
    }
    const urlPath = requestUrl(req).pathname;
    const isPage = urlPath === '/' || urlPath === '/index.html';
    // The page itself is public code and holds no data: a reload (after the page dropped
    // ?token= from the address bar and kept it in sessionStorage) must still load it. Every
    // /api route and the WebSocket need the token.
    const file = staticFile(uiDir, urlPath);
    if (file === undefined && !isPage)
      throw new HttpError(404, 'not_found', `no such file: ${urlPath}`);
    const body = file?.body ?? Buffer.from(PLACEHOLDER_PAGE);
    res.writeHead(200, {
      'content-type': file?.type ?? 'text/html; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // The page talks only to this server.
      'content-security-policy':
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
      'referrer-policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const urlPath = requestUrl(req).pathname;
        if (urlPath === '/api' || urlPath.startsWith('/api/')) {
          checkRequest(req, token, port);
          await router.dispatch(req, res);
        } else {
          // A page needs no body; what a client sent anyway is read first (see drainRequest).
          await drainRequest(req);
          serveUi(req, res);
        }
      } catch (err) {
        await drainRequest(req);
        sendError(res, err, opts.log);
      }
    })();
  });
  answerParserErrors(server);
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    let url: URL;
    try {
      url = requestUrl(req);
    } catch {
      return refuse(400, 'Bad Request');
    }
    if (url.pathname !== '/api/events') return refuse(404, 'Not Found');
    if (!hostAllowed(req, port)) return refuse(403, 'Forbidden');
    if (!tokenOk(req, token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => streamEvents(ws, supervisor, url.searchParams));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Background clients of a recording stop with the API (they would retry forever).
        void historyOf(supervisor).close();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * One WebSocket client: the recent events and a status snapshot first, then every event as it
 * happens, as JSON text frames. `?types=status,role` limits what is sent.
 */
function streamEvents(ws: WebSocket, supervisor: Supervisor, query: URLSearchParams): void {
  const typesParam = query.get('types');
  const wanted =
    typesParam === null
      ? undefined
      : new Set(typesParam.split(',').map((t) => t.trim()) as ClusterEventType[]);
  const send = (event: ClusterEvent): void => {
    if (wanted !== undefined && !wanted.has(event.type)) return;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > DEAD_CLIENT_BYTES) {
      ws.terminate();
      return;
    }
    // A slow reader misses snapshots and log lines (the next snapshot supersedes them) but
    // never a role change, election, commit or fault.
    if (ws.bufferedAmount > SLOW_CLIENT_BYTES && (event.type === 'status' || event.type === 'log'))
      return;
    ws.send(JSON.stringify(event));
  };
  for (const event of supervisor.events.recent()) send(event);
  send({ type: 'status', seq: 0, at: new Date().toISOString(), cluster: supervisor.status() });
  const unsubscribe = supervisor.events.subscribe(send);
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
  // Clients have nothing to say; anything they send is ignored.
  ws.on('message', () => undefined);
}
