/**
 * The control API's routes (docs/contract.md §3) on top of a Supervisor. Auth (token, Host guard) runs
 * before any of these; here requests are validated and mapped to supervisor calls, and
 * SupervisorError kinds to status codes.
 */
import type { ApiErrorCode } from '../../api/task.js';
import type { MySqlAction, NodeAction } from '../../api/control.js';
import {
  HttpError,
  MAX_IMPORT_BODY_BYTES,
  Router,
  readJsonBody,
  sendJson,
  type RouteContext,
} from '../../http/index.js';
import { collectChecksums } from '../checksums.js';
import { SupervisorError } from '../errors.js';
import { historyRoutes } from '../history/index.js';
import type { Supervisor } from '../supervisor.js';
import { proxyTasks } from './proxy.js';

const NODE_ACTIONS: readonly NodeAction[] = ['pause', 'resume', 'kill', 'restart', 'stop', 'start'];
const MYSQL_ACTIONS: readonly MySqlAction[] = ['stop', 'start', 'pause', 'resume'];

const STATUS: Record<SupervisorError['kind'], [number, ApiErrorCode]> = {
  not_found: [404, 'not_found'],
  conflict: [409, 'invalid_input'],
  invalid: [400, 'invalid_input'],
  no_leader: [503, 'no_leader'],
  unsupported: [400, 'invalid_input'],
};

/**
 * SupervisorError → its HTTP answer. Anything else (a node that would not start, a MySQL that
 * would not come up) is a 500 that keeps its message: the caller holds the token and is looking
 * at this machine's own processes, and the message is what tells them what went wrong.
 */
export function toHttp(e: unknown): unknown {
  if (e instanceof HttpError) return e;
  if (e instanceof Error && !(e instanceof SupervisorError)) {
    return new HttpError(500, 'internal', e.message);
  }
  if (e instanceof SupervisorError) {
    const [status, code] = STATUS[e.kind];
    return new HttpError(
      status,
      code,
      e.message,
      undefined,
      status === 503 ? { 'retry-after': '1' } : undefined,
    );
  }
  return e;
}

function nodeId(ctx: RouteContext): number {
  const raw = ctx.params.id ?? '';
  if (!/^[1-9]\d{0,6}$/.test(raw)) {
    throw new HttpError(
      400,
      'invalid_input',
      `node id must be a positive integer, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  what: string,
): T {
  if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
  throw new HttpError(
    404,
    'not_found',
    `unknown ${what} ${JSON.stringify(value)}: use ${allowed.join(', ')}`,
  );
}

export function createControlRouter(supervisor: Supervisor): Router {
  const router = new Router();
  const run =
    (fn: (ctx: RouteContext) => Promise<unknown> | unknown, status = 200) =>
    async (ctx: RouteContext): Promise<void> => {
      try {
        sendJson(ctx.res, status, await fn(ctx));
      } catch (e) {
        throw toHttp(e);
      }
    };

  router.on(
    'GET',
    '/api/cluster',
    run(() => supervisor.status()),
  );
  router.on(
    'GET',
    '/api/checksums',
    run(() => collectChecksums(supervisor.status().nodes, supervisor.token)),
  );
  router.on(
    'GET',
    '/api/events/recent',
    run(() => ({ events: supervisor.events.recent() })),
  );
  router.on(
    'POST',
    '/api/nodes/:id/:action',
    run((ctx) =>
      supervisor.nodeAction(nodeId(ctx), oneOf(ctx.params.action, NODE_ACTIONS, 'action')),
    ),
  );
  router.on(
    'POST',
    '/api/nodes/:id/mysql/:action',
    run((ctx) =>
      supervisor.mysqlAction(nodeId(ctx), oneOf(ctx.params.action, MYSQL_ACTIONS, 'MySQL action')),
    ),
  );
  router.on(
    'POST',
    '/api/nodes',
    run(() => supervisor.addNode(), 201),
  );
  router.on(
    'DELETE',
    '/api/nodes/:id',
    run((ctx) => supervisor.removeNode(nodeId(ctx))),
  );
  router.on(
    'GET',
    '/api/network',
    run(() => supervisor.networkFaults),
  );
  router.on(
    'PUT',
    '/api/network',
    run(async (ctx) => supervisor.setNetwork(await readJsonBody(ctx.req))),
  );
  router.on(
    'DELETE',
    '/api/network',
    run(() => supervisor.heal()),
  );
  router.on(
    'PUT',
    '/api/slow',
    run(async (ctx) => {
      const body = await readJsonBody(ctx.req);
      if (typeof body.factor !== 'number') {
        throw new HttpError(400, 'invalid_input', 'body must be { "factor": number }', {
          factor: 'a number, e.g. 5 for five times slower',
        });
      }
      return supervisor.setSlow(body.factor);
    }),
  );
  historyRoutes(router, supervisor, run);
  // The node's task API (§4), relayed: tasks, projects, tags, export and import. The node
  // answers what it does not know (a method it has no route for: 405).
  const tasks = (ctx: RouteContext): Promise<void> => proxyTasks(ctx, supervisor);
  for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) {
    router.on(method, '/api/tasks', tasks);
    router.on(method, '/api/tasks/:id', tasks);
    router.on(method, '/api/projects', tasks);
    router.on(method, '/api/projects/:id', tasks);
    router.on(method, '/api/tags', tasks);
    router.on(method, '/api/export', tasks);
  }
  // The one route with a larger body (a whole export or a CSV file): 16 MiB, as on the node.
  router.on('POST', '/api/import', tasks, { maxBodyBytes: MAX_IMPORT_BODY_BYTES });
  return router;
}
