/**
 * `GET /api/history`, `POST /api/history`, `POST /api/history/check` (cluster/api/history.ts).
 */
import { z } from 'zod';
import type { HistoryRecordBody } from '../../api/history.js';
import { HttpError, readJsonBody, type RouteContext, type Router } from '../../http/index.js';
import { MAX_BACKGROUND_CLIENTS, historyOf, type LiveHistoryHost } from './live.js';

const recordBodySchema = z.strictObject({
  record: z.boolean(),
  clients: z.number().int().min(0).max(MAX_BACKGROUND_CLIENTS).optional(),
});

export function parseRecordBody(raw: unknown): HistoryRecordBody {
  const parsed = recordBodySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const details: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    details[issue.path.length > 0 ? issue.path.join('.') : 'body'] = issue.message;
  }
  throw new HttpError(
    400,
    'invalid_input',
    `body must be { "record": true|false, "clients"?: 0..${MAX_BACKGROUND_CLIENTS} }`,
    details,
  );
}

type Run = (
  fn: (ctx: RouteContext) => Promise<unknown> | unknown,
) => (ctx: RouteContext) => Promise<void>;

export function historyRoutes(router: Router, supervisor: LiveHistoryHost, run: Run): void {
  const h = historyOf(supervisor);
  router.on(
    'GET',
    '/api/history',
    run(() => h.status()),
  );
  router.on(
    'POST',
    '/api/history',
    run(async (ctx) => h.record(parseRecordBody(await readJsonBody(ctx.req)))),
  );
  router.on(
    'POST',
    '/api/history/check',
    run(() => h.check()),
  );
}
