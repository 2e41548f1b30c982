/**
 * Requests for the control API's own endpoints (docs/contract.md §3) and the web UI's static files:
 * paths built from the API's words and junk (node ids 0, 99, `01`, `%31`, `1e2`; unknown
 * actions), every method, network and slow-motion bodies that are wrong in one way or many,
 * path traversal at the static files, and the same auth/Host/header variations as the task fuzz.
 *
 * The fuzz is about bad input, not about faults: a request that would validly kill, stop, pause,
 * restart, add or remove a node, stop a MySQL or change the slow-motion factor is not sent (the
 * CLI tests cover those). `isDestructive` decides that the way the server would, decoding the
 * path, and errs on the side of leaving a request out.
 */
import fc from 'fast-check';
import { body, type BodySpec, type Json } from './bodies.js';

export interface ControlRequest {
  readonly method: string;
  readonly target: string;
  readonly auth: 'ok' | 'none' | 'wrong' | 'query';
  readonly host: 'ok' | 'localhost' | 'evil';
  readonly contentType: string | null;
  /** JSON text, or a generic body. */
  readonly body: { readonly k: 'text'; readonly text: string } | BodySpec;
}

const WORDS = [
  'api',
  'nodes',
  'network',
  'slow',
  'cluster',
  'events',
  'recent',
  'mysql',
  'tasks',
  'pause',
  'resume',
  'kill',
  'restart',
  'stop',
  'start',
  'explode',
  'KILL',
];
const IDS = [
  '1',
  '2',
  '3',
  '0',
  '4',
  '9',
  '99',
  '-1',
  '01',
  '1e2',
  'abc',
  '%31',
  '%2F',
  '１',
  '9999999',
  '10000000',
  '',
  '..',
];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...IDS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map(encodeURIComponent) },
);

const target: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/api/${s.join('/')}`),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '/api',
      '/api/',
      '/api/cluster',
      '/api/cluster?x=1',
      '/api/events/recent',
      '/api/events',
      '/api/network',
      '/api/slow',
      '/api/nodes',
      '/api/nodes/99/kill',
      '/api/nodes/0/mysql/stop',
      '/api/nodes/1/explode',
      '/api/nodes/1/mysql/explode',
      '/',
      '/index.html',
      '/?token=x',
      '/assets/missing.js',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/api/../package.json',
      '/%00',
      '/%',
      '//[',
      '//:',
      '//api/cluster',
      '/api//cluster',
    ),
  },
);

const nodeRef: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  1,
  2,
  3,
  0,
  4,
  -1,
  1.5,
  '1',
  null,
  2 ** 53,
);

/** `PUT /api/network` bodies: the right shape with wrong parts, or the wrong shape. */
const networkText: fc.Arbitrary<string> = fc.oneof(
  fc
    .record(
      {
        partitions: fc.oneof(
          fc.array(fc.array(nodeRef, { maxLength: 4 }), { maxLength: 4 }),
          fc.constantFrom<Json>([], null, 'all', [[]], {}, [[1, 1]], [[1], [1]]),
        ),
        links: fc.oneof(
          fc.array(
            fc.record(
              {
                from: nodeRef,
                to: nodeRef,
                drop: fc.constantFrom<Json>(0, 0.5, 1, -0.1, 1.1, '0.5', null),
                delayMs: fc.constantFrom<Json>(0, 50, 60_000, 60_001, -1, 1.5, '5'),
                extra: fc.constantFrom<Json>(1),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          fc.constantFrom<Json>(null, {}, 'x'),
        ),
        other: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
      },
      { requiredKeys: [] },
    )
    .chain((o) =>
      // Sometimes an own `__proto__` key, written into the text (an object literal can't).
      fc.boolean().map((pollute) => {
        const text = JSON.stringify(o);
        if (!pollute) return text;
        const evil = '"__proto__":{"polluted":true}';
        return text === '{}' ? `{${evil}}` : text.replace(/^\{/, `{${evil},`);
      }),
    ),
  fc.constantFrom(
    '{"partitions":[[1,2],[3]],"links":"x"}',
    '{"partitions":[[1],[2],[3],[4]]}',
    '{}',
    '[]',
    'null',
  ),
  // Valid ones: accepted, checked, healed.
  fc.constantFrom(
    '{"partitions":[[1,2],[3]]}',
    '{"links":[{"from":1,"to":2,"drop":0.3,"delayMs":50}]}',
    '{"partitions":[]}',
  ),
);

/** `PUT /api/slow` bodies: never a valid factor (that would restart every node). */
const slowText: fc.Arbitrary<string> = fc.oneof(
  fc
    .constantFrom<Json>(0, 0.05, -1, 31, 1e308, '5', null, true, [], {}, 0.09)
    .map((f) => JSON.stringify({ factor: f })),
  fc.constantFrom('{}', '{"factor":}', '{"speed":5}', 'null', '[5]', '5'),
);

const bodyFor = (t: string): fc.Arbitrary<ControlRequest['body']> => {
  if (/\/network\/?$/.test(t)) return networkText.map((text) => ({ k: 'text' as const, text }));
  if (/\/slow\/?$/.test(t)) return slowText.map((text) => ({ k: 'text' as const, text }));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ k: 'none' as const }) },
    { weight: 1, arbitrary: body },
  );
};

const method = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS', 'FOO') },
);

const envelope = {
  auth: fc.oneof(
    { weight: 12, arbitrary: fc.constant('ok' as const) },
    { weight: 1, arbitrary: fc.constantFrom('none' as const, 'wrong' as const, 'query' as const) },
  ),
  host: fc.oneof(
    { weight: 12, arbitrary: fc.constant('ok' as const) },
    { weight: 1, arbitrary: fc.constantFrom('localhost' as const, 'evil' as const) },
  ),
  contentType: fc.constantFrom('application/json', 'application/json', null, 'text/plain'),
} as const;

/** Anything at any endpoint, and more often the two that take a body. */
export const controlRequest: fc.Arbitrary<ControlRequest> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({ method, target, ...envelope })
      .chain((r) => bodyFor(r.target).map((b) => ({ ...r, body: b }))),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        method: fc.constant('PUT'),
        target: fc.constantFrom('/api/network', '/api/slow'),
        ...envelope,
      })
      .chain((r) => bodyFor(r.target).map((b) => ({ ...r, body: b }))),
  },
);

/** Whether the request, if authorized, would validly act on a node or the timers. */
export function isDestructive(
  method: string,
  target: string,
  text: string | undefined,
  members: readonly number[],
): boolean {
  let url: URL;
  try {
    url = new URL(target, 'http://localhost');
  } catch {
    return false;
  }
  const segs = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  if (segs[0] !== 'api') return false;
  const member =
    segs[2] !== undefined && /^[1-9]\d{0,6}$/.test(segs[2]) && members.includes(Number(segs[2]));
  if (segs[1] === 'nodes') {
    if (method === 'POST' && segs.length === 2) return true;
    if (method === 'DELETE' && segs.length === 3 && member) return true;
    if (method === 'POST' && segs.length === 4 && member) return true;
    if (method === 'POST' && segs.length === 5 && member && segs[3] === 'mysql') return true;
  }
  if (segs[1] === 'slow' && segs.length === 2 && method === 'PUT' && text !== undefined) {
    try {
      const f = (JSON.parse(text) as { factor?: unknown }).factor;
      return typeof f === 'number' && f >= 0.1 && f <= 30;
    } catch {
      return false;
    }
  }
  return false;
}
