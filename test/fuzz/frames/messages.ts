/**
 * fast-check arbitraries for what travels on a peer connection: well-formed Raft messages (every
 * field of `Message`, from node 1 to node 2), handshake messages, and "message-shaped" JSON —
 * a well-formed message with fields replaced by values of the wrong type, removed, or joined by
 * unknown and prototype-polluting keys. The mutated ones come out as JSON text, so that keys
 * such as `__proto__` are own keys of the parsed object, as they would be off the wire.
 */
import fc from 'fast-check';
import {
  NONCE_BYTES,
  NETWORK_MESSAGE_TYPES,
  PROTOCOL_VERSION,
} from '../../../cluster/node/transport/index.js';
import type { Entry, Message, MessageType, SnapshotChunk } from '../../../cluster/raft/index.js';
import { steerAround } from '../known-bugs.js';

/** The node the fuzzed connection is from, and the node receiving it. */
export const PEER = 1;
export const SELF = 2;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Non-negative integers with the edges the validator must get right. */
const uint = fc.oneof(
  fc.nat({ max: 20 }),
  fc.nat(),
  fc.constantFrom(0, 2 ** 31, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER),
);

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.json({ maxDepth: 2 }),
);

const entry: fc.Arbitrary<Entry> = fc.record({
  term: uint,
  index: uint,
  type: fc.constantFrom('normal' as const, 'conf' as const),
  data: text,
});

const snapshotChunk: fc.Arbitrary<SnapshotChunk> = fc
  .record({
    index: uint,
    term: uint,
    voters: fc.array(uint, { maxLength: 5 }),
    learners: fc.array(uint, { maxLength: 3 }),
    offset: fc.nat({ max: 1 << 20 }),
    data: text,
    slack: fc.nat({ max: 1000 }),
  })
  .map(({ index, term, voters, learners, offset, data, slack }) => ({
    metadata: { index, term, conf: { voters, learners } },
    offset,
    data,
    total: offset + data.length + slack,
  }));

/** Left out of generated messages while that bug is open (see known-bugs.ts). */
const SKIPPED_FIELDS = steerAround('snapshot-fields') ? ['snapshotIndex', 'snapshotTerm'] : [];

/** A well-formed message from PEER to SELF, with any subset of the optional fields. */
export const message: fc.Arbitrary<Message> = fc
  .record(
    {
      type: fc.constantFrom(...([...NETWORK_MESSAGE_TYPES] as MessageType[])),
      term: uint,
      index: uint,
      logTerm: uint,
      entries: fc.array(entry, { maxLength: 4 }),
      commit: uint,
      reject: fc.boolean(),
      rejectHint: uint,
      hintTerm: uint,
      snapshot: snapshotChunk,
      snapshotIndex: uint,
      snapshotTerm: uint,
      context: text,
      transfer: fc.boolean(),
    },
    { requiredKeys: ['type', 'term'] },
  )
  .map((m) => {
    const out: Record<string, unknown> = { ...m, from: PEER, to: SELF };
    for (const f of SKIPPED_FIELDS) delete out[f];
    return out as unknown as Message;
  });

const hex = (bytes: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));

/** Handshake messages both sides may receive, mostly well-formed (a proof never verifies). */
export const handshakeMessage: fc.Arbitrary<Record<string, Json>> = fc.oneof(
  fc.record({
    kind: fc.constant('hello'),
    version: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.string()),
    from: fc.oneof(fc.constant(PEER), uint),
    to: fc.oneof(fc.constant(SELF), uint),
    nonce: fc.oneof(hex(NONCE_BYTES), fc.string()),
  }),
  fc.record({
    kind: fc.constant('challenge'),
    version: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.string()),
    from: fc.oneof(fc.constant(SELF), uint),
    to: fc.oneof(fc.constant(PEER), uint),
    nonce: hex(NONCE_BYTES),
    proof: hex(32),
  }),
  fc.record({ kind: fc.constant('proof'), proof: fc.oneof(hex(32), fc.string()) }),
  fc.record({ kind: fc.constant('welcome') }),
  fc.record({ kind: fc.constant('reject'), reason: fc.string({ maxLength: 300 }) }),
);

/** Values of the wrong type, and numbers a strict integer check must refuse. */
const strange: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    -1,
    1.5,
    -0.5,
    2 ** 53,
    2 ** 64,
    1e308,
    -1e308,
    '1',
    '',
    'app',
    null,
    true,
    [],
    {},
  ),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.string({ minLength: 1000, maxLength: 5000 }),
);

/** Where in a message a mutation lands: the top level or one of the nested objects. */
const PLACES: readonly (readonly (string | number)[])[] = [
  [],
  [],
  ['entries', 0],
  ['snapshot'],
  ['snapshot', 'metadata'],
  ['snapshot', 'metadata', 'conf'],
];

const KEYS = [
  'type',
  'from',
  'to',
  'term',
  'index',
  'logTerm',
  'entries',
  'commit',
  'reject',
  'snapshot',
  'context',
  'data',
  'offset',
  'total',
  'metadata',
  'conf',
  'voters',
  'learners',
  'kind',
  'nonce',
  'proof',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

export type JsonMutation =
  | { readonly op: 'set'; readonly place: number; readonly key: string; readonly value: Json }
  | { readonly op: 'delete'; readonly place: number; readonly key: string }
  | { readonly op: 'wrap'; readonly depth: number };

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      place: fc.nat({ max: PLACES.length - 1 }),
      key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
      value: strange,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      place: fc.nat({ max: PLACES.length - 1 }),
      key: fc.constantFrom(...KEYS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('wrap' as const), depth: fc.nat({ max: 3000 }) }),
  },
);

function isRecord(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `path` in `root`, if there is one. */
function at(root: unknown, path: readonly (string | number)[]): Record<string, Json> | undefined {
  let v: unknown = root;
  for (const step of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return isRecord(v) ? v : undefined;
}

/**
 * Applies the mutations to a deep copy of `value` and returns the JSON text. `set` uses
 * defineProperty, so `__proto__` becomes an own key (as JSON.parse makes it), not a prototype.
 */
export function mutateJson(value: unknown, mutations: readonly JsonMutation[]): string {
  const root = JSON.parse(JSON.stringify(value)) as Json;
  let wrap = 0;
  for (const m of mutations) {
    if (m.op === 'wrap') {
      wrap += m.depth;
      continue;
    }
    const target = at(root, PLACES[m.place]);
    if (!target) continue;
    if (m.op === 'delete') delete target[m.key];
    else {
      Object.defineProperty(target, m.key, {
        // A copy: fast-check hands out the same constant objects ([], {}) again and again, and
        // a later mutation must not write into them (nor make the message circular).
        value: JSON.parse(JSON.stringify(m.value)) as Json,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  // Deep nesting: a parser or validator that recurses must not blow the stack uncaught.
  return '['.repeat(wrap) + JSON.stringify(root) + ']'.repeat(wrap);
}
