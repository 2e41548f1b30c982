import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../cluster/node/transport/validate.js';
import type { Message } from '../../cluster/raft/index.js';

const expected = { self: 2, peer: 1 };

const app: Message = {
  type: 'app',
  from: 1,
  to: 2,
  term: 3,
  index: 5,
  logTerm: 2,
  commit: 4,
  entries: [
    { term: 3, index: 6, type: 'normal', data: '{"op":"create"}' },
    { term: 3, index: 7, type: 'conf', data: '{"type":"addLearner","nodeId":4}' },
  ],
};

const snap: Message = {
  type: 'snap',
  from: 1,
  to: 2,
  term: 3,
  snapshot: {
    metadata: { index: 10, term: 3, conf: { voters: [1, 2, 3], learners: [] } },
    offset: 0,
    data: 'abc',
    total: 6,
  },
};

/** Round-trips through JSON like the wire does. */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

function reason(v: unknown): string {
  const r = validateMessage(v, expected);
  if (r.ok) throw new Error('expected a refusal');
  return r.reason;
}

describe('validateMessage', () => {
  it('accepts well-formed messages unchanged', () => {
    for (const m of [
      app,
      snap,
      {
        type: 'appResp',
        from: 1,
        to: 2,
        term: 3,
        index: 2,
        reject: true,
        rejectHint: 1,
        hintTerm: 1,
      },
      { type: 'heartbeat', from: 1, to: 2, term: 3, commit: 0, context: 'r1' },
      // The leader matches a chunk's answer to its snapshot by these two fields.
      {
        type: 'snapResp',
        from: 1,
        to: 2,
        term: 3,
        index: 262144,
        snapshotIndex: 182,
        snapshotTerm: 2,
      },
      { type: 'vote', from: 1, to: 2, term: 0, index: 0, logTerm: 0, transfer: true },
    ] satisfies Message[]) {
      expect(validateMessage(wire(m), expected)).toEqual({ ok: true, message: m });
    }
  });

  it('keeps only the known fields', () => {
    const json = JSON.stringify(app).replace('{', '{"__proto__":{"polluted":true},"evil":1,');
    const r = validateMessage(JSON.parse(json), expected);
    expect(r).toEqual({ ok: true, message: app });
    if (r.ok) expect(Object.keys(r.message)).not.toContain('evil');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values that are not message objects', () => {
    expect(reason(null)).toMatch(/JSON object/);
    expect(reason([1, 2])).toMatch(/JSON object/);
    expect(reason('app')).toMatch(/JSON object/);
    expect(reason({ hello: 'world' })).toMatch(/type/);
  });

  it('refuses local-only and unknown types', () => {
    for (const type of ['hup', 'beat', 'checkQuorum', 'unreachable', 'prop', 'nope', 3]) {
      expect(reason({ type, from: 1, to: 2, term: 1 })).toMatch(/not a network message type/);
    }
  });

  it('refuses bad from/to/term and wrong endpoints', () => {
    const base = { type: 'heartbeat', from: 1, to: 2, term: 1 };
    expect(reason({ ...base, term: -1 })).toMatch(/term/);
    expect(reason({ ...base, term: 1.5 })).toMatch(/term/);
    expect(reason({ ...base, term: '1' })).toMatch(/term/);
    expect(reason({ ...base, from: undefined })).toMatch(/from/);
    expect(reason({ ...base, to: 3 })).toMatch(/this is node 2/);
    expect(reason({ ...base, from: 3 })).toMatch(/authenticated node 1/);
  });

  it('refuses badly typed optional fields', () => {
    const base = { type: 'appResp', from: 1, to: 2, term: 1 };
    expect(reason({ ...base, index: -2 })).toMatch(/index/);
    expect(reason({ ...base, commit: null })).toMatch(/commit/);
    expect(reason({ ...base, reject: 'yes' })).toMatch(/reject/);
    expect(reason({ ...base, context: 5 })).toMatch(/context/);
  });

  it('checks the shape of entries', () => {
    const base = { type: 'app', from: 1, to: 2, term: 1, index: 0, logTerm: 0 };
    const e = { term: 1, index: 1, type: 'normal', data: '' };
    expect(reason({ ...base, entries: {} })).toMatch(/entries must be an array/);
    expect(reason({ ...base, entries: [e, 'x'] })).toMatch(/entries\[1\]/);
    expect(reason({ ...base, entries: [{ ...e, type: 'other' }] })).toMatch(/type/);
    expect(reason({ ...base, entries: [{ ...e, data: { op: 1 } }] })).toMatch(/data/);
    expect(reason({ ...base, entries: [{ ...e, index: -1 }] })).toMatch(/index/);
  });

  it('checks the shape of a snapshot chunk', () => {
    const s = wire(snap) as { snapshot: Record<string, unknown> };
    const chunk = s.snapshot;
    const meta = chunk.metadata as Record<string, unknown>;
    const with_ = (c: Record<string, unknown>): unknown => ({ ...s, snapshot: c });
    expect(reason(with_({ ...chunk, total: 2 }))).toMatch(/past its total/);
    expect(reason(with_({ ...chunk, metadata: { ...meta, conf: { voters: [1] } } }))).toMatch(
      /learners/,
    );
    expect(reason(with_({ ...chunk, metadata: 'x' }))).toMatch(/metadata/);
    expect(reason({ ...s, snapshot: 7 })).toMatch(/snapshot must be an object/);
  });
});
