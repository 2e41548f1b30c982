/**
 * Request bodies for the API fuzz: task-shaped JSON objects whose fields are sometimes right
 * and often wrong (types, lengths at and past the limits, unreal dates, Unicode of every kind,
 * lone surrogates, SQL, unknown and prototype-polluting keys), any JSON value, raw bytes
 * (invalid UTF-8, cut-off JSON), bodies over 1 MiB and deeply nested arrays. A task body names
 * its expectedVersion abstractly (the task's current version, one off, or junk), resolved when
 * the request is sent.
 */
import fc from 'fast-check';
import { steerAround } from '../known-bugs.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A version relative to the target task, resolved at send time. */
export type VersionRef =
  | { readonly k: 'current' }
  | { readonly k: 'off'; readonly d: number }
  | { readonly k: 'raw'; readonly v: Json };

export type BodySpec =
  | { readonly k: 'none' }
  | {
      readonly k: 'task';
      readonly fields: Readonly<Record<string, Json>>;
      readonly expectedVersion?: VersionRef;
    }
  | { readonly k: 'json'; readonly value: Json }
  | { readonly k: 'bytes'; readonly bytes: Uint8Array }
  | { readonly k: 'huge'; readonly size: number }
  | { readonly k: 'deep'; readonly depth: number };

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Strings a title or description may be: ordinary, exotic, at and past the limits. */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }) },
  {
    weight: steerAround('lone-surrogates') ? 0 : 1,
    arbitrary: fc.string({
      unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate),
      minLength: 1,
      maxLength: 8,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '  padded  ',
      '\u0000',
      'a\u0000b',
      '\t\n',
      "'; DROP TABLE tasks; --",
      '" OR 1=1 --',
      '<script>alert(1)</script>',
      'Ω≈ç√∫˜µ≤≥÷',
      '👩‍👩‍👧‍👦🏳️‍🌈',
      'e\u0301',
      '\u202eRTL',
      '\ufeffBOM',
      '\uffff',
      '𝄞'.repeat(255),
      '𝄞'.repeat(256),
      'a'.repeat(255),
      'a'.repeat(256),
      ` ${'b'.repeat(255)} `,
      'x'.repeat(10_000),
      'x'.repeat(10_001),
      '😀'.repeat(10_000),
    ),
  },
);

/** Values of the wrong type for any field. */
const wrong: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, 2 ** 53, [], {}, ['todo'], {
    $gt: '',
  }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

const date: fc.Arbitrary<Json> = fc.oneof(
  fc
    .date({ min: new Date('1000-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom<Json>(
    null,
    '2025-02-29',
    '2024-02-29',
    '2025-02-30',
    '2025-13-01',
    '2025-1-1',
    '0000-01-01',
    '+02025-01-01',
    '2025-01-01T00:00:00Z',
    '',
    20250101,
  ),
);

const statusValue = fc.constantFrom<Json>('todo', 'in_progress', 'done', 'TODO', 'doing', '');
const priorityValue = fc.constantFrom<Json>('low', 'medium', 'high', 'urgent', 'Low', '');

const EVIL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'id',
  'version',
  'raftIndex',
  'createdAt',
];

// A stale or future version often: a refused (409) change must leave the task as it was.
export const versionRef: fc.Arbitrary<VersionRef> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ k: 'current' as const }) },
  { weight: 3, arbitrary: fc.constantFrom(-2, -1, 1, 2).map((d) => ({ k: 'off' as const, d })) },
  { weight: 1, arbitrary: wrong.map((v) => ({ k: 'raw' as const, v })) },
);

/** A valid value for each field (a title may still be refused: blank, too long). */
const VALID: Readonly<Record<string, fc.Arbitrary<Json>>> = {
  title: text,
  description: text,
  status: fc.constantFrom('todo', 'in_progress', 'done'),
  priority: fc.constantFrom('low', 'medium', 'high'),
  dueDate: date,
};

type FieldMutation =
  | { readonly op: 'wrong'; readonly field: string; readonly value: Json }
  | { readonly op: 'drop'; readonly field: string }
  | { readonly op: 'extra'; readonly key: string; readonly value: Json };

const fieldMutation: fc.Arbitrary<FieldMutation> = fc.oneof(
  fc.record({
    op: fc.constant('wrong' as const),
    field: fc.constantFrom(...Object.keys(VALID), 'expectedVersion'),
    value: fc.oneof(wrong, statusValue, priorityValue, date),
  }),
  fc.record({ op: fc.constant('drop' as const), field: fc.constantFrom(...Object.keys(VALID)) }),
  fc.record({
    op: fc.constant('extra' as const),
    key: fc.oneof(fc.constantFrom(...EVIL_KEYS), fc.string({ maxLength: 6 })),
    value: wrong,
  }),
);

function setOwn(obj: Record<string, Json>, key: string, value: Json): void {
  // defineProperty: `__proto__` becomes an own key, as JSON.parse on the server makes it.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A task body: valid fields (all for a create, any for a change), then maybe one mutation, so
 * that about half the bodies pass validation and the rest fail on exactly one thing.
 */
export const taskBody: fc.Arbitrary<BodySpec> = fc
  .record(
    {
      fields: fc.record(VALID, { requiredKeys: [] }),
      withTitle: fc.boolean(),
      title: VALID.title,
      mutation: fc.option(fieldMutation, { freq: 2, nil: undefined }),
      expectedVersion: fc.oneof(
        { weight: 7, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: versionRef },
      ),
    },
    { requiredKeys: ['fields', 'withTitle', 'title'] },
  )
  .map(({ fields, withTitle, title, mutation, expectedVersion }) => {
    const all: Record<string, Json> = { ...(fields as Record<string, Json>) };
    if (withTitle) all.title = title;
    let version = expectedVersion;
    if (mutation?.op === 'wrong') {
      if (mutation.field === 'expectedVersion') version = { k: 'raw', v: mutation.value };
      else setOwn(all, mutation.field, mutation.value);
    } else if (mutation?.op === 'drop') delete all[mutation.field];
    else if (mutation?.op === 'extra') setOwn(all, mutation.key, mutation.value);
    return { k: 'task' as const, fields: all, ...(version ? { expectedVersion: version } : {}) };
  });

/** What a DELETE may carry: usually nothing, else an expectedVersion, or something wrong. */
export const deleteBody: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ k: 'none' as const }) },
  {
    weight: 3,
    arbitrary: versionRef.map((v) => ({ k: 'task' as const, fields: {}, expectedVersion: v })),
  },
  { weight: 1, arbitrary: taskBody },
);

/** Any body at all. */
export const body: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 30, arbitrary: taskBody },
  { weight: 5, arbitrary: fc.constant({ k: 'none' as const }) },
  {
    weight: 5,
    arbitrary: (fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>).map((value) => ({
      k: 'json' as const,
      value,
    })),
  },
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(
          ...[
            '{"title":',
            '{"title":"a"',
            '\ufeff{"title":"a"}',
            '{"title":"a"}{}',
            'null',
            '"x"',
            '[]',
            ...(steerAround('lone-surrogates') ? [] : ['{"title":"\\ud800"}']),
          ].map((s) => Uint8Array.from(Buffer.from(s, 'utf8'))),
          Uint8Array.from([
            0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d,
          ]),
        ),
      )
      .map((bytes) => ({ k: 'bytes' as const, bytes })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1024 * 1024 - 20, 1024 * 1024 + 1, 3 * 1024 * 1024).map((size) => ({
      k: 'huge' as const,
      size,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1000, 100_000).map((depth) => ({ k: 'deep' as const, depth })),
  },
);

/** JSON text for `value` (own `__proto__` keys included, as they were defined). */
export function jsonText(value: Json): string {
  return JSON.stringify(value);
}

/** The body bytes, with expectedVersion resolved against `version` (the target's, if any). */
export function renderBody(b: BodySpec, version: number | undefined): Buffer | undefined {
  switch (b.k) {
    case 'none':
      return undefined;
    case 'task': {
      const obj: Record<string, Json> = {};
      for (const k of Object.keys(b.fields)) {
        Object.defineProperty(obj, k, {
          value: b.fields[k],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      if (b.expectedVersion) obj.expectedVersion = resolveVersion(b.expectedVersion, version);
      return Buffer.from(jsonText(obj), 'utf8');
    }
    case 'json':
      return Buffer.from(jsonText(b.value), 'utf8');
    case 'bytes':
      return Buffer.from(b.bytes);
    case 'huge':
      return Buffer.from(`{"title":"${'h'.repeat(Math.max(0, b.size - 12))}"}`, 'utf8');
    case 'deep':
      return Buffer.from(`{"title":${'['.repeat(b.depth)}${']'.repeat(b.depth)}}`, 'utf8');
  }
}

export function resolveVersion(v: VersionRef, current: number | undefined): Json {
  if (v.k === 'raw') return v.v;
  const base = current ?? 1;
  return v.k === 'current' ? base : base + v.d;
}
