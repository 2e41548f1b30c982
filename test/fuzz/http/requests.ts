/**
 * Whole requests for the task API (a node's, or the control API's `/api/tasks` relay): method,
 * path, query, auth and Host, Content-Type, Idempotency-Key, If-Match, extra headers and a body.
 * Mostly close to valid, so requests get past the first check and reach the deep ones; targets
 * (a known task, its version, a key used before) are abstract and resolved against the fuzz's
 * model when the request is sent, since they depend on what earlier requests did.
 */
import fc from 'fast-check';
import { body, deleteBody, taskBody, type BodySpec, type VersionRef } from './bodies.js';
import {
  auth,
  contentType,
  extraHeaders,
  host,
  idRef,
  ifMatch,
  keySpec,
  method,
  pathSpec,
  query,
} from './request-parts.js';

export type IdRef =
  | { readonly k: 'known'; readonly i: number }
  | { readonly k: 'uuid'; readonly v: string }
  | { readonly k: 'raw'; readonly v: string };

export type PathSpec =
  | { readonly k: 'tasks' }
  | { readonly k: 'task'; readonly id: IdRef; readonly suffix: string }
  | { readonly k: 'fixed'; readonly path: string }
  | { readonly k: 'segments'; readonly segs: readonly string[] }
  | { readonly k: 'raw'; readonly target: string };

export type KeySpec =
  | { readonly k: 'none' }
  | { readonly k: 'fresh' }
  | { readonly k: 'reuse'; readonly i: number }
  | { readonly k: 'raw'; readonly v: string };

export interface TaskRequest {
  /** Which node receives it (index into the cluster's ids; ignored by the control API). */
  readonly node: number;
  readonly method: string;
  readonly path: PathSpec;
  /** The query string without `?` ('' for none). */
  readonly query: string;
  readonly auth: 'ok' | 'none' | 'wrong' | 'basic' | 'padded';
  readonly host: 'ok' | 'localhost' | 'evil' | 'none' | 'otherPort';
  readonly contentType: string | null;
  readonly key: KeySpec;
  readonly ifMatch: VersionRef | { readonly k: 'header'; readonly v: string } | null;
  readonly extraHeaders: readonly (readonly [string, string])[];
  readonly body: BodySpec;
  readonly chunked: boolean;
}
/** Everything but the operation itself: the same for every request. */
const envelope = {
  node: fc.nat({ max: 8 }),
  auth,
  host,
  contentType,
  key: keySpec,
  extraHeaders: fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as (readonly [string, string])[]) },
    { weight: 1, arbitrary: extraHeaders },
  ),
  chunked: fc.constantFrom(false, false, false, true),
};

const knownTask = fc.record({
  k: fc.constant('task' as const),
  id: fc.oneof(
    { weight: 8, arbitrary: fc.nat().map((i) => ({ k: 'known' as const, i })) },
    { weight: 1, arbitrary: idRef },
  ),
  suffix: fc.constantFrom('', '', '', '', '', '/'),
});

/** Requests that make sense as a whole (a create, a change, a delete, a read), mostly valid. */
const create = fc.record({
  ...envelope,
  method: fc.constant('POST'),
  path: fc.constant({ k: 'tasks' as const }),
  query: fc.constant(''),
  ifMatch: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: ifMatch }),
  body: taskBody,
});
const change = fc.record({
  ...envelope,
  method: fc.constant('PATCH'),
  path: knownTask,
  query: fc.constant(''),
  ifMatch,
  body: taskBody,
});
const remove = fc.record({
  ...envelope,
  method: fc.constant('DELETE'),
  path: knownTask,
  query: fc.constant(''),
  ifMatch,
  body: deleteBody,
});
const read = fc.record({
  ...envelope,
  method: fc.constant('GET'),
  path: fc.oneof(fc.constant({ k: 'tasks' as const }), knownTask),
  query,
  ifMatch: fc.constant(null),
  body: fc.constant({ k: 'none' as const }),
});

/**
 * Requests that make sense as a whole, mostly valid. Creates outweigh deletes, so the model
 * keeps tasks to change (half the creates fail validation).
 */
const coherent: fc.Arbitrary<TaskRequest> = fc.oneof(
  { weight: 4, arbitrary: create },
  { weight: 3, arbitrary: change },
  { weight: 1, arbitrary: remove },
  { weight: 2, arbitrary: read },
);

/** Anything: method, path, query, headers and body drawn independently. */
const random: fc.Arbitrary<TaskRequest> = fc.record({
  ...envelope,
  method,
  path: pathSpec,
  query,
  ifMatch,
  body,
});

export const taskRequest: fc.Arbitrary<TaskRequest> = fc.oneof(
  { weight: 7, arbitrary: coherent },
  { weight: 3, arbitrary: random },
);
