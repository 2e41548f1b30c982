import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  FrameError,
  decodeJson,
  encodeFrame,
  encodeJsonFrame,
} from '../../cluster/node/transport/codec.js';

const payloads = [
  Buffer.from('{"a":1}'),
  Buffer.from('x'),
  Buffer.alloc(300, 7),
  Buffer.from(JSON.stringify({ text: 'héllo ✓ 𝄞' })),
];
const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));

const expectedHex = payloads.map((p) => p.toString('hex'));

/** Feeds `chunks` one by one, collecting every frame (as hex) as soon as it is complete. */
function feed(d: FrameDecoder, chunks: Buffer[]): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    d.push(c);
    out.push(...d.drain().map((p) => p.toString('hex')));
  }
  return out;
}

/** A tiny deterministic PRNG so the chunkings are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('frame codec', () => {
  it('prefixes the payload with its big-endian length', () => {
    const f = encodeFrame(Buffer.from('abc'));
    expect([...f]).toEqual([0, 0, 0, 3, 0x61, 0x62, 0x63]);
    const j = encodeJsonFrame({ type: 'heartbeat', term: 2 });
    expect(j.readUInt32BE(0)).toBe(j.length - 4);
    expect(decodeJson(j.subarray(4))).toEqual({ type: 'heartbeat', term: 2 });
  });

  it('decodes several frames delivered in one chunk', () => {
    const d = new FrameDecoder(1024);
    expect(feed(d, [stream])).toEqual(expectedHex);
    expect(d.midFrame).toBe(false);
  });

  it('decodes frames split at every possible single boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder(1024);
      const got = feed(d, [stream.subarray(0, cut), stream.subarray(cut)]);
      expect(got, `cut at ${cut}`).toEqual(expectedHex);
    }
  });

  it('decodes frames split byte by byte and at random boundaries', () => {
    const d = new FrameDecoder(1024);
    expect(
      feed(
        d,
        [...stream].map((b) => Buffer.from([b])),
      ),
    ).toEqual(expectedHex);
    const rnd = lcg(42);
    for (let run = 0; run < 200; run++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const n = 1 + Math.floor(rnd() * 40);
        chunks.push(stream.subarray(at, at + n));
        at += n;
      }
      expect(feed(new FrameDecoder(1024), chunks), `run ${run}`).toEqual(expectedHex);
    }
  });

  it('returns nothing for a partial frame and reports that it is mid-frame', () => {
    const d = new FrameDecoder(1024);
    d.push(stream.subarray(0, 6));
    expect(d.next()).toBeUndefined();
    expect(d.midFrame).toBe(true);
    d.push(stream.subarray(6, encodeFrame(payloads[0]).length));
    expect(d.next()).toEqual(payloads[0]);
    expect(d.midFrame).toBe(false);
    d.push(Buffer.from([0, 0]));
    expect(d.next()).toBeUndefined();
    expect(d.midFrame).toBe(true);
  });

  it('refuses a length above the limit as soon as the header is in, and stays failed', () => {
    const d = new FrameDecoder(100);
    d.push(encodeFrame(Buffer.alloc(100)));
    expect(d.next()?.length).toBe(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101);
    d.push(header);
    expect(() => d.next()).toThrow(FrameError);
    expect(() => d.next()).toThrow(/exceeds the limit of 100/);
    expect(() => d.push(Buffer.from('x'))).toThrow(FrameError);
  });

  it('refuses an empty frame and garbage that decodes to a huge length', () => {
    const d = new FrameDecoder(1024);
    d.push(Buffer.from([0, 0, 0, 0]));
    expect(() => d.next()).toThrow(/empty frame/);
    const g = new FrameDecoder(1024);
    g.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(() => g.drain()).toThrow(/exceeds the limit/);
  });

  it('applies a changed limit to the next header only', () => {
    const d = new FrameDecoder(8);
    d.push(Buffer.concat([encodeFrame(Buffer.alloc(8)), encodeFrame(Buffer.alloc(20))]));
    expect(d.next()?.length).toBe(8);
    d.maxFrameBytes = 64;
    expect(d.next()?.length).toBe(20);
  });

  it('decodeJson refuses invalid UTF-8 and invalid JSON', () => {
    expect(() => decodeJson(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(/UTF-8/);
    expect(() => decodeJson(Buffer.from('{"a":'))).toThrow(/JSON/);
    expect(decodeJson(Buffer.from('[1,"✓"]'))).toEqual([1, '✓']);
  });
});
