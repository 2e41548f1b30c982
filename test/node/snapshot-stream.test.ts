import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame } from '../../cluster/node/transport/codec.js';
import {
  SnapshotReceiver,
  SnapshotStreamError,
  digestFile,
  readSnapshotChunks,
  type SnapshotChunk,
} from '../../cluster/node/transport/snapshot-stream.js';

let dir: string;
let source: string;
let content: Buffer;
const CHUNK = 64 * 1024;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'snapshot-stream-'));
  source = path.join(dir, 'source.snap');
  // Not a multiple of the chunk size: the last chunk is short.
  content = randomBytes(5 * CHUNK + 1234);
  await writeFile(source, content);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function chunks(): Promise<SnapshotChunk[]> {
  const out: SnapshotChunk[] = [];
  for await (const c of readSnapshotChunks(source, CHUNK)) out.push(c);
  return out;
}

describe('snapshot stream', () => {
  it('digests a file as sha256 of its bytes', async () => {
    const d = await digestFile(source);
    expect(d.bytes).toBe(content.length);
    expect(d.sha256).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('cuts the file into bounded, ordered chunks', async () => {
    const cs = await chunks();
    expect(cs.length).toBe(6);
    expect(cs.every((c) => c.data.length <= CHUNK)).toBe(true);
    expect(cs.map((c) => c.offset)).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * CHUNK));
    expect(Buffer.concat(cs.map((c) => c.data)).equals(content)).toBe(true);
  });

  it('receives a multi-chunk file whole, under its name, with no temp left', async () => {
    const target = path.join(dir, 'target.snap');
    const r = await SnapshotReceiver.begin(target, await digestFile(source));
    for (const c of await chunks()) await r.write(c);
    await r.finish();
    expect((await readFile(target)).equals(content)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['source.snap', 'target.snap']);
  });

  it('refuses a truncated stream and leaves nothing behind', async () => {
    const target = path.join(dir, 'target.snap');
    const r = await SnapshotReceiver.begin(target, await digestFile(source));
    const cs = await chunks();
    for (const c of cs.slice(0, -1)) await r.write(c);
    await expect(r.finish()).rejects.toThrow(/truncated/);
    expect(await readdir(dir)).toEqual(['source.snap']);
  });

  it('refuses a corrupt stream (same size, one byte flipped) and leaves nothing', async () => {
    const target = path.join(dir, 'target.snap');
    const r = await SnapshotReceiver.begin(target, await digestFile(source));
    const cs = await chunks();
    const bad = Buffer.from(cs[2]!.data);
    bad[17] = bad[17]! ^ 0xff;
    for (const [i, c] of cs.entries()) await r.write(i === 2 ? { offset: c.offset, data: bad } : c);
    await expect(r.finish()).rejects.toThrow(/sha256 mismatch/);
    expect(await readdir(dir)).toEqual(['source.snap']);
  });

  it('refuses a gap, a repeat, or a stream longer than announced', async () => {
    const target = path.join(dir, 'target.snap');
    const cs = await chunks();
    const digest = await digestFile(source);

    const gap = await SnapshotReceiver.begin(target, digest);
    await gap.write(cs[0]!);
    await expect(gap.write(cs[2]!)).rejects.toBeInstanceOf(SnapshotStreamError);

    const repeat = await SnapshotReceiver.begin(target, digest);
    await repeat.write(cs[0]!);
    await expect(repeat.write(cs[0]!)).rejects.toThrow(/offset 0, expected/);

    const long = await SnapshotReceiver.begin(target, { ...digest, bytes: CHUNK });
    await long.write(cs[0]!);
    await expect(long.write(cs[1]!)).rejects.toThrow(/longer than/);
    expect(await readdir(dir)).toEqual(['source.snap']);
  });

  it('a retry after a refused stream succeeds and replaces a stale temp file', async () => {
    const target = path.join(dir, 'target.snap');
    const digest = await digestFile(source);
    await writeFile(`${target}.tmp`, 'left by a crash mid-stream');
    const first = await SnapshotReceiver.begin(target, digest);
    await first.write((await chunks())[0]!);
    await first.abort();
    const second = await SnapshotReceiver.begin(target, digest);
    for (const c of await chunks()) await second.write(c);
    await second.finish();
    expect((await readFile(target)).equals(content)).toBe(true);
  });

  it('carries a file over a real TCP socket in framed chunks', async () => {
    const target = path.join(dir, 'target.snap');
    const digest = await digestFile(source);
    const received = new Promise<void>((resolve, reject) => {
      const server = createServer((socket) => {
        const decoder = new FrameDecoder();
        let work = SnapshotReceiver.begin(target, digest).then((r) => ({ r, offset: 0 }));
        socket.on('data', (buf: Buffer) => {
          decoder.push(buf);
          for (const frame of decoder.drain()) {
            const data = Buffer.from(frame);
            work = work.then(async (s) => {
              await s.r.write({ offset: s.offset, data });
              return { r: s.r, offset: s.offset + data.length };
            });
          }
        });
        socket.on('end', () => {
          work
            .then((s) => s.r.finish())
            .then(resolve, reject)
            .finally(() => server.close());
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        const client = connect(port, '127.0.0.1', () => {
          void (async () => {
            for await (const c of readSnapshotChunks(source, CHUNK)) {
              if (!client.write(encodeFrame(c.data))) {
                await new Promise((r) => client.once('drain', r));
              }
            }
            client.end();
          })();
        });
      });
    });
    await received;
    expect((await readFile(target)).equals(content)).toBe(true);
  });
});
