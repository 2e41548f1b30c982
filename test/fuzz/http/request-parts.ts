/**
 * The parts of a task-API fuzz request: ids, paths, query strings, methods and headers
 * (Idempotency-Key, If-Match, auth, Host, Content-Type, extra headers). See requests.ts.
 */
import fc from 'fast-check';
import { versionRef } from './bodies.js';
import type { IdRef, KeySpec, PathSpec } from './requests.js';

/** Header-safe text: no CR/LF (a fuzz request must stay one request), but anything else. */
export const headerText = fc
  .string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('é', 'ÿ', '€', '😀', '\t', '\u0000'),
    ),
    maxLength: 40,
  })
  .map((s) => s.replace(/[\r\n]/g, ''));

export const idRef: fc.Arbitrary<IdRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((i) => ({ k: 'known' as const, i })) },
  { weight: 2, arbitrary: fc.uuid().map((v) => ({ k: 'uuid' as const, v })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          'not-a-uuid',
          '00000000-0000-0000-0000-000000000000',
          'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
          '%2e%2e',
          '..',
          '%zz',
          "1' OR '1'='1",
          '%00',
          '%F0%9F%98%80',
          '%ED%A0%80',
          '',
        ),
        fc.string({ maxLength: 40 }).map(encodeURIComponent),
      )
      .map((v) => ({ k: 'raw' as const, v })),
  },
);

export const pathSpec: fc.Arbitrary<PathSpec> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ k: 'tasks' as const }) },
  {
    weight: 10,
    arbitrary: fc.record({
      k: fc.constant('task' as const),
      id: idRef,
      suffix: fc.constantFrom('', '', '', '/', '/x', '//'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '/status',
        '/checksum',
        '/',
        '/tasks/',
        '//tasks',
        '/TASKS',
        '/tasks/../status',
        '/./tasks',
      )
      .map((path) => ({ k: 'fixed' as const, path })),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(
        fc.oneof(
          fc.constantFrom('tasks', 'status', 'api', '..', '.', '%2F', ''),
          fc.string({ maxLength: 8 }),
        ),
        {
          maxLength: 4,
        },
      )
      .map((segs) => ({ k: 'segments' as const, segs })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '*',
        '//[',
        '//[::1',
        '//a:b@c:99999/tasks',
        '//%',
        '/\\\\',
        '//:',
        'http://evil.example/tasks',
        'tasks',
        '/tasks#frag',
        '/tasks?',
        '/%',
        '/tasks/%E0%A4%A',
      )
      .map((target) => ({ k: 'raw' as const, target })),
  },
);

export const queryParam = fc.oneof(
  fc.tuple(
    fc.constant('consistency'),
    fc.constantFrom('linearizable', 'leader', 'stale', 'LEADER', 'any', ''),
  ),
  fc.tuple(fc.constant('status'), fc.constantFrom('todo', 'in_progress', 'done', 'x')),
  fc.tuple(
    fc.constant('q'),
    fc.oneof(fc.string({ maxLength: 10 }), fc.constant('q'.repeat(256)), fc.constant('%')),
  ),
  fc.tuple(
    fc.constantFrom('limit', 'offset'),
    fc.constantFrom(
      '0',
      '1',
      '-1',
      '10000',
      '10001',
      '1.5',
      '1e3',
      ' 5',
      '0x10',
      'abc',
      '',
      '99999999999999999999',
    ),
  ),
  fc.tuple(
    fc.constantFrom('__proto__', 'constructor', 'x', 'consistency[]'),
    fc.string({ maxLength: 5 }),
  ),
);

export const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc
      .array(queryParam, { minLength: 1, maxLength: 3 })
      .map((ps) =>
        ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz=1', '&&&', '=', 'a=%E0%A4%A', 'consistency') },
);

export const keySpec: fc.Arbitrary<KeySpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ k: 'none' as const }) },
  { weight: 4, arbitrary: fc.constant({ k: 'fresh' as const }) },
  { weight: 2, arbitrary: fc.nat().map((i) => ({ k: 'reuse' as const, i })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom('', ' ', 'a b', 'k'.repeat(128), 'k'.repeat(129), 'ключ', 'a,b'),
        headerText,
      )
      .map((v) => ({ k: 'raw' as const, v })),
  },
);

export const ifMatch = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: versionRef },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom('"1"', 'W/"1"', '*', '0', '-1', '1.0', '9999999999999999', '1, 2', ''),
        headerText,
      )
      .map((v) => ({ k: 'header' as const, v })),
  },
);

export const method = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('PUT', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'get', 'Post'),
  },
  { weight: 1, arbitrary: fc.constantFrom('FOO', 'PROPFIND', 'M-SEARCH', 'PURGE', 'G ET', '') },
);

export const extraHeaders = fc.oneof(
  { weight: 8, arbitrary: fc.constant([]) },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.oneof(
        fc.tuple(
          fc.constantFrom(
            'X-Raftboard-Forwarded',
            'Expect',
            'Transfer-Encoding',
            'Content-Encoding',
            'X-Custom',
          ),
          headerText,
        ),
        fc.tuple(fc.constant('Idempotency-Key'), fc.constant('dup-key')),
        fc.tuple(fc.constant('X-Big'), fc.constantFrom('v'.repeat(20_000), 'v'.repeat(100))),
        fc.tuple(fc.constantFrom('Bad Name', 'Bad:Name', 'Ünicode'), fc.constant('1')),
      ),
      { maxLength: 3 },
    ),
  },
);

export const auth = fc.oneof(
  { weight: 30, arbitrary: fc.constant('ok' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'none' as const,
      'wrong' as const,
      'basic' as const,
      'padded' as const,
    ),
  },
);
export const host = fc.oneof(
  { weight: 30, arbitrary: fc.constant('ok' as const) },
  { weight: 2, arbitrary: fc.constant('localhost' as const) },
  { weight: 1, arbitrary: fc.constantFrom('evil' as const, 'none' as const, 'otherPort' as const) },
);
export const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  null,
  'text/plain',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  '',
);
