/**
 * The node's client API (docs/contract.md §4): tasks and projects CRUD with chosen read
 * consistency, tags, export and import, status and checksum. Handlers validate everything first
 * (nothing is proposed or forwarded for a bad request), then run on the leader or forward to it,
 * and let typed errors become answers.
 */
import { newId } from './new-id.js';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ListQuery } from '../../../db/statemachine.js';
import type {
  ExportDocument,
  ImportResponse,
  ProjectListResponse,
  ProjectResponse,
  ProjectWriteResponse,
  ReadConsistency,
  ReadMeta,
  TagListResponse,
  TaskListResponse,
  TaskResponse,
  WriteResponse,
} from '../../api/node.js';
import { completionDate, nextOccurrence, todayIn } from '../../api/recurrence.js';
import {
  createProjectSchema,
  createTaskSchema,
  deleteProjectQuerySchema,
  deleteTaskSchema,
  listTasksQuerySchema,
  patchProjectSchema,
  patchTaskSchema,
  type PatchTaskBody,
} from '../../api/schemas.js';
import type { NextOccurrence, SessionRef, Task, TaskCommand } from '../../api/task.js';
import {
  HttpError,
  MAX_IMPORT_BODY_BYTES,
  readBody as readRawBody,
  Router,
  sendJson,
  singleHeader,
  type RouteContext,
} from '../../http/index.js';
import type { CommittedWrite, NodeService } from '../service.js';
import {
  createCommand,
  deleteCommand,
  importCommand,
  projectCreateCommand,
  projectDeleteCommand,
  projectUpdateCommand,
  updateCommand,
} from './commands.js';
import { invalidInput, resultError, successStatus, toHttpError, type Operation } from './errors.js';
import { requestFingerprint, type FingerprintedRequest } from './fingerprint.js';
// Type only: export.js and import.js (papaparse, chrono-node and its locales) are imported when
// an export or import is asked for, not at every node's start (issue 15, idle footprint).
import type { ImportRows, TodoistOptions } from './import.js';
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

const readQuerySchema = listTasksQuerySchema.pick({ consistency: true });
/** `PATCH /tasks/:id?tz=`: the zone a completion's date is counted in (default UTC). */
const patchQuerySchema = listTasksQuerySchema.pick({ tz: true });
const exportQuerySchema = z.strictObject({
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json'),
});
const importQuerySchema = z.strictObject({
  /** A CSV import's project, by name (created when no project has that name). */
  project: createProjectSchema.shape.name.optional(),
});

/**
 * How many batches an import of `bytes` may need (a row is ~300 bytes at least), at most
 * `batchBytes` (import.ts's IMPORT_BATCH_BYTES) each.
 */
function estimatedBatches(bytes: number, batchBytes: number): number {
  return Math.ceil(bytes / batchBytes) + Math.ceil(bytes / 300 / 500) + 1;
}

/** A project id (or any other UUID in the path), lower-cased like a task id. */
function parseId(raw: string | undefined, what: string): string {
  try {
    return parseTaskId(raw);
  } catch (e) {
    if (e instanceof HttpError) throw invalidInput(`invalid ${what}`, { id: 'must be a UUID' });
    throw e;
  }
}

/** `GET /tasks`'s query: every parameter once, except `tag`, which repeats. */
function listQueryObject(query: URLSearchParams): Record<string, unknown> {
  const rest = new URLSearchParams();
  for (const [k, v] of query) if (k !== 'tag') rest.append(k, v);
  const out: Record<string, unknown> = queryObject(rest);
  const tags = query.getAll('tag');
  if (tags.length > 0) out.tag = tags;
  return out;
}

/** A precondition on something that does not exist yet cannot hold. */
function refuseIfMatchOnCreate(ctx: RouteContext, what: string): void {
  if (ctx.req.headers['if-match'] !== undefined) {
    // Ignoring it would let a client believe its create was conditional.
    throw invalidInput('If-Match is for PATCH and DELETE', {
      'if-match': `is not allowed when creating a ${what}`,
    });
  }
}

/** Sends CSV text (an export). */
function sendCsv(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'content-type': 'text/csv; charset=utf-8',
    'content-length': body.length,
    'content-disposition': 'attachment; filename="raftboard-tasks.csv"',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

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
    answer: (meta: ReadMeta) => Promise<{ status: number; body: unknown; csv?: boolean }>,
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
      const { status, body, csv } = await answer(meta);
      if (csv === true) sendCsv(ctx.res, status, body as string);
      else sendJson(ctx.res, status, body);
    };
    await mapped('read', () =>
      // The leader lease only exists on the leader: a follower hands such reads to it.
      consistency === 'leader'
        ? atLeader(service, ctx, { token, log, body: undefined, local: serve })
        : serve(),
    );
  }

  /** The answer of a write: its HTTP status and body, from the committed entry. */
  type Answer = (committed: CommittedWrite) => { status: number; body: unknown };

  /**
   * Proposes the command built on the leader (ids, timestamps and the next occurrence of a
   * recurring task are chosen there) and answers with `answer`.
   */
  async function write(
    ctx: RouteContext,
    body: Record<string, unknown>,
    build: () => TaskCommand | Promise<TaskCommand>,
    answer: Answer = taskAnswer,
  ): Promise<void> {
    const local = async (): Promise<void> => {
      const committed = await service.propose(await build());
      const { status, body: out } = answer(committed);
      sendJson(ctx.res, status, out);
    };
    // The body as received (validated here, and again by the leader with the same schema).
    await mapped('write', () =>
      atLeader(service, ctx, { token, log, body: JSON.stringify(body), local }),
    );
  }

  function taskAnswer(committed: CommittedWrite): { status: number; body: unknown } {
    const { result } = committed;
    if (!result.ok) throw resultError(result);
    if (
      result.outcome !== 'created' &&
      result.outcome !== 'updated' &&
      result.outcome !== 'deleted'
    ) {
      throw new Error(`a task write answered ${result.outcome}`);
    }
    const answer: WriteResponse = {
      task: result.task,
      raftIndex: committed.index,
      term: committed.term,
      servedBy: service.id,
      ...(result.outcome === 'updated' && result.next !== undefined ? { next: result.next } : {}),
      ...(result.outcome === 'deleted' ? { deletedIds: result.deletedIds } : {}),
    };
    return { status: successStatus(result.outcome), body: answer };
  }

  function projectAnswer(committed: CommittedWrite): { status: number; body: unknown } {
    const { result } = committed;
    if (!result.ok) throw resultError(result);
    if (result.outcome === 'project_created' || result.outcome === 'project_updated') {
      const answer: ProjectWriteResponse = {
        project: result.project,
        raftIndex: committed.index,
        term: committed.term,
        servedBy: service.id,
      };
      return { status: successStatus(result.outcome), body: answer };
    }
    if (result.outcome === 'project_deleted') {
      const answer: ProjectWriteResponse = {
        project: null,
        raftIndex: committed.index,
        term: committed.term,
        servedBy: service.id,
        deletedIds: result.deletedIds,
        movedIds: result.movedIds,
      };
      return { status: 200, body: answer };
    }
    throw new Error(`a project write answered ${result.outcome}`);
  }

  /**
   * On the leader, before proposing a task change: what the state at its read barrier says.
   * A change that completes a recurring task gets its next occurrence (computed here, carried in
   * the entry, applied only if the task is still at the version it was computed from); when the
   * rule has no further date (COUNT, UNTIL) the change ends the series instead (`recurrence:
   * null`, at that same version). A due time set, or a rule kept, on a task left without a due
   * date is refused (400); clearing the due date clears the due time (the state machine does).
   */
  async function prepareUpdate(
    id: string,
    body: PatchTaskBody,
    expected: number | undefined,
    session: SessionRef | undefined,
    timeZone: string,
  ): Promise<TaskCommand> {
    const at = new Date().toISOString();
    const setsTime = body.dueTime !== undefined && body.dueTime !== null;
    const setsRule = body.recurrence !== undefined && body.recurrence !== null;
    const reads =
      body.status === 'done' ||
      (body.dueDate === null && body.recurrence === undefined) ||
      (body.dueDate === undefined && (setsTime || setsRule));
    if (!reads) return updateCommand(id, body, expected, session, undefined, at);
    // The lease barrier (ReadIndex when the lease does not hold): this runs on the leader, and a
    // read that missed a change costs no safety, the entry carries the version it was read at.
    await service.readBarrier('leader');
    const task = await service.getTask(id);
    // Unknown id, or a version the client did not expect: the state machine answers that.
    if (task === null || (expected !== undefined && expected !== task.version)) {
      return updateCommand(id, body, expected, session, undefined, at);
    }
    const dueDate = body.dueDate !== undefined ? body.dueDate : task.dueDate;
    const recurrence = body.recurrence !== undefined ? body.recurrence : task.recurrence;
    if (dueDate === null) {
      const details: Record<string, string> = {};
      if (setsTime) details.dueTime = 'needs a dueDate';
      if (recurrence !== null) details.recurrence = 'needs a dueDate (set recurrence to null too)';
      if (Object.keys(details).length > 0) throw invalidInput('invalid task change', details);
    }
    if (body.status !== 'done' || task.status === 'done' || recurrence === null) {
      return updateCommand(id, body, expected, session, undefined, at);
    }
    // From completion: the day it was completed where the user is, not the UTC date.
    const base = recurrence.from === 'completion' ? completionDate(at, timeZone) : dueDate;
    const nextDate = base === null ? null : nextOccurrence(recurrence.rrule, base);
    if (nextDate === null) {
      // The series is over: complete it without a next occurrence, if nothing changed since.
      return updateCommand(id, { ...body, recurrence: null }, task.version, session, undefined, at);
    }
    const next: NextOccurrence = { id: newId(), dueDate: nextDate, forVersion: task.version };
    return updateCommand(id, body, expected, session, next, at);
  }

  const router = new Router();

  router.on('GET', '/tasks', async (ctx) => {
    const q = parseWith(listTasksQuerySchema, listQueryObject(ctx.query), 'query string');
    const query: ListQuery = {
      status: q.status,
      q: q.q,
      projectId: q.projectId,
      tags: q.tag,
      parentId: q.parentId,
      due: q.due === undefined ? undefined : { kind: q.due, today: todayIn(q.tz) },
      limit: q.limit,
      offset: q.offset,
    };
    await read(ctx, q.consistency, async (meta) => {
      const tasks = await service.listTasks(query);
      const body: TaskListResponse = { ...meta, tasks };
      return { status: 200, body };
    });
  });

  router.on('GET', '/tasks/:id', async (ctx) => {
    const id = parseTaskId(ctx.params.id);
    const q = parseWith(readQuerySchema, queryObject(ctx.query), 'query string');
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
    refuseIfMatchOnCreate(ctx, 'task');
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
    const q = parseWith(patchQuerySchema, queryObject(ctx.query), 'query string');
    const key = parseIdempotencyKey(ctx.req);
    const ifMatch = parseIfMatch(ctx.req);
    const raw = await readBody(ctx.req);
    const body = parseWith(patchTaskSchema, raw, 'task change');
    const expected = expectedVersionOf(body.expectedVersion, ifMatch);
    // `tz` is left out of the target the key is bound to: a retry from another zone is the same
    // change (it answers the first attempt's result).
    const target = `/tasks/${id}`;
    const session = sessionFor(key, { method: 'PATCH', target, body: raw, ifMatch });
    await write(ctx, raw, () => prepareUpdate(id, body, expected, session, q.tz));
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

  // ---- projects ----

  router.on('GET', '/projects', async (ctx) => {
    const q = parseWith(readQuerySchema, queryObject(ctx.query), 'query string');
    await read(ctx, q.consistency, async (meta) => {
      const body: ProjectListResponse = { ...meta, projects: await service.listProjects() };
      return { status: 200, body };
    });
  });

  router.on('GET', '/projects/:id', async (ctx) => {
    const id = parseId(ctx.params.id, 'project id');
    const q = parseWith(readQuerySchema, queryObject(ctx.query), 'query string');
    await read(ctx, q.consistency, async (meta) => {
      const project = await service.getProject(id);
      if (project === null) throw new HttpError(404, 'not_found', `no project with id ${id}`);
      const body: ProjectResponse = { ...meta, project };
      return { status: 200, body };
    });
  });

  router.on('POST', '/projects', async (ctx) => {
    rejectQuery(ctx.query);
    const key = parseIdempotencyKey(ctx.req);
    refuseIfMatchOnCreate(ctx, 'project');
    const raw = await readBody(ctx.req);
    const body = parseWith(createProjectSchema, raw, 'project');
    const session = sessionFor(key, {
      method: 'POST',
      target: '/projects',
      body: raw,
      ifMatch: undefined,
    });
    await write(ctx, raw, () => projectCreateCommand(body, session), projectAnswer);
  });

  router.on('PATCH', '/projects/:id', async (ctx) => {
    const id = parseId(ctx.params.id, 'project id');
    rejectQuery(ctx.query);
    const key = parseIdempotencyKey(ctx.req);
    const ifMatch = parseIfMatch(ctx.req);
    const raw = await readBody(ctx.req);
    const body = parseWith(patchProjectSchema, raw, 'project change');
    const expected = expectedVersionOf(body.expectedVersion, ifMatch);
    const target = `/projects/${id}`;
    const session = sessionFor(key, { method: 'PATCH', target, body: raw, ifMatch });
    await write(ctx, raw, () => projectUpdateCommand(id, body, expected, session), projectAnswer);
  });

  router.on('DELETE', '/projects/:id', async (ctx) => {
    const id = parseId(ctx.params.id, 'project id');
    const q = parseWith(deleteProjectQuerySchema, queryObject(ctx.query), 'query string');
    const key = parseIdempotencyKey(ctx.req);
    const ifMatch = parseIfMatch(ctx.req);
    const raw = await readBody(ctx.req);
    const body = parseWith(deleteTaskSchema, raw, 'delete request');
    const expected = expectedVersionOf(body.expectedVersion, ifMatch);
    // `?tasks=` changes what the request does: it is part of the target the key is bound to.
    const target = `/projects/${id}?tasks=${q.tasks}`;
    const session = sessionFor(key, { method: 'DELETE', target, body: raw, ifMatch });
    await write(
      ctx,
      raw,
      () => projectDeleteCommand(id, q.tasks, expected, session),
      projectAnswer,
    );
  });

  router.on('GET', '/tags', async (ctx) => {
    const q = parseWith(readQuerySchema, queryObject(ctx.query), 'query string');
    await read(ctx, q.consistency, async (meta) => {
      const body: TagListResponse = { ...meta, tags: await service.listTags() };
      return { status: 200, body };
    });
  });

  // ---- export and import ----

  router.on('GET', '/export', async (ctx) => {
    const q = parseWith(exportQuerySchema, queryObject(ctx.query), 'query string');
    await read(ctx, 'linearizable', async () => {
      // Tasks first: a project a task names is then in the projects read after it (unless it was
      // deleted in between).
      const tasks = await allTasks();
      const projects = await service.listProjects();
      if (q.format === 'csv') {
        const { tasksCsv } = await import('./export.js');
        return { status: 200, body: tasksCsv(tasks, projects), csv: true };
      }
      const { EXPORT_FORMAT } = await import('./import.js');
      const body: ExportDocument = {
        format: EXPORT_FORMAT,
        exportedAt: new Date().toISOString(),
        projects,
        tasks,
      };
      return { status: 200, body };
    });
  });

  router.on(
    'POST',
    '/import',
    async (ctx) => {
      const {
        IMPORT_BATCH_BYTES,
        idSource,
        importBatches,
        mapProjectsByName,
        rowsFromExport,
        rowsFromTodoistCsv,
        storableRows,
      } = await import('./import.js');
      const q = parseWith(importQuerySchema, queryObject(ctx.query), 'query string');
      const key = parseIdempotencyKey(ctx.req);
      if (ctx.req.headers['if-match'] !== undefined) {
        throw invalidInput('If-Match is for PATCH and DELETE', {
          'if-match': 'is not allowed on an import',
        });
      }
      const bytes = await readRawBody(ctx.req, MAX_IMPORT_BODY_BYTES);
      const type = (singleHeader(ctx.req, 'content-type') ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      const isCsv = type === 'text/csv' || type === 'application/csv' || type === 'text/plain';
      if (!isCsv && type !== 'application/json' && type !== '') {
        throw invalidInput('invalid import', {
          'content-type': 'must be application/json (a Raftboard export) or text/csv (Todoist)',
        });
      }
      const text = bytes.toString('utf8');
      let json: unknown;
      if (!isCsv) {
        try {
          json = JSON.parse(text);
        } catch (e) {
          throw invalidInput('invalid import', {
            body: `is not valid JSON: ${(e as Error).message}`,
          });
        }
      }
      const target = ctx.query.size === 0 ? '/import' : `/import?${ctx.query.toString()}`;
      // The whole request's fingerprint: every batch's session is bound to it.
      const fingerprint =
        key === undefined
          ? undefined
          : requestFingerprint({
              method: 'POST',
              target,
              body: isCsv ? { csv: text } : json,
              ifMatch: undefined,
            });
      // JSON documents are checked before anything is forwarded; a CSV is read on the leader
      // (its relative dates are read on the leader's day).
      const fromExport = isCsv ? undefined : await rowsFromExport(json);
      const local = async (): Promise<void> => {
        const at = new Date().toISOString();
        const idFor = idSource(key);
        // The state machine maps a project whose name is taken only within one entry; later
        // entries' tasks would miss it. So names are resolved here, against the state at the
        // read barrier, the same way on every attempt (an entry's rows must not move between
        // attempts of a keyed import: its session answers for the rows it had the first time).
        await service.readBarrier('linearizable');
        const existing = await service.listProjects();
        let rows: ImportRows;
        if (fromExport !== undefined) {
          rows = mapProjectsByName(await storableRows(fromExport), existing);
        } else {
          let project: TodoistOptions['project'];
          if (q.project !== undefined) {
            const derived = idFor('project');
            const named = existing.find((p) => p.name.toLowerCase() === q.project!.toLowerCase());
            // A project of that name made by an earlier attempt has the derived id: its row
            // stays in the first entry, as it was then.
            project =
              named !== undefined && named.id !== derived
                ? { id: named.id, name: named.name, create: false }
                : { id: derived, name: q.project, create: true };
          }
          rows = await storableRows(
            rowsFromTodoistCsv(text, { at, today: todayIn('UTC'), idFor, project }),
          );
        }
        const batches = importBatches(rows);
        let sums: ImportResponse = {
          projects: 0,
          tasks: 0,
          skipped: rows.invalid,
          taskIds: [],
          projectIds: [],
          raftIndex: service.appliedIndex(),
          servedBy: service.id,
        };
        for (const [n, batch] of batches.entries()) {
          const session: SessionRef | undefined =
            key === undefined || fingerprint === undefined
              ? undefined
              : { key: `${key}#${n}`, fingerprint };
          const committed = await service.propose(
            importCommand(batch.projects, batch.tasks, session, at),
          );
          const { result } = committed;
          if (!result.ok) throw resultError(result);
          if (result.outcome !== 'imported')
            throw new Error(`an import answered ${result.outcome}`);
          sums = {
            ...sums,
            projects: sums.projects + result.projects,
            tasks: sums.tasks + result.tasks,
            skipped: sums.skipped + result.skipped,
            taskIds: [...sums.taskIds, ...(result.taskIds ?? [])],
            projectIds: [...sums.projectIds, ...(result.projectIds ?? [])],
            raftIndex: committed.index,
          };
        }
        sendJson(ctx.res, 200, sums);
      };
      await mapped('write', () =>
        atLeader(service, ctx, {
          token,
          log,
          body: bytes,
          contentType: isCsv ? 'text/csv' : 'application/json',
          // Every batch may wait up to the request timeout.
          timeoutMs:
            service.requestTimeoutMs *
            Math.max(1, estimatedBatches(bytes.length, IMPORT_BATCH_BYTES)),
          local,
        }),
      );
    },
    { maxBodyBytes: MAX_IMPORT_BODY_BYTES },
  );

  /**
   * Every task, in one store call: one SELECT (MySQL reads it from one snapshot, a batch of
   * entries applies in one transaction), so the export is the state at one applied index. Pages
   * by offset would skip or double a task a write moved between two pages.
   */
  async function allTasks(): Promise<Task[]> {
    return service.listTasks({ limit: Number.MAX_SAFE_INTEGER, offset: 0 });
  }

  router.on('GET', '/status', ({ res }) => sendJson(res, 200, service.status()));

  router.on('GET', '/checksum', (ctx) =>
    mapped('read', async () => sendJson(ctx.res, 200, await service.checksum())),
  );

  return router;
}
