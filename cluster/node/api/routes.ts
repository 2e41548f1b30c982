/**
 * The node's client API (docs/contract.md §4): tasks CRUD with chosen read consistency, status and
 * checksum. Handlers validate everything first (nothing is proposed or forwarded for a bad
 * request), then run on the leader or forward to it, and let typed errors become answers.
 */
import type { ListQuery } from '../../../db/statemachine.js';
import type {
  ReadConsistency,
  ReadMeta,
  TaskListResponse,
  TaskResponse,
  WriteResponse,
} from '../../api/node.js';
import {
  createTaskSchema,
  deleteTaskSchema,
  listTasksQuerySchema,
  patchTaskSchema,
} from '../../api/schemas.js';
import type { SessionRef, TaskCommand } from '../../api/task.js';
import { HttpError, Router, sendJson, type RouteContext } from '../../http/index.js';
import type { NodeService } from '../service.js';
import { createCommand, deleteCommand, updateCommand } from './commands.js';
import { invalidInput, resultError, toHttpError, type Operation } from './errors.js';
import { requestFingerprint, type FingerprintedRequest } from './fingerprint.js';
import {
  expectedVersionOf,
  parseIdempotencyKey,
  parseIfMatch,
  parseTaskId,
  parseWith,
  queryObject,
  readBody,
  rejectQuery,
} from './input.js';
import { atLeader } from './leader.js';

export interface ClientRouterOptions {
  /** The API token; forwarded requests carry it to the leader. */
  readonly token: string;
  readonly log?: (msg: string) => void;
}

const taskQuerySchema = listTasksQuerySchema.pick({ consistency: true });

/** The session a keyed write carries: its key and what it was sent with (./fingerprint.ts). */
function sessionFor(
  key: string | undefined,
  request: FingerprintedRequest,
): SessionRef | undefined {
  return key === undefined ? undefined : { key, fingerprint: requestFingerprint(request) };
}

/**
 * TEST-ONLY planted bug (issue 6): `RAFTBOARD_PLANTED_BUG=local-reads` makes linearizable reads
 * skip ReadIndex and answer from this node's database, as a broken implementation would. It
 * exists so the nemesis run can prove it catches stale reads (test/verify); never set it
 * otherwise. Read once, when the node starts.
 */
const PLANTED_LOCAL_READS = process.env.RAFTBOARD_PLANTED_BUG === 'local-reads';

export function createClientRouter(service: NodeService, opts: ClientRouterOptions): Router {
  const { token, log } = opts;
  if (PLANTED_LOCAL_READS) {
    log?.('TEST-ONLY planted bug local-reads is on: linearizable reads skip ReadIndex');
  }

  /** Runs `fn`, turning the service's typed failures into their HTTP answers. */
  async function mapped(op: Operation, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      throw toHttpError(e, op);
    }
  }

  /**
   * Serves a read at the chosen consistency. `answer` reads this node's MySQL and gets the
   * metadata to put next to it.
   */
  async function read(
    ctx: RouteContext,
    consistency: ReadConsistency,
    answer: (meta: ReadMeta) => Promise<{ status: number; body: unknown }>,
  ): Promise<void> {
    const serve = async (): Promise<void> => {
      const planted = PLANTED_LOCAL_READS && consistency === 'linearizable';
      if (consistency !== 'stale' && !planted) await service.readBarrier(consistency);
      // Taken before reading: the answer then reflects at least every entry up to appliedIndex,
      // so "appliedIndex >= my write's raftIndex" safely means the read includes the write.
      const meta: ReadMeta = {
        consistency,
        servedBy: service.id,
        appliedIndex: service.appliedIndex(),
        commitIndex: service.commitIndex(),
      };
      const { status, body } = await answer(meta);
      sendJson(ctx.res, status, body);
    };
    await mapped('read', () =>
      // The leader lease only exists on the leader: a follower hands such reads to it.
      consistency === 'leader'
        ? atLeader(service, ctx, { token, log, body: undefined, local: serve })
        : serve(),
    );
  }

  /** Proposes the command built on the leader (ids and timestamps are chosen there). */
  async function write(
    ctx: RouteContext,
    body: Record<string, unknown>,
    build: () => TaskCommand,
  ): Promise<void> {
    const local = async (): Promise<void> => {
      const committed = await service.propose(build());
      const { result } = committed;
      if (!result.ok) throw resultError(result);
      const answer: WriteResponse = {
        task: result.task,
        raftIndex: committed.index,
        term: committed.term,
        servedBy: service.id,
      };
      sendJson(ctx.res, result.status, answer);
    };
    // The body as received (validated here, and again by the leader with the same schema).
    await mapped('write', () =>
      atLeader(service, ctx, { token, log, body: JSON.stringify(body), local }),
    );
  }

  const router = new Router();

  router.on('GET', '/tasks', async (ctx) => {
    const q = parseWith(listTasksQuerySchema, queryObject(ctx.query), 'query string');
    const query: ListQuery = { status: q.status, q: q.q, limit: q.limit, offset: q.offset };
    await read(ctx, q.consistency, async (meta) => {
      const tasks = await service.listTasks(query);
      const body: TaskListResponse = { ...meta, tasks };
      return { status: 200, body };
    });
  });

  router.on('GET', '/tasks/:id', async (ctx) => {
    const id = parseTaskId(ctx.params.id);
    const q = parseWith(taskQuerySchema, queryObject(ctx.query), 'query string');
    await read(ctx, q.consistency, async (meta) => {
      const task = await service.getTask(id);
      if (task === null) throw new HttpError(404, 'not_found', `no task with id ${id}`);
      const body: TaskResponse = { ...meta, task };
      return { status: 200, body };
    });
  });

  router.on('POST', '/tasks', async (ctx) => {
    rejectQuery(ctx.query);
    const key = parseIdempotencyKey(ctx.req);
    if (ctx.req.headers['if-match'] !== undefined) {
      // A precondition on a task that does not exist yet cannot hold; ignoring it would let a
      // client believe its create was conditional.
      throw invalidInput('If-Match is for PATCH and DELETE', {
        'if-match': 'is not allowed when creating a task',
      });
    }
    const raw = await readBody(ctx.req);
    const body = parseWith(createTaskSchema, raw, 'task');
    const session = sessionFor(key, {
      method: 'POST',
      target: '/tasks',
      body: raw,
      ifMatch: undefined,
    });
    await write(ctx, raw, () => createCommand(body, session));
  });

  router.on('PATCH', '/tasks/:id', async (ctx) => {
    const id = parseTaskId(ctx.params.id);
    rejectQuery(ctx.query);
    const key = parseIdempotencyKey(ctx.req);
    const ifMatch = parseIfMatch(ctx.req);
    const raw = await readBody(ctx.req);
    const body = parseWith(patchTaskSchema, raw, 'task change');
    const expected = expectedVersionOf(body.expectedVersion, ifMatch);
    const target = `/tasks/${id}`;
    const session = sessionFor(key, { method: 'PATCH', target, body: raw, ifMatch });
    await write(ctx, raw, () => updateCommand(id, body, expected, session));
  });

  router.on('DELETE', '/tasks/:id', async (ctx) => {
    const id = parseTaskId(ctx.params.id);
    rejectQuery(ctx.query);
    const key = parseIdempotencyKey(ctx.req);
    const ifMatch = parseIfMatch(ctx.req);
    const raw = await readBody(ctx.req); // may be empty: reads as {}
    const body = parseWith(deleteTaskSchema, raw, 'delete request');
    const expected = expectedVersionOf(body.expectedVersion, ifMatch);
    const target = `/tasks/${id}`;
    const session = sessionFor(key, { method: 'DELETE', target, body: raw, ifMatch });
    await write(ctx, raw, () => deleteCommand(id, expected, session));
  });

  router.on('GET', '/status', ({ res }) => sendJson(res, 200, service.status()));

  router.on('GET', '/checksum', (ctx) =>
    mapped('read', async () => sendJson(ctx.res, 200, await service.checksum())),
  );

  return router;
}
