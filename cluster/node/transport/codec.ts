/**
 * Framing for the peer transport: every frame is a 4-byte big-endian unsigned length followed by
 * that many bytes of payload. The payload is UTF-8 JSON (a handshake message or a Raft
 * `Message`): the core's messages are plain objects whose entry data are already JSON strings,
 * JSON is what the traces and the control room show, and it needs no dependency.
 *
 * {@link FrameDecoder} is pure and incremental: feed it whatever chunks the socket produced (a
 * frame split anywhere, several frames in one chunk) and pull complete frames out one at a time.
 */

/** Bytes of the length prefix. */
export const HEADER_BYTES = 4;

/** Default largest payload accepted or sent (snapshots are chunked by the core, far below this). */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** The largest length a 4-byte prefix can carry. */
const MAX_LENGTH_FIELD = 0xffff_ffff;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A stream that cannot be decoded: the connection it came from must be closed. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Prefixes `payload` with its length. */
export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_LENGTH_FIELD) {
    throw new FrameError(`payload of ${payload.length} bytes does not fit a frame`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/** JSON-encodes `value` (UTF-8) and frames it. */
export function encodeJsonFrame(value: unknown): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(value), 'utf8'));
}

/**
 * Parses a frame's payload as UTF-8 JSON. Throws a {@link FrameError} on invalid UTF-8 or JSON
 * (the structure is checked elsewhere).
 */
export function decodeJson(payload: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(payload);
  } catch (_e) {
    throw new FrameError('payload is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (_e) {
    throw new FrameError('payload is not valid JSON');
  }
}

/** Pieces kept before they are merged into one (see FrameDecoder.push). */
const MAX_PIECES = 4096;

/**
 * Reassembles frames from a byte stream. `push` never copies more than needed: chunks are kept
 * as they came and a payload is only concatenated when it spans several of them.
 *
 * After a {@link FrameError} the decoder is poisoned (the stream has lost its framing) and every
 * later call throws again.
 */
export class FrameDecoder {
  /** Largest payload accepted; may be changed between frames (e.g. after a handshake). */
  maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Payload length of the frame whose header was consumed, or -1 while waiting for a header. */
  private need = -1;
  private failure: FrameError | undefined;

  constructor(maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Appends bytes received from the stream. */
  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.chunks.push(buf);
    // A peer trickling a frame in tiny pieces must not cost a Buffer object per byte: past
    // MAX_PIECES pieces, merge them (a copy every MAX_PIECES pushes keeps that cheap).
    if (this.chunks.length > MAX_PIECES) this.chunks = [Buffer.concat(this.chunks)];
    this.buffered += buf.length;
  }

  /**
   * The next complete payload, or undefined when more bytes are needed. Throws a
   * {@link FrameError} when a header announces an empty frame or one above `maxFrameBytes`
   * (checked as soon as the header is in, before the payload is buffered).
   */
  next(): Buffer | undefined {
    if (this.failure) throw this.failure;
    if (this.need < 0) {
      if (this.buffered < HEADER_BYTES) return undefined;
      const length = this.take(HEADER_BYTES).readUInt32BE(0);
      if (length === 0) return this.fail('empty frame');
      if (length > this.maxFrameBytes) {
        return this.fail(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
      }
      this.need = length;
    }
    if (this.buffered < this.need) return undefined;
    const payload = this.take(this.need);
    this.need = -1;
    return payload;
  }

  /** Every complete payload currently available (convenience for tests and simple callers). */
  drain(): Buffer[] {
    const out: Buffer[] = [];
    for (let p = this.next(); p; p = this.next()) out.push(p);
    return out;
  }

  /** Bytes received but not yet returned as a frame, header included. */
  get pendingBytes(): number {
    return this.buffered + (this.need >= 0 ? HEADER_BYTES : 0);
  }

  /** True when the stream stopped inside a frame (a truncated frame if it ends now). */
  get midFrame(): boolean {
    return this.pendingBytes > 0;
  }

  private fail(reason: string): never {
    this.failure = new FrameError(reason);
    this.chunks = [];
    this.buffered = 0;
    throw this.failure;
  }

  /** Removes and returns the first `n` buffered bytes (n <= buffered). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let used = 0; // whole chunks consumed: removed once at the end, not one shift() each
    while (filled < n) {
      const c = this.chunks[used];
      const want = n - filled;
      if (c.length <= want) {
        c.copy(out, filled);
        filled += c.length;
        used++;
      } else {
        c.copy(out, filled, 0, want);
        this.chunks[used] = c.subarray(want);
        filled += want;
      }
    }
    this.chunks.splice(0, used);
    return out;
  }
}
