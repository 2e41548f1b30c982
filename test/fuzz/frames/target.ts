/**
 * The receiving side of a peer connection, as cluster/node/transport/transport.ts runs it, for
 * one fuzz input: push each chunk into a FrameDecoder, take every complete frame, parse it
 * (decodeJson), and hand it to the handshake (listener or dialer side) or, on an authenticated
 * connection, to validateMessage. The connection "closes" at the first refusal, as the transport
 * closes it. What must hold, whatever the bytes:
 *  - the only exception is FrameError, from the decoder or decodeJson (validateMessage and the
 *    handshake report refusals as values); a decoder that threw stays failed;
 *  - no handshake completes (the input does not know the cluster secret);
 *  - after each chunk the decoder holds less than one maximal frame (memory is bounded by the
 *    frame limit, not by what a peer announces), and every byte pushed is accounted for;
 *  - an accepted message has only Message fields, of the right types, from the authenticated
 *    peer to this node, and validating it again changes nothing;
 *  - for an intact stream, the decoder gives back exactly the payloads framed, in order, up to
 *    the first frame over the limit, and a well-formed message passes validation unchanged.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  ClientHandshake,
  decodeJson,
  FrameDecoder,
  FrameError,
  HANDSHAKE_MAX_FRAME_BYTES,
  HEADER_BYTES,
  NETWORK_MESSAGE_TYPES,
  ServerHandshake,
  validateMessage,
  type HandshakeStep,
} from '../../../cluster/node/transport/index.js';
import type { Message, MessageType } from '../../../cluster/raft/index.js';
import { PEER, SELF } from './messages.js';
import { buildStream, carriedMessage, chunked, type FrameCase } from './stream.js';

/** An invariant broken: a bug (or a wrong fuzz oracle). */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

const SECRET = randomBytes(32);

const MESSAGE_KEYS = new Set([
  'type',
  'from',
  'to',
  'term',
  'index',
  'logTerm',
  'entries',
  'commit',
  'reject',
  'rejectHint',
  'hintTerm',
  'snapshot',
  'snapshotIndex',
  'snapshotTerm',
  'context',
  'transfer',
]);
const UINT_KEYS = [
  'term',
  'index',
  'logTerm',
  'commit',
  'rejectHint',
  'hintTerm',
  'snapshotIndex',
  'snapshotTerm',
];

export interface CaseOutcome {
  readonly frames: number;
  readonly accepted: number;
  /** Why the connection closed, or 'open' if it did not. */
  readonly closed: 'open' | 'frame' | 'json' | 'invalid' | 'handshake';
  readonly bytes: number;
}

function isUint(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function sameKeys(o: object, keys: readonly string[]): boolean {
  const own = Object.keys(o).sort();
  return own.length === keys.length && [...keys].sort().every((k, i) => own[i] === k);
}

/** The shape an accepted message must have. */
function checkAccepted(m: Message): void {
  const fail = (why: string): never => {
    throw new FuzzFailure(`accepted message ${why}: ${JSON.stringify(m).slice(0, 500)}`);
  };
  if (Object.getPrototypeOf(m) !== Object.prototype) fail('has a foreign prototype');
  for (const k of Object.keys(m)) if (!MESSAGE_KEYS.has(k)) fail(`has the unknown key ${k}`);
  if (!NETWORK_MESSAGE_TYPES.has(m.type as MessageType)) fail('has a local type');
  if (m.from !== PEER || m.to !== SELF) fail('is not from the peer to this node');
  const rec = m as unknown as Record<string, unknown>;
  for (const k of UINT_KEYS) if (rec[k] !== undefined && !isUint(rec[k])) fail(`has a bad ${k}`);
  for (const k of ['reject', 'transfer']) {
    if (rec[k] !== undefined && typeof rec[k] !== 'boolean') fail(`has a bad ${k}`);
  }
  if (m.context !== undefined && typeof m.context !== 'string') fail('has a bad context');
  for (const e of m.entries ?? []) {
    if (!sameKeys(e, ['term', 'index', 'type', 'data'])) fail('has an entry with other keys');
    if (!isUint(e.term) || !isUint(e.index) || typeof e.data !== 'string') fail('has a bad entry');
    if (e.type !== 'normal' && e.type !== 'conf') fail('has an entry of a bad type');
  }
  const s = m.snapshot;
  if (s !== undefined) {
    if (!sameKeys(s, ['metadata', 'offset', 'data', 'total']))
      fail('has a snapshot with other keys');
    if (!isUint(s.offset) || !isUint(s.total) || typeof s.data !== 'string')
      fail('has a bad chunk');
    if (s.offset + s.data.length > s.total) fail('has a chunk past its total');
    const ids = [...s.metadata.conf.voters, ...s.metadata.conf.learners];
    if (!isUint(s.metadata.index) || !isUint(s.metadata.term) || !ids.every(isUint)) {
      fail('has bad snapshot metadata');
    }
  }
  const again = validateMessage(JSON.parse(JSON.stringify(m)), { self: SELF, peer: PEER });
  if (!again.ok || !isDeepStrictEqual(again.message, m)) fail('changes when validated again');
}

/** Runs `fn`, which must not throw at all. */
function mustNotThrow<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new FuzzFailure(`${what} threw ${describe(e)}`);
  }
}

/** A decoder or decodeJson failure: only FrameError is documented. */
function expectFrameError(what: string, e: unknown): void {
  if (!(e instanceof FrameError)) throw new FuzzFailure(`${what} threw ${describe(e)}`);
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

type Receiver = (value: unknown) => 'continue' | CaseOutcome['closed'];

/** What the connection does with a parsed frame, by phase. */
function receiver(c: FrameCase, onAccepted: (m: Message) => void): Receiver {
  if (c.phase === 'open') {
    return (value) => {
      const v = mustNotThrow('validateMessage', () =>
        validateMessage(value, { self: SELF, peer: PEER }),
      );
      if (!v.ok) return 'invalid';
      checkAccepted(v.message);
      onAccepted(v.message);
      return 'continue';
    };
  }
  const side =
    c.phase === 'server'
      ? new ServerHandshake(SECRET, SELF)
      : new ClientHandshake(SECRET, SELF, PEER);
  if (side instanceof ClientHandshake) side.hello();
  return (value) => {
    const step: HandshakeStep = mustNotThrow('the handshake', () => side.receive(value));
    if (step.status === 'done') throw new FuzzFailure('a handshake completed without the secret');
    return step.status === 'failed' ? 'handshake' : 'continue';
  };
}

export function runCase(c: FrameCase): CaseOutcome {
  const built = buildStream(c);
  const decoder = new FrameDecoder(
    c.phase === 'open' ? c.maxFrameBytes : HANDSHAKE_MAX_FRAME_BYTES,
  );
  const received: Buffer[] = [];
  const accepted: Message[] = [];
  const receive = receiver(c, (m) => accepted.push(m));
  let pushed = 0;
  let closed: CaseOutcome['closed'] = 'open';

  const feed = (chunk: Buffer): void => {
    try {
      decoder.push(chunk);
    } catch (e) {
      expectFrameError('FrameDecoder.push', e);
      throw new FuzzFailure('push failed on a decoder that had not failed');
    }
    pushed += chunk.length;
    for (;;) {
      let p: Buffer | undefined;
      try {
        p = decoder.next();
      } catch (e) {
        expectFrameError('FrameDecoder.next', e);
        // Poisoned: the stream has lost its framing, nothing more may come out of it.
        try {
          decoder.next();
          throw new FuzzFailure('a failed decoder returned normally');
        } catch (again) {
          expectFrameError('a failed FrameDecoder.next', again);
        }
        closed = 'frame';
        return;
      }
      if (p === undefined) break;
      received.push(p);
      let value: unknown;
      try {
        value = decodeJson(p);
      } catch (e) {
        expectFrameError('decodeJson', e);
        closed = 'json';
        return;
      }
      const r = receive(value);
      if (r !== 'continue') {
        closed = r;
        return;
      }
    }
    if (decoder.pendingBytes >= decoder.maxFrameBytes + HEADER_BYTES) {
      throw new FuzzFailure(
        `decoder holds ${decoder.pendingBytes} bytes with a limit of ${decoder.maxFrameBytes}`,
      );
    }
    const out = received.reduce((n, b) => n + b.length + HEADER_BYTES, 0);
    if (out + decoder.pendingBytes !== pushed) {
      throw new FuzzFailure(
        `pushed ${pushed} bytes, got ${out} out and ${decoder.pendingBytes} held`,
      );
    }
  };

  for (const chunk of chunked(built.bytes, c.chunks)) {
    feed(chunk);
    if (closed !== 'open') break;
  }
  if (built.intact) checkIntact(c, built.payloads, received, accepted, closed);
  return { frames: received.length, accepted: accepted.length, closed, bytes: built.bytes.length };
}

/** An unmutated stream: exact frames back, and well-formed messages through unchanged. */
function checkIntact(
  c: FrameCase,
  payloads: readonly Buffer[],
  received: readonly Buffer[],
  accepted: readonly Message[],
  closed: CaseOutcome['closed'],
): void {
  const limit = c.phase === 'open' ? c.maxFrameBytes : HANDSHAKE_MAX_FRAME_BYTES;
  received.forEach((p, i) => {
    if (!payloads[i]?.equals(p)) throw new FuzzFailure(`frame ${i} came out different`);
  });
  const firstBad = payloads.findIndex((p) => p.length === 0 || p.length > limit);
  if (closed === 'open' && received.length !== payloads.length) {
    throw new FuzzFailure(`${payloads.length} frames sent, ${received.length} decoded`);
  }
  if (firstBad >= 0 && received.length > firstBad) {
    throw new FuzzFailure(
      `frame ${firstBad} of ${payloads[firstBad].length} bytes was not refused`,
    );
  }
  if (c.phase !== 'open') return;
  const messages = c.payloads.map(carriedMessage);
  accepted.forEach((m, i) => {
    const sent = messages[i];
    const want: unknown = sent === undefined ? undefined : JSON.parse(JSON.stringify(sent));
    if (sent !== undefined && !isDeepStrictEqual(m, want)) {
      throw new FuzzFailure(
        `a well-formed message changed in validation: sent ${JSON.stringify(want).slice(0, 400)}, ` +
          `got ${JSON.stringify(m).slice(0, 400)}`,
      );
    }
  });
  const firstUnaccepted = messages.findIndex((m, i) => m !== undefined && i >= accepted.length);
  if (firstUnaccepted >= 0 && firstUnaccepted < received.length && closed === 'invalid') {
    const m = messages[firstUnaccepted];
    if (m !== undefined && accepted.length === firstUnaccepted) {
      const r = validateMessage(JSON.parse(JSON.stringify(m)), { self: SELF, peer: PEER });
      throw new FuzzFailure(
        `a well-formed ${m.type} was refused: ${r.ok ? '?' : r.reason}: ${JSON.stringify(m).slice(0, 400)}`,
      );
    }
  }
}
