/**
 * Strangers on a node's Raft TCP port (protocol: cluster/node/transport/README.md): garbage
 * bytes, a frame whose length prefix is over the maximum frame size (before and after an
 * authenticated handshake), and a peer with the wrong cluster secret. Each bad connection is
 * closed; the node keeps running: GET /status answers, the cluster commits writes through every
 * node, nothing a stranger sent reached the Raft core, replicas stay equal.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ClientHandshake,
  computeProof,
  DEFAULT_MAX_FRAME_BYTES,
  encodeJsonFrame,
  FrameDecoder,
  HANDSHAKE_MAX_FRAME_BYTES,
  loadSecret,
  PROTOCOL_VERSION,
} from '../../cluster/node/transport/index.js';
import { ok, sleep, useCluster, type Cluster } from './harness/index.js';

const c = useCluster('abuse');

/** A term no real election in these tests gets near; seeing it anywhere means a stranger got in. */
const HUGE_TERM = 987_654;

/** A raw TCP client on a Raft port that decodes whatever frames come back. */
class RawPeer {
  readonly frames: unknown[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(1 << 20);
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
        for (let p = this.decoder.next(); p; p = this.decoder.next()) {
          this.frames.push(JSON.parse(p.toString('utf8')) as unknown);
        }
      } catch (e) {
        this.frames.push({ undecodable: (e as Error).message });
      }
      this.wake();
    });
    // Writing to a socket the node closed fails with EPIPE/ECONNRESET: expected here.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  private async until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        function done(): void {
          clearTimeout(t);
          resolve();
        }
        this.waiters.add(done);
      });
    }
    return true;
  }

  write(buf: Buffer | string): void {
    if (!this.closed) this.socket.write(buf);
  }

  /** The next frame the node sent (index `n`), or undefined if it closed / timed out first. */
  async frame(n: number, timeoutMs = 3_000): Promise<unknown> {
    await this.until(() => this.frames.length > n || this.closed, timeoutMs);
    return this.frames[n];
  }

  /** True once the node has closed the connection. */
  waitClosed(timeoutMs = 3_000): Promise<boolean> {
    return this.until(() => this.closed, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function raftPort(cl: Cluster, id: number): number {
  const self = cl.config(id).peers.find((p) => p.id === id);
  if (!self) throw new Error(`no peer entry for node ${id}`);
  return self.raftPort;
}

/** A heartbeat with a huge term, as node `from` would send it to `to`. */
function forgedHeartbeat(from: number, to: number): object {
  return { type: 'heartbeat', from, to, term: HUGE_TERM, commit: 0 };
}

/** The node is healthy: status fine, no stranger's term anywhere, writes commit through it. */
async function expectHealthy(cl: Cluster, tag: string): Promise<void> {
  const leader = await cl.leader();
  for (const id of cl.ids) {
    expect(cl.isRunning(id), `n${id} still running after ${tag}`).toBe(true);
    const st = await cl.client(id).status();
    expect(st.status, `GET /status on n${id} after ${tag}`).toBe(200);
    const s = ok(st);
    expect(s.id).toBe(id);
    expect(['leader', 'follower']).toContain(s.role);
    expect(s.term, `term of n${id}: a forged message got in`).toBeLessThan(HUGE_TERM);
    expect(s.mysql.status).toBe('up');
  }
  for (const id of cl.ids) {
    const res = await cl.client(id).createTask({ title: `after ${tag} via n${id}` });
    expect(res.status, `write via n${id} after ${tag}: ${JSON.stringify(res.body)}`).toBe(201);
    expect(ok(res).servedBy).toBe(await cl.leader());
  }
  expect(leader).toBeGreaterThan(0);
}

describe('abuse of the Raft TCP port', () => {
  it('garbage bytes: each connection is closed, the node carries on', async () => {
    const cl = c();
    for (const id of cl.ids) {
      const port = raftPort(cl, id);
      const garbage: { name: string; bytes: Buffer }[] = [
        { name: 'an HTTP request', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n') },
        { name: '4 KiB of random bytes', bytes: randomBytes(4096) },
        {
          name: 'a well-framed payload that is not UTF-8 JSON',
          bytes: Buffer.concat([u32be(16), Buffer.alloc(16, 0xff)]),
        },
        { name: 'an empty frame', bytes: u32be(0) },
        { name: 'JSON that is not a hello', bytes: encodeJsonFrame({ kind: 'welcome' }) },
        {
          name: 'a Raft message without a handshake',
          bytes: encodeJsonFrame(forgedHeartbeat(id === 1 ? 2 : 1, id)),
        },
      ];
      for (const g of garbage) {
        const peer = await RawPeer.connect(port);
        peer.write(g.bytes);
        const closed = await peer.waitClosed(4_000);
        peer.destroy();
        expect(closed, `n${id} closes a connection that sent ${g.name}`).toBe(true);
        const welcomed = peer.frames.some(
          (f) =>
            typeof f === 'object' && f !== null && (f as { kind?: unknown }).kind === 'welcome',
        );
        expect(welcomed, `n${id} welcomed ${g.name}`).toBe(false);
      }
    }
    await expectHealthy(cl, 'garbage');
  });

  it('an oversized frame is refused as soon as its length prefix arrives', async () => {
    const cl = c();
    const secret = await loadSecret(cl.secretFile);
    for (const id of cl.ids) {
      const port = raftPort(cl, id);

      // Before any handshake (where even 1 KiB is too much): over the data frame limit.
      const early = await RawPeer.connect(port);
      early.write(u32be(DEFAULT_MAX_FRAME_BYTES + 1));
      early.write(Buffer.alloc(16 * 1024, 0x20)); // a small part of the promised payload
      expect(await early.waitClosed(4_000), `n${id} closes on an oversized first frame`).toBe(true);
      early.destroy();

      // Just over the handshake limit.
      const hs = await RawPeer.connect(port);
      hs.write(u32be(HANDSHAKE_MAX_FRAME_BYTES + 1));
      hs.write(Buffer.alloc(HANDSHAKE_MAX_FRAME_BYTES + 1, 0x20));
      expect(await hs.waitClosed(4_000), `n${id} closes on a handshake frame over 1 KiB`).toBe(
        true,
      );
      hs.destroy();

      // After a real handshake (we hold the cluster secret), as a node that is not a member, so
      // no real peer's connection is displaced: the data frame limit applies.
      const fakeId = 900 + id;
      const auth = await RawPeer.connect(port);
      const client = new ClientHandshake(secret, fakeId, id);
      auth.write(encodeJsonFrame(client.hello()));
      const step1 = client.receive(await auth.frame(0));
      expect(step1.status, `handshake with n${id}: ${JSON.stringify(step1)}`).toBe('continue');
      if (step1.status === 'continue') auth.write(encodeJsonFrame(step1.reply));
      const step2 = client.receive(await auth.frame(1));
      expect(step2.status, `handshake with n${id} finished: ${JSON.stringify(step2)}`).toBe('done');
      expect(auth.closed).toBe(false);
      auth.write(u32be(DEFAULT_MAX_FRAME_BYTES + 1));
      auth.write(Buffer.alloc(64 * 1024, 0x20));
      expect(
        await auth.waitClosed(4_000),
        `n${id} closes an authenticated connection announcing ${DEFAULT_MAX_FRAME_BYTES + 1} bytes`,
      ).toBe(true);
      auth.destroy();
    }
    await expectHealthy(cl, 'oversized frames');
  });

  it('a peer with the wrong secret is refused and nothing it sends reaches Raft', async () => {
    const cl = c();
    const wrong = randomBytes(32);
    for (const id of cl.ids) {
      const port = raftPort(cl, id);
      const pretend = id === 1 ? 2 : 1; // a real member's id
      const peer = await RawPeer.connect(port);
      const client = new ClientHandshake(wrong, pretend, id);
      const hello = client.hello();
      peer.write(encodeJsonFrame(hello));
      const challenge = await peer.frame(0);
      expect(challenge, `n${id} answers a hello with a challenge`).toMatchObject({
        kind: 'challenge',
        version: PROTOCOL_VERSION,
        from: id,
        to: pretend,
      });
      // The node's proof does not verify with our (wrong) secret: it never learned it.
      const check = client.receive(challenge);
      expect(check.status).toBe('failed');

      // Prove with the wrong secret anyway, then push a Raft message after it.
      const nonce = (challenge as { nonce: string }).nonce;
      const badProof = computeProof(
        wrong,
        'client',
        pretend,
        id,
        hello.kind === 'hello' ? hello.nonce : '',
        nonce,
      );
      peer.write(encodeJsonFrame({ kind: 'proof', proof: badProof.toString('hex') }));
      peer.write(encodeJsonFrame(forgedHeartbeat(pretend, id)));
      expect(await peer.waitClosed(4_000), `n${id} closes the wrong-secret connection`).toBe(true);
      peer.destroy();
      const kinds = peer.frames.map((f) => (f as { kind?: unknown }).kind);
      expect(kinds, `frames n${id} sent to the wrong-secret peer`).not.toContain('welcome');
      expect(kinds.slice(1).every((k) => k === 'reject')).toBe(true);
    }
    // Give a forged message time to do harm if it got through, then check.
    await sleep(300);
    await expectHealthy(cl, 'a wrong-secret peer');
    const sums = await cl.checksums();
    const values = [...sums.values()];
    for (const [id, s] of sums) expect(s, `checksum of n${id}`).toEqual(values[0]);
  });
});
