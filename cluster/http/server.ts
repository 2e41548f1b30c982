import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerParserErrors, drainRequest } from './body.js';
import { sendError } from './errors.js';
import { checkRequest } from './guard.js';
import type { Router } from './router.js';

export interface ApiServerOptions {
  readonly host?: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly token: string;
  readonly router: Router;
  readonly log?: (msg: string) => void;
}

export interface ApiServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 where every request passes the Host and token checks first. */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  let port = opts.port;
  const server = createServer((req, res) => {
    void (async () => {
      try {
        checkRequest(req, opts.token, port);
        await opts.router.dispatch(req, res);
      } catch (err) {
        await drainRequest(req);
        sendError(res, err, opts.log);
      }
    })();
  });
  answerParserErrors(server);
  // Slow or stuck clients must not pin sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
