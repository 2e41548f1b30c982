/**
 * The TCP transport over real sockets on 127.0.0.1 (ports chosen by the OS). No assertion depends
 * on timing except generous deadlines for delivery; "nothing arrived" is shown by a counter or by
 * a later message on the same ordered link arriving first.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  decodeJson,
  encodeFrame,
  encodeJsonFrame,
} from '../../cluster/node/transport/codec.js';
import { ClientHandshake } from '../../cluster/node/transport/handshake.js';
import { systemClock } from '../../cluster/node/clock.js';
import {
  FaultyTransport,
  type FaultPeerStats,
} from '../../cluster/node/transport/fault-decorator.js';
import {
  TcpTransport,
  type PeerAddress,
  type TcpPeerStats,
  type TcpTransportOptions,
} from '../../cluster/node/transport/transport.js';
import type { Message, NodeId } from '../../cluster/raft/index.js';

const secret = randomBytes(32);
// TRANSPORT_TEST_DEBUG=1 prints every transport log line.
const DEBUG = process.env.TRANSPORT_TEST_DEBUG === '1';
const HOST = '127.0.0.1';

interface TestNode {
  /** The TCP transport, inside `f`: sends on it skip the faults. */
  readonly t: TcpTransport;
  /** The fault decorator around `t`: what a node process uses. */
  readonly f: FaultyTransport<TcpTransport>;
  readonly got: Message[];
  readonly arrivals: number[];
  readonly logs: string[];
  readonly unreachable: NodeId[];
}

const running: FaultyTransport[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((t) => t.close()));
});

/** A TCP transport wrapped in the fault decorator, as RaftNode builds it. */
async function startNode(
  id: NodeId,
  opts: Partial<TcpTransportOptions> = {},
  port = 0,
): Promise<TestNode> {
  const got: Message[] = [];
  const arrivals: number[] = [];
  const logs: string[] = [];
  const unreachable: NodeId[] = [];
  const log = (level: string, msg: string): void => {
    logs.push(`${level} ${msg}`);
    if (DEBUG) console.log(id, level, msg);
  };
  const {
    onMessage = (m: Message): void => {
      got.push(m);
      arrivals.push(performance.now());
    },
    onUnreachable = (peer: NodeId): void => {
      unreachable.push(peer);
    },
    ...tcp
  } = opts;
  const f = new FaultyTransport(
    { id, clock: systemClock, random: Math.random, log },
    { onMessage, onUnreachable },
    (handlers) =>
      new TcpTransport({
        id,
        port,
        peers: new Map(),
        secret,
        backoffCapMs: 100,
        log,
        ...tcp,
        ...handlers,
      }),
  );
  running.push(f);
  await f.start();
  return { t: f.inner, f, got, arrivals, logs, unreachable };
}

function addresses(nodes: readonly TestNode[]): Map<NodeId, PeerAddress> {
  return new Map(nodes.map((n) => [n.t.id, { host: HOST, port: n.t.port }]));
}

function connectAll(nodes: readonly TestNode[]): void {
  const map = addresses(nodes);
  for (const n of nodes) n.t.setPeers(map);
}

const hb = (from: NodeId, to: NodeId, seq: number): Message => ({
  type: 'heartbeat',
  from,
  to,
  term: 1,
  commit: seq,
});

function seqs(n: TestNode, from: NodeId): number[] {
  return n.got.filter((m) => m.from === from).map((m) => m.commit ?? -1);
}

/** The TCP transport's stats of a peer, with the fault decorator's. */
function peerStats(n: TestNode, id: NodeId): TcpPeerStats & Omit<FaultPeerStats, 'id'> {
  const s = n.t.stats().peers.find((p) => p.id === id);
  if (!s) throw new Error(`no stats for node ${id} on node ${n.t.id}`);
  const f = n.f.stats().peers.find((p) => p.id === id);
  return { ...s, faultDropped: f?.faultDropped ?? 0, delayed: f?.delayed ?? 0 };
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

async function waitFor(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function hasLog(n: TestNode, re: RegExp): boolean {
  return n.logs.some((l) => re.test(l));
}

async function waitLog(n: TestNode, re: RegExp): Promise<void> {
  await waitFor(() => hasLog(n, re), `a log line matching ${re} on node ${n.t.id}`);
}

/** A raw TCP connection to a node, for sending it whatever we like. */
async function rawSocket(port: number): Promise<Socket> {
  const socket = connect({ host: HOST, port });
  sockets.push(socket);
  socket.on('error', () => undefined);
  // Flowing mode: whatever the node answers is discarded, so its close is seen at once.
  socket.resume();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

function closed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** A connection that completed an honest handshake as node `self`, ready to send anything. */
async function authenticatedSocket(port: number, self: NodeId, target: NodeId): Promise<Socket> {
  const socket = await rawSocket(port);
  const hs = new ClientHandshake(secret, self, target);
  const decoder = new FrameDecoder(1024);
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (const p of decoder.drain()) {
        const step = hs.receive(decodeJson(p));
        if (step.reply) socket.write(encodeJsonFrame(step.reply));
        if (step.status === 'done') resolve();
        if (step.status === 'failed') reject(new Error(step.reason));
      }
    });
    socket.once('close', () => reject(new Error('closed during the handshake')));
  });
  socket.write(encodeJsonFrame(hs.hello()));
  await done;
  return socket;
}

/** A port on which nothing listens (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const addr = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (addr === null || typeof addr !== 'object') throw new Error('no port');
  return addr.port;
}

describe('TcpTransport', () => {
  it('three nodes exchange messages both ways, complete and in order', async () => {
    const nodes = await Promise.all([1, 2, 3].map((id) => startNode(id)));
    connectAll(nodes);
    const app: Message = {
      type: 'app',
      from: 1,
      to: 2,
      term: 4,
      index: 9,
      logTerm: 3,
      commit: 8,
      entries: [{ term: 4, index: 10, type: 'normal', data: '{"title":"ünï ✓ \\"q\\""}' }],
    };
    const N = 300;
    for (let i = 0; i < N; i++) {
      for (const a of nodes) for (const b of nodes) if (a !== b) a.t.send(hb(a.t.id, b.t.id, i));
    }
    nodes[0].t.send(app);
    await waitFor(
      () => nodes.every((n) => n.got.length === 2 * N + (n.t.id === 2 ? 1 : 0)),
      'every message',
    );
    for (const n of nodes) {
      for (const other of nodes) {
        if (other === n) continue;
        const hbs = n.got.filter((m) => m.from === other.t.id && m.type === 'heartbeat');
        expect(hbs.map((m) => m.commit)).toEqual(range(0, N));
        expect(peerStats(n, other.t.id)).toMatchObject({ connected: true, inbound: true });
      }
    }
    expect(nodes[1].got.find((m) => m.type === 'app')).toEqual(app);
    expect(peerStats(nodes[0], 2)).toMatchObject({ sent: N + 1, dropped: 0, queued: 0 });
    expect(peerStats(nodes[1], 1)).toMatchObject({ received: N + 1, badFrames: 0 });
  });

  it('reconnects after the peer restarts; queued messages arrive intact and in order', async () => {
    const a = await startNode(1);
    const b = await startNode(2);
    connectAll([a, b]);
    a.t.send(hb(1, 2, 0));
    await waitFor(() => seqs(b, 1).length === 1, 'the first message');
    const port = b.t.port;
    await b.t.close();
    await waitFor(() => a.unreachable.includes(2), 'node 2 reported unreachable');
    expect(peerStats(a, 2).connected).toBe(false);
    for (let i = 1; i <= 50; i++) a.t.send(hb(1, 2, i));
    const b2 = await startNode(2, {}, port);
    b2.t.setPeers(addresses([a, b2]));
    for (let i = 51; i <= 60; i++) a.t.send(hb(1, 2, i));
    await waitFor(() => seqs(b2, 1).includes(60), 'the last message after the restart');
    const got = seqs(b2, 1);
    // Some may have been lost with the old connection, but never reordered or corrupted.
    expect(got.every((s, i) => i === 0 || s > got[i - 1])).toBe(true);
    expect(got.slice(-10)).toEqual(range(51, 61));
    for (const m of b2.got) expect(m).toEqual(hb(1, 2, m.commit ?? -1));
    expect(peerStats(a, 2).connects).toBe(2);
    // And the restarted node talks back on its own outbound connection.
    b2.t.send(hb(2, 1, 7));
    await waitFor(() => seqs(a, 2).includes(7), 'a message from the restarted node');
  });

  it('keeps the outbound queue bounded while a peer is down, then delivers the newest', async () => {
    const port = await freePort();
    const a = await startNode(1, { maxQueueMessages: 10 });
    a.t.setPeers(new Map([[2, { host: HOST, port }]]));
    await waitFor(() => a.unreachable.includes(2), 'node 2 reported unreachable');
    for (let i = 0; i < 25; i++) a.t.send(hb(1, 2, i));
    expect(peerStats(a, 2)).toMatchObject({ connected: false, queued: 10, dropped: 15 });
    expect(hasLog(a, /queue for node 2 is full/)).toBe(true);

    const frame = Buffer.byteLength(JSON.stringify(hb(1, 2, 100))) + 4;
    const byBytes = await startNode(3, { maxQueueBytes: 3 * frame });
    byBytes.t.setPeers(new Map([[2, { host: HOST, port }]]));
    for (let i = 100; i < 110; i++) byBytes.t.send(hb(3, 2, i));
    expect(peerStats(byBytes, 2)).toMatchObject({ queued: 3, queuedBytes: 3 * frame, dropped: 7 });

    const b = await startNode(2, {}, port);
    await waitFor(() => seqs(b, 1).length === 10 && seqs(b, 3).length === 3, 'queued messages');
    expect(seqs(b, 1)).toEqual(range(15, 25));
    expect(seqs(b, 3)).toEqual(range(107, 110));
    expect(peerStats(a, 2)).toMatchObject({ connected: true, queued: 0 });
  });

  it('garbage on the port closes that connection only; good peers carry on', async () => {
    const a = await startNode(1);
    const b = await startNode(2);
    connectAll([a, b]);
    const raw = await rawSocket(a.t.port);
    raw.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await closed(raw);
    await waitLog(a, /refused before authenticating: bad frame: frame of \d+ bytes exceeds/);
    expect(a.t.stats().unauthenticated.badFrames).toBe(1);
    // A header announcing more than the 1 KiB allowed during the handshake.
    const big = await rawSocket(a.t.port);
    big.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await closed(big);
    expect(a.t.stats().unauthenticated.badFrames).toBe(2);
    a.t.send(hb(1, 2, 1));
    b.t.send(hb(2, 1, 2));
    await waitFor(() => seqs(b, 1).length === 1 && seqs(a, 2).length === 1, 'good traffic');
    expect(a.got).toEqual([hb(2, 1, 2)]);
  });

  it('an oversized frame from an authenticated peer closes that connection', async () => {
    const a = await startNode(1, { maxFrameBytes: 64 * 1024 });
    const s = await authenticatedSocket(a.t.port, 2, 1);
    s.write(encodeJsonFrame(hb(2, 1, 1)));
    await waitFor(() => a.got.length === 1, 'the valid frame');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(64 * 1024 + 1);
    s.write(header);
    await closed(s);
    await waitLog(a, /inbound from node 2 .* closed: bad frame: frame of 65537 bytes exceeds/);
    expect(peerStats(a, 2)).toMatchObject({ badFrames: 1, inbound: false, received: 1 });
    expect(a.got).toEqual([hb(2, 1, 1)]);
    // A frame at the limit itself is fine (it is only refused below as an invalid message).
    const s2 = await authenticatedSocket(a.t.port, 2, 1);
    s2.write(encodeFrame(Buffer.alloc(64 * 1024, 0x20)));
    await closed(s2);
    await waitLog(a, /invalid message: message must be a JSON object|not valid JSON/);
  });

  it('a truncated frame followed by close is logged, nothing crashes', async () => {
    const a = await startNode(1);
    const b = await startNode(2);
    connectAll([a, b]);
    const s = await authenticatedSocket(a.t.port, 3, 1);
    const whole = encodeJsonFrame(hb(3, 1, 5));
    s.write(whole);
    s.end(whole.subarray(0, whole.length - 3));
    await closed(s);
    await waitLog(a, /inbound from node 3 .* closed: closed in the middle of a frame/);
    expect(seqs(a, 3)).toEqual([5]);
    b.t.send(hb(2, 1, 9));
    await waitFor(() => seqs(a, 2).includes(9), 'a good message afterwards');
  });

  it('valid JSON that is not a valid Message closes the connection, with the reason', async () => {
    const a = await startNode(1);
    const cases: [Buffer, RegExp][] = [
      [encodeJsonFrame({ hello: 'world' }), /type undefined is not a network message type/],
      [encodeJsonFrame({ ...hb(2, 1, 1), type: 'hup' }), /"hup" is not a network message type/],
      [encodeJsonFrame(hb(3, 1, 1)), /from is 3, but the connection authenticated node 2/],
      [encodeJsonFrame(hb(2, 4, 1)), /to is 4, but this is node 1/],
      [encodeJsonFrame({ ...hb(2, 1, 1), term: -1 }), /term must be a non-negative integer/],
      [
        encodeJsonFrame({ type: 'app', from: 2, to: 1, term: 1, entries: [{ term: 1 }] }),
        /entries\[0\]\.type/,
      ],
      [encodeFrame(Buffer.from('{"type":"heartbeat",')), /payload is not valid JSON/],
      [encodeJsonFrame([1, 2, 3]), /message must be a JSON object/],
    ];
    for (const [frame, reason] of cases) {
      const s = await authenticatedSocket(a.t.port, 2, 1);
      s.write(frame);
      await closed(s);
      await waitLog(a, reason);
    }
    expect(a.got).toEqual([]);
    expect(peerStats(a, 2).badFrames).toBe(cases.length);
    // The same peer, behaving, is still welcome.
    const s = await authenticatedSocket(a.t.port, 2, 1);
    s.write(encodeJsonFrame(hb(2, 1, 42)));
    await waitFor(() => a.got.length === 1, 'a valid message');
    expect(a.got).toEqual([hb(2, 1, 42)]);
  });

  it('a peer with the wrong secret is refused on both sides; the others carry on', async () => {
    const a = await startNode(1);
    const b = await startNode(2);
    const c = await startNode(3, { secret: randomBytes(32) });
    connectAll([a, b, c]);
    await waitFor(
      () =>
        peerStats(a, 3).handshakeFailures > 0 &&
        peerStats(c, 1).handshakeFailures > 0 &&
        a.t.stats().unauthenticated.handshakeFailures > 0,
      'handshake failures on both sides',
    );
    for (let i = 0; i < 20; i++) {
      c.t.send(hb(3, 1, i));
      c.t.send(hb(3, 2, i));
      a.t.send(hb(1, 3, i));
    }
    a.t.send(hb(1, 2, 100));
    b.t.send(hb(2, 1, 200));
    await waitFor(() => seqs(b, 1).includes(100) && seqs(a, 2).includes(200), 'honest traffic');
    // Let the bad node retry a few more times, then check nothing of it got through.
    const failures = peerStats(a, 3).handshakeFailures;
    await waitFor(() => peerStats(a, 3).handshakeFailures >= failures + 2, 'more refusals');
    expect(a.got.filter((m) => m.from === 3)).toEqual([]);
    expect(b.got.filter((m) => m.from === 3)).toEqual([]);
    expect(c.got).toEqual([]);
    expect(peerStats(a, 3)).toMatchObject({
      connected: false,
      inbound: false,
      received: 0,
      sent: 0,
    });
    expect(peerStats(c, 1)).toMatchObject({ connected: false, sent: 0 });
    expect(
      hasLog(a, /node 3 at .* refused: .*node 3 failed to prove it holds the cluster secret/),
    ).toBe(true);
    expect(hasLog(a, /claims node 3\) refused before authenticating/)).toBe(true);
    expect(hasLog(c, /node 1 failed to prove it holds the cluster secret/)).toBe(true);
  });

  it('a newer authenticated connection from the same peer replaces the older one', async () => {
    const a = await startNode(1);
    const first = await authenticatedSocket(a.t.port, 2, 1);
    first.write(encodeJsonFrame(hb(2, 1, 1)));
    await waitFor(() => a.got.length === 1, 'a message on the first connection');
    const second = await authenticatedSocket(a.t.port, 2, 1);
    await closed(first);
    await waitLog(a, /inbound from node 2 .* closed: replaced by a newer connection/);
    second.write(encodeJsonFrame(hb(2, 1, 2)));
    await waitFor(() => a.got.length === 2, 'a message on the second connection');
    expect(seqs(a, 2)).toEqual([1, 2]);
    expect(peerStats(a, 2)).toMatchObject({ inbound: true, badFrames: 0 });
  });

  it('a client that forges its proof is refused by the server', async () => {
    const a = await startNode(1);
    const s = await rawSocket(a.t.port);
    const decoder = new FrameDecoder(1024);
    s.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (const p of decoder.drain()) {
        const v = decodeJson(p) as { kind?: string };
        // Skip checking the server and send a made-up proof.
        if (v.kind === 'challenge') {
          s.write(encodeJsonFrame({ kind: 'proof', proof: randomBytes(32).toString('hex') }));
          s.write(encodeJsonFrame(hb(9, 1, 1)));
        }
      }
    });
    s.write(encodeJsonFrame(new ClientHandshake(randomBytes(32), 9, 1).hello()));
    await closed(s);
    await waitLog(
      a,
      /claims node 9\) refused .*node 9 failed to prove it holds the cluster secret/,
    );
    expect(a.got).toEqual([]);
    expect(a.t.stats().unauthenticated.handshakeFailures).toBe(1);
  });

  it('a client that sends nothing, or a message instead of a hello, never gets in', async () => {
    const a = await startNode(1, { handshakeTimeoutMs: 300 });
    const silent = await rawSocket(a.t.port);
    await closed(silent);
    await waitLog(a, /refused before authenticating: no complete handshake within 300 ms/);
    const rude = await rawSocket(a.t.port);
    rude.write(encodeJsonFrame(hb(2, 1, 1)));
    await closed(rude);
    await waitLog(a, /refused before authenticating: handshake failed: expected hello/);
    expect(a.got).toEqual([]);
    expect(a.t.stats().unauthenticated.handshakeFailures).toBe(2);
  });

  it('partitions stop delivery at send and at receive; clearFaults restores it', async () => {
    const a = await startNode(1);
    const b = await startNode(2);
    connectAll([a, b]);
    await waitFor(() => peerStats(a, 2).connected && peerStats(b, 1).connected, 'connections');
    a.f.setFaults({ partitions: [[1], [2]] });
    b.f.setFaults({ partitions: [[1], [2]] });
    for (let i = 0; i < 10; i++) a.f.send(hb(1, 2, i));
    expect(peerStats(a, 2)).toMatchObject({ faultDropped: 10, sent: 0 });
    // Only the receiver knows of the partition: the messages travel and are dropped on arrival.
    a.f.clearFaults();
    for (let i = 10; i < 20; i++) a.f.send(hb(1, 2, i));
    await waitFor(() => peerStats(b, 1).faultDropped === 10, 'drops at the receiver');
    expect(b.got).toEqual([]);
    b.f.clearFaults();
    a.f.send(hb(1, 2, 20));
    b.f.send(hb(2, 1, 21));
    await waitFor(() => b.got.length === 1 && a.got.length === 1, 'delivery after healing');
    expect(seqs(b, 1)).toEqual([20]);
    expect(seqs(a, 2)).toEqual([21]);
  });

  it('drop = 1 stops a directed link only; clearFaults restores it', async () => {
    const a = await startNode(1);
    const b = await startNode(2);
    connectAll([a, b]);
    a.f.setFaults({ links: [{ from: 1, to: 2, drop: 1 }] });
    for (let i = 0; i < 50; i++) a.f.send(hb(1, 2, i));
    b.f.send(hb(2, 1, 7));
    await waitFor(() => seqs(a, 2).includes(7), 'the other direction');
    expect(peerStats(a, 2).faultDropped).toBe(50);
    a.f.clearFaults();
    a.f.send(hb(1, 2, 50));
    await waitFor(() => b.got.length > 0, 'delivery after clearing');
    // The link is ordered, so had any earlier message gone through it would have come first.
    expect(seqs(b, 1)).toEqual([50]);
  });

  it('delayMs delays delivery and keeps the order of the link; clearFaults releases', async () => {
    const a = await startNode(1);
    const b = await startNode(2);
    connectAll([a, b]);
    a.f.send(hb(1, 2, 100));
    await waitFor(() => b.got.length === 1, 'the connection');
    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 300 }] });
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) a.f.send(hb(1, 2, i));
    expect(peerStats(a, 2).delayed).toBe(5);
    // The delay is lifted, but later messages must not overtake the delayed ones.
    a.f.setFaults({ links: [] });
    for (let i = 5; i < 10; i++) a.f.send(hb(1, 2, i));
    await waitFor(() => b.got.length === 11, 'the delayed messages');
    expect(seqs(b, 1)).toEqual([100, ...range(0, 10)]);
    expect(b.arrivals[1] - t0).toBeGreaterThanOrEqual(290);

    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 60_000 }] });
    a.f.send(hb(1, 2, 10));
    expect(peerStats(a, 2).delayed).toBe(1);
    a.f.clearFaults();
    await waitFor(() => seqs(b, 1).includes(10), 'release on clearFaults');
  });

  it('setPeers removes and re-adds a peer; bad sends and callback exceptions are contained', async () => {
    let calls = 0;
    const a = await startNode(1);
    const b = await startNode(2, {
      onMessage: () => {
        calls++;
        throw new Error('boom');
      },
    });
    connectAll([a, b]);
    a.t.send(hb(1, 2, 1));
    a.t.send(hb(1, 2, 2));
    await waitFor(() => calls === 2, 'both messages despite the throwing handler');
    expect(hasLog(b, /onMessage threw on a heartbeat from node 1: boom/)).toBe(true);
    // Messages the receiver would refuse never leave.
    a.t.send({ ...hb(1, 2, 0), type: 'hup' });
    a.t.send(hb(3, 2, 0));
    expect(peerStats(a, 2).dropped).toBe(2);
    expect(hasLog(a, /refusing to send a hup from 1/)).toBe(true);
    a.t.setPeers(new Map());
    a.t.send(hb(1, 2, 3));
    expect(a.t.stats().unroutable).toBe(1);
    expect(peerStats(a, 2)).toMatchObject({ connected: false, address: undefined });
    await waitFor(() => !peerStats(b, 1).inbound, 'the inbound side noticing');
    a.t.setPeers(addresses([a, b]));
    a.t.send(hb(1, 2, 4));
    await waitFor(() => calls === 3, 'delivery after re-adding');
    expect(peerStats(a, 2).connects).toBe(2);
  });

  it('close leaves no sockets, servers or timers behind', async () => {
    const count = (): number =>
      process
        .getActiveResourcesInfo()
        .filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout').length;
    const before = count();
    const down = await freePort();
    const a = await startNode(1, { handshakeTimeoutMs: 5000 });
    const b = await startNode(2);
    connectAll([a, b]);
    a.t.setPeers(new Map([...addresses([a, b]), [3, { host: HOST, port: down }]]));
    a.f.setFaults({ links: [{ from: 1, to: 2, delayMs: 60_000 }] });
    a.f.send(hb(1, 2, 1));
    const lurker = await rawSocket(a.t.port);
    await waitFor(() => peerStats(b, 1).connected && peerStats(a, 2).inbound, 'connections');
    expect(count()).toBeGreaterThan(before);
    await Promise.all([a.f.close(), b.f.close()]);
    await closed(lurker);
    await waitFor(() => count() <= before, 'resources released');
    // Closing twice is harmless, and a closed transport ignores sends.
    await a.f.close();
    a.f.send(hb(1, 2, 2));
  });
});
