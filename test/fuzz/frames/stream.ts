/**
 * One fuzz input for the peer transport's receiving side: which side of a connection reads it
 * (an authenticated connection, or a listener or dialer in the middle of the handshake), the
 * frames a peer sent (well-formed messages, message-shaped mutated JSON, raw bytes, a large
 * payload), mutations of those frames (length prefix replaced, payload cut short) and of the
 * byte stream (bit flips, byte changes, insertions, deletions, a range spliced elsewhere,
 * truncation), and how the bytes arrive (chunk sizes).
 */
import fc from 'fast-check';
import {
  DEFAULT_MAX_FRAME_BYTES,
  HANDSHAKE_MAX_FRAME_BYTES,
} from '../../../cluster/node/transport/index.js';
import type { Message } from '../../../cluster/raft/index.js';
import { steerAround } from '../known-bugs.js';
import {
  handshakeMessage,
  jsonMutation,
  message,
  mutateJson,
  type JsonMutation,
} from './messages.js';

export type Phase = 'open' | 'server' | 'client';

export type Payload =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'handshake'; readonly value: unknown }
  | { readonly kind: 'mutated'; readonly value: unknown; readonly mutations: JsonMutation[] }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'big'; readonly message: Message; readonly size: number };

export type FrameMutation =
  | { readonly op: 'length'; readonly frame: number; readonly length: number }
  | { readonly op: 'lengthDelta'; readonly frame: number; readonly delta: number }
  | { readonly op: 'truncate'; readonly frame: number; readonly keep: number };

export type ByteMutation =
  | { readonly op: 'flip'; readonly pos: number; readonly bit: number }
  | { readonly op: 'set'; readonly pos: number; readonly value: number }
  | { readonly op: 'insert'; readonly pos: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly pos: number; readonly len: number }
  | { readonly op: 'splice'; readonly from: number; readonly len: number; readonly to: number }
  | { readonly op: 'cut'; readonly pos: number };

export interface FrameCase {
  readonly phase: Phase;
  readonly maxFrameBytes: number;
  readonly payloads: readonly Payload[];
  readonly frameMutations: readonly FrameMutation[];
  readonly byteMutations: readonly ByteMutation[];
  /** Chunk sizes, used in turn until the stream is delivered; [] = all in one chunk. */
  readonly chunks: readonly number[];
}

const INTERESTING_LENGTHS = [
  0,
  1,
  3,
  4,
  HANDSHAKE_MAX_FRAME_BYTES,
  HANDSHAKE_MAX_FRAME_BYTES + 1,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_FRAME_BYTES + 1,
  2 ** 31,
  2 ** 32 - 1,
];

/** Bytes that break UTF-8 (overlong, surrogate, beyond U+10FFFF, lone continuation) or JSON. */
const NASTY_BYTES = [
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
  [0xff],
  [0x00],
  [0x22],
  [0x5c],
  [0x7b],
  [0x5d],
].map((b) => Uint8Array.from(b));

// Weights out of ~1000: a large payload about once per thousand frames.
const payload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 400, arbitrary: message.map((m) => ({ kind: 'message' as const, message: m })) },
  {
    weight: 150,
    arbitrary: handshakeMessage.map((v) => ({ kind: 'handshake' as const, value: v })),
  },
  {
    weight: 400,
    arbitrary: fc
      .tuple(
        fc.oneof(message, handshakeMessage),
        fc.array(jsonMutation, { minLength: 1, maxLength: 4 }),
      )
      .map(([value, mutations]) => ({ kind: 'mutated' as const, value, mutations })),
  },
  {
    weight: 100,
    arbitrary: fc
      .uint8Array({ maxLength: 200 })
      .map((bytes) => ({ kind: 'bytes' as const, bytes })),
  },
  {
    // Rare: a large payload, so the decoder's assembly of a frame over many chunks is exercised.
    weight: 1,
    arbitrary: fc
      .tuple(message, fc.constantFrom(2_000, 70_000, 300_000))
      .map(([m, size]) => ({ kind: 'big' as const, message: m, size })),
  },
);

const frameMutation: fc.Arbitrary<FrameMutation> = fc.oneof(
  fc.record({
    op: fc.constant('length' as const),
    frame: fc.nat({ max: 3 }),
    length: fc.oneof(
      fc.constantFrom(...INTERESTING_LENGTHS),
      fc.nat(),
      fc.nat({ max: 2 ** 32 - 1 }),
    ),
  }),
  fc.record({
    op: fc.constant('lengthDelta' as const),
    frame: fc.nat({ max: 3 }),
    delta: fc.integer({ min: -8, max: 8 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), frame: fc.nat({ max: 3 }), keep: fc.nat() }),
);

const pos = fc.nat();
const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), pos, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), pos, value: fc.nat({ max: 255 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    pos,
    bytes: fc.oneof(
      fc.constantFrom(...NASTY_BYTES),
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
    ),
  }),
  fc.record({ op: fc.constant('delete' as const), pos, len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    op: fc.constant('splice' as const),
    from: pos,
    len: fc.integer({ min: 1, max: 64 }),
    to: pos,
  }),
  fc.record({ op: fc.constant('cut' as const), pos }),
);

/** Every input: mostly one to four frames, sometimes with mutations, in random chunks. */
export const frameCase: fc.Arbitrary<FrameCase> = fc.record({
  phase: fc.constantFrom<Phase>('open', 'open', 'open', 'server', 'client'),
  maxFrameBytes: fc.constantFrom(HANDSHAKE_MAX_FRAME_BYTES, 4096, 65_536, DEFAULT_MAX_FRAME_BYTES),
  payloads: fc.array(payload, { minLength: 1, maxLength: 4 }),
  frameMutations: fc.oneof(fc.constant([]), fc.array(frameMutation, { maxLength: 2 })),
  byteMutations: fc.oneof(fc.constant([]), fc.array(byteMutation, { maxLength: 4 })),
  chunks: fc.oneof(
    fc.constant([]),
    fc.constant([1]),
    fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
  ),
});

/** The payload's bytes as a peer would send them. */
export function payloadBytes(p: Payload): Buffer {
  switch (p.kind) {
    case 'message':
      return Buffer.from(JSON.stringify(p.message), 'utf8');
    case 'handshake':
      return Buffer.from(JSON.stringify(p.value), 'utf8');
    case 'mutated':
      return Buffer.from(mutateJson(p.value, p.mutations), 'utf8');
    case 'bytes':
      return Buffer.from(p.bytes);
    case 'big':
      return Buffer.from(JSON.stringify({ ...p.message, context: 'x'.repeat(p.size) }), 'utf8');
  }
}

/** The message a well-formed payload carries (what validation must give back), if any. */
export function carriedMessage(p: Payload): Message | undefined {
  if (p.kind === 'message') return p.message;
  if (p.kind === 'big') return { ...p.message, context: 'x'.repeat(p.size) };
  return undefined;
}

export interface BuiltStream {
  readonly bytes: Buffer;
  /** The payloads as framed (after frame mutations). */
  readonly payloads: readonly Buffer[];
  /** No frame or byte mutation: the decoder must give back exactly `payloads`. */
  readonly intact: boolean;
}

function frameOf(body: Buffer, muts: readonly FrameMutation[], i: number): Buffer {
  let data = body;
  let length = body.length;
  for (const m of muts) {
    if (m.frame !== i) continue;
    if (m.op === 'length') length = m.length;
    else if (m.op === 'lengthDelta') length = Math.max(0, Math.min(2 ** 32 - 1, length + m.delta));
    else data = data.subarray(0, m.keep % (data.length + 1));
  }
  const header = Buffer.alloc(4);
  header.writeUInt32BE(length >>> 0, 0);
  return Buffer.concat([header, data]);
}

function applyByteMutation(b: Buffer, m: ByteMutation): Buffer {
  const n = b.length;
  if (n === 0) return m.op === 'insert' ? Buffer.from(m.bytes) : b;
  switch (m.op) {
    case 'flip': {
      const out = Buffer.from(b);
      out[m.pos % n] ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      const out = Buffer.from(b);
      out[m.pos % n] = m.value;
      return out;
    }
    case 'insert': {
      const p = m.pos % (n + 1);
      return Buffer.concat([b.subarray(0, p), m.bytes, b.subarray(p)]);
    }
    case 'delete': {
      const p = m.pos % n;
      return Buffer.concat([b.subarray(0, p), b.subarray(p + m.len)]);
    }
    case 'splice': {
      const from = m.from % n;
      const piece = b.subarray(from, from + m.len);
      const to = m.to % (n + 1);
      return Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
    }
    case 'cut':
      return b.subarray(0, m.pos % n);
  }
}

export function buildStream(c: FrameCase): BuiltStream {
  const bodies = c.payloads.map(payloadBytes);
  const frames = bodies.map((body, i) => frameOf(body, c.frameMutations, i));
  let bytes: Buffer = Buffer.concat(frames);
  for (const m of c.byteMutations) bytes = applyByteMutation(bytes, m);
  const touched = c.frameMutations.some((m) => m.frame < bodies.length);
  return { bytes, payloads: bodies, intact: !touched && c.byteMutations.length === 0 };
}

/** The chunks `bytes` arrives in. */
export function chunked(bytes: Buffer, given: readonly number[]): Buffer[] {
  if (given.length === 0) return [bytes];
  const sizes =
    steerAround('tiny-chunks') && bytes.length > 16_384
      ? given.map((n) => Math.max(n, 1024))
      : given;
  const out: Buffer[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}
