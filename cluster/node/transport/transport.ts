/**
 * The peer transport of a node process: Raft messages over TCP (see README.md in this folder).
 *
 * Connection model (like etcd's streams): this node dials one outbound connection per peer and
 * sends only on it; connections that peers dial to us only receive. There is never a question of
 * which of two connections to use, and no duplicate-connection race.
 *
 * Nothing a peer sends can make this class throw or stop the process: a bad frame, a failed
 * handshake or a timeout closes that one connection, is logged with the reason and is counted in
 * `stats()`. `send` never blocks and never throws for network reasons: each peer has a bounded
 * queue, and when it is full the oldest messages are dropped (Raft tolerates loss).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Message, NodeId } from '../../raft/index.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  FrameError,
  decodeJson,
  encodeFrame,
  encodeJsonFrame,
} from './codec.js';
import {
  ClientHandshake,
  HANDSHAKE_MAX_FRAME_BYTES,
  ServerHandshake,
  type HandshakeMessage,
} from './handshake.js';
import { NETWORK_MESSAGE_TYPES, validateMessage } from './validate.js';
import type { PeerAddress, PeerTransport, TransportHandlers } from './peer-transport.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type { PeerAddress } from './peer-transport.js';

export interface TcpTransportOptions extends TransportHandlers {
  /** This node's id (a positive integer). */
  readonly id: NodeId;
  /** Address to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one (read it from `port` after `start`). */
  readonly port: number;
  /** Where to dial each peer. An entry for this node's own id is ignored. */
  readonly peers: ReadonlyMap<NodeId, PeerAddress>;
  /** The cluster secret (see secret.ts). */
  readonly secret: Uint8Array;
  /** Largest frame payload sent or accepted. Default 4 MiB; must match on every node. */
  readonly maxFrameBytes?: number;
  /** A connection must complete its handshake within this time. Default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** First reconnect delay. Default 20 ms. */
  readonly backoffBaseMs?: number;
  /** Largest reconnect delay; about 4 heartbeat intervals. Default 400 ms. */
  readonly backoffCapMs?: number;
  /** Per-peer outbound queue bound, in messages. Default 4096. */
  readonly maxQueueMessages?: number;
  /** Per-peer outbound queue bound, in bytes. Default 16 MiB. */
  readonly maxQueueBytes?: number;
  /** Inbound connections still in their handshake at once; more are refused. Default 64. */
  readonly maxPendingHandshakes?: number;
  readonly log?: (level: LogLevel, msg: string) => void;
  /** Source of randomness for the backoff jitter. Default Math.random. */
  readonly random?: () => number;
}

export interface TcpPeerStats {
  readonly id: NodeId;
  /** host:port we dial, if this is a configured peer. */
  readonly address: string | undefined;
  /** The outbound connection is authenticated and open. */
  readonly connected: boolean;
  /** An authenticated inbound connection from this peer is open. */
  readonly inbound: boolean;
  /** Messages (and their bytes) waiting in the outbound queue. */
  readonly queued: number;
  readonly queuedBytes: number;
  /** Messages written to the outbound connection. */
  readonly sent: number;
  /** Valid messages received from this peer and handed to `onMessage`. */
  readonly received: number;
  /** Messages dropped by the transport: queue overflow, oversized, peer removed, closing. */
  readonly dropped: number;
  /** Authenticated connections from this peer closed for a bad frame or invalid message. */
  readonly badFrames: number;
  /** Outbound handshakes with this peer that failed (refused, bad proof, timeout, bad frame). */
  readonly handshakeFailures: number;
  /** Outbound connection attempts that did not reach the handshake (refused, unreachable). */
  readonly connectFailures: number;
  /** Outbound connections established (handshake completed). */
  readonly connects: number;
}

export interface TcpTransportStats {
  readonly peers: TcpPeerStats[];
  /** Inbound connections closed before authenticating: the peer id is unknown or unproven. */
  readonly unauthenticated: { readonly handshakeFailures: number; readonly badFrames: number };
  /** Messages handed to `send` for an id with no known address (or this node's own id). */
  readonly unroutable: number;
}

interface Counters {
  sent: number;
  received: number;
  dropped: number;
  badFrames: number;
  handshakeFailures: number;
  connectFailures: number;
  connects: number;
}

interface OutConn {
  readonly socket: Socket;
  readonly decoder: FrameDecoder;
  readonly handshake: ClientHandshake;
  state: 'connecting' | 'handshaking' | 'open' | 'dead';
  timer: NodeJS.Timeout | undefined;
}

interface Peer {
  readonly id: NodeId;
  address: PeerAddress;
  queue: Buffer[];
  queuedBytes: number;
  conn: OutConn | undefined;
  attempt: number;
  retryTimer: NodeJS.Timeout | undefined;
  flushScheduled: boolean;
  /** Unreachable was reported (and connection failures logged) since the last connect. */
  failing: boolean;
  overflowLogged: boolean;
  removed: boolean;
}

interface InConn {
  readonly socket: Socket;
  readonly remote: string;
  readonly decoder: FrameDecoder;
  readonly handshake: ServerHandshake;
  peer: NodeId | undefined;
  dead: boolean;
  timer: NodeJS.Timeout | undefined;
}

type OutFailure = 'connect' | 'handshake' | 'frame' | 'closed' | 'local';
type InFailure = 'handshake' | 'frame' | 'closed' | 'replaced';

const DEFAULTS = {
  host: '127.0.0.1',
  handshakeTimeoutMs: 5000,
  backoffBaseMs: 20,
  backoffCapMs: 400,
  maxQueueMessages: 4096,
  maxQueueBytes: 16 * 1024 * 1024,
  maxPendingHandshakes: 64,
};

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** How a failure of an outbound connection counts, by how far it got. */
function phase(conn: OutConn): OutFailure {
  if (conn.state === 'connecting') return 'connect';
  return conn.state === 'open' ? 'closed' : 'handshake';
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be positive, got ${v}`);
  return v;
}

/**
 * Receives with `onMessage` (exceptions are logged, not thrown) and reports a failed connection
 * with `onUnreachable` (once until it connects again). Injected faults are not its business:
 * wrap it in a FaultyTransport (fault-decorator.ts).
 */
export class TcpTransport implements PeerTransport {
  readonly id: NodeId;
  private readonly host: string;
  private listenPort: number;
  private readonly secret: Uint8Array;
  private readonly maxFrameBytes: number;
  private readonly handshakeTimeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly maxQueueMessages: number;
  private readonly maxQueueBytes: number;
  private readonly maxPendingHandshakes: number;
  private readonly onMessage: (m: Message) => void;
  private readonly onUnreachable: ((id: NodeId) => void) | undefined;
  private readonly logFn: ((level: LogLevel, msg: string) => void) | undefined;
  private readonly random: () => number;

  private readonly peers = new Map<NodeId, Peer>();
  private readonly counters = new Map<NodeId, Counters>();
  private readonly inboundByPeer = new Map<NodeId, InConn>();
  private readonly inbound = new Set<InConn>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private pendingHandshakes = 0;
  private unauthHandshakeFailures = 0;
  private unauthBadFrames = 0;
  private unroutable = 0;
  private state: 'new' | 'starting' | 'running' | 'closed' = 'new';

  constructor(opts: TcpTransportOptions) {
    if (!Number.isSafeInteger(opts.id) || opts.id <= 0) {
      throw new RangeError(`node id must be a positive integer, got ${opts.id}`);
    }
    if (opts.secret.length === 0) throw new RangeError('the cluster secret is empty');
    this.id = opts.id;
    this.host = opts.host ?? DEFAULTS.host;
    this.listenPort = opts.port;
    this.secret = Uint8Array.from(opts.secret);
    this.maxFrameBytes = positive('maxFrameBytes', opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.handshakeTimeoutMs = positive(
      'handshakeTimeoutMs',
      opts.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
    );
    this.backoffBaseMs = positive('backoffBaseMs', opts.backoffBaseMs ?? DEFAULTS.backoffBaseMs);
    this.backoffCapMs = Math.max(
      this.backoffBaseMs,
      positive('backoffCapMs', opts.backoffCapMs ?? DEFAULTS.backoffCapMs),
    );
    this.maxQueueMessages = positive(
      'maxQueueMessages',
      opts.maxQueueMessages ?? DEFAULTS.maxQueueMessages,
    );
    this.maxQueueBytes = positive('maxQueueBytes', opts.maxQueueBytes ?? DEFAULTS.maxQueueBytes);
    this.maxPendingHandshakes = positive(
      'maxPendingHandshakes',
      opts.maxPendingHandshakes ?? DEFAULTS.maxPendingHandshakes,
    );
    this.onMessage = opts.onMessage;
    this.onUnreachable = opts.onUnreachable;
    this.logFn = opts.log;
    this.random = opts.random ?? Math.random;
    this.applyPeers(opts.peers);
  }

  /** The port listened on (the chosen one once `start` resolved, if 0 was asked). */
  get port(): number {
    return this.listenPort;
  }

  /** Listens on host:port, then dials every peer. Rejects if the port cannot be bound. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`transport already ${this.state}`);
    this.state = 'starting';
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    server.on('error', (e) => this.log('error', `listener: ${errorText(e)}`));
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      server.once('error', onError);
      server.listen(this.listenPort, this.host, () => {
        server.off('error', onError);
        resolve();
      });
    }).catch((e: unknown) => {
      this.state = 'closed';
      this.server = undefined;
      throw e;
    });
    const addr = server.address();
    if (addr !== null && typeof addr === 'object') this.listenPort = addr.port;
    if (this.state !== 'starting') return; // closed while starting
    this.state = 'running';
    this.log('info', `listening on ${this.host}:${this.listenPort}`);
    for (const peer of this.peers.values()) this.dial(peer);
  }

  /**
   * Queues `m` for `m.to`. Never blocks, never throws: a message that cannot be sent (unknown
   * peer, full queue, over the frame limit) is dropped and counted.
   */
  send(m: Message): void {
    if (this.state === 'closed') return;
    const peer = this.peers.get(m.to);
    if (!peer) {
      this.unroutable++;
      this.log('debug', `no address for node ${m.to}: ${m.type} dropped`);
      return;
    }
    const c = this.countersOf(peer.id);
    // The receiver would refuse these and close the connection, losing what follows.
    if (m.from !== this.id || !NETWORK_MESSAGE_TYPES.has(m.type)) {
      c.dropped++;
      this.log(
        'error',
        `refusing to send a ${m.type} from ${m.from}: not a message for the network`,
      );
      return;
    }
    let payload: Buffer;
    try {
      payload = Buffer.from(JSON.stringify(m), 'utf8');
    } catch (e) {
      c.dropped++;
      this.log('error', `cannot encode a ${m.type} for node ${peer.id}: ${errorText(e)}`);
      return;
    }
    if (payload.length > this.maxFrameBytes) {
      c.dropped++;
      this.log(
        'error',
        `${m.type} for node ${peer.id} is ${payload.length} bytes, over the frame limit of ` +
          `${this.maxFrameBytes}: dropped`,
      );
      return;
    }
    this.enqueue(peer, encodeFrame(payload));
  }

  /**
   * Replaces the peer address book (membership changes): new peers are dialed, removed ones are
   * disconnected and their queues dropped, a changed address is redialed.
   */
  setPeers(peers: ReadonlyMap<NodeId, PeerAddress>): void {
    if (this.state === 'closed') return;
    this.applyPeers(peers);
  }

  stats(): TcpTransportStats {
    const ids = new Set<NodeId>([...this.peers.keys(), ...this.counters.keys()]);
    const peers = [...ids]
      .sort((a, b) => a - b)
      .map((id): TcpPeerStats => {
        const p = this.peers.get(id);
        const c = this.countersOf(id);
        return {
          id,
          address: p ? `${p.address.host}:${p.address.port}` : undefined,
          connected: p?.conn?.state === 'open',
          inbound: this.inboundByPeer.has(id),
          queued: p?.queue.length ?? 0,
          queuedBytes: p?.queuedBytes ?? 0,
          ...c,
        };
      });
    return {
      peers,
      unauthenticated: {
        handshakeFailures: this.unauthHandshakeFailures,
        badFrames: this.unauthBadFrames,
      },
      unroutable: this.unroutable,
    };
  }

  /** Closes the listener and every connection, drops the queues, stops every timer. */
  async close(): Promise<void> {
    this.state = 'closed';
    for (const peer of this.peers.values()) this.retire(peer);
    const waits: Promise<void>[] = [];
    const server = this.server;
    this.server = undefined;
    if (server) waits.push(new Promise<void>((resolve) => server.close(() => resolve())));
    for (const conn of this.inbound) this.dropIn(conn, 'transport closed', 'closed');
    // Sockets leave this set on 'close', so each one left still has its 'close' to come.
    for (const socket of this.sockets) {
      waits.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
      socket.destroy();
    }
    await Promise.all(waits);
    this.sockets.clear();
  }

  // ---- outbound ----

  private applyPeers(peers: ReadonlyMap<NodeId, PeerAddress>): void {
    for (const [id, peer] of this.peers) {
      if (!peers.has(id) || id === this.id) {
        this.retire(peer);
        this.peers.delete(id);
        this.log('info', `node ${id} removed from the peers`);
      }
    }
    for (const [id, address] of peers) {
      if (id === this.id) continue;
      if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`invalid peer id ${id}`);
      const addr = { host: address.host, port: address.port };
      const existing = this.peers.get(id);
      if (existing) {
        if (existing.address.host === addr.host && existing.address.port === addr.port) continue;
        this.log('info', `node ${id} moved to ${addr.host}:${addr.port}`);
        existing.address = addr;
        this.disconnectOut(existing);
        existing.attempt = 0;
        this.dial(existing);
        continue;
      }
      const peer: Peer = {
        id,
        address: addr,
        queue: [],
        queuedBytes: 0,
        conn: undefined,
        attempt: 0,
        retryTimer: undefined,
        flushScheduled: false,
        failing: false,
        overflowLogged: false,
        removed: false,
      };
      this.peers.set(id, peer);
      this.countersOf(id);
      this.dial(peer);
    }
  }

  /** Stops everything about an outbound peer: connection, timers, queues (counted as dropped). */
  private retire(peer: Peer): void {
    peer.removed = true;
    this.disconnectOut(peer);
    const c = this.countersOf(peer.id);
    c.dropped += peer.queue.length;
    peer.queue = [];
    peer.queuedBytes = 0;
  }

  /** Closes the current outbound connection (or attempt) and cancels a planned retry. */
  private disconnectOut(peer: Peer): void {
    if (peer.retryTimer) clearTimeout(peer.retryTimer);
    peer.retryTimer = undefined;
    if (peer.conn) this.failOut(peer, peer.conn, 'closed locally', 'local');
  }

  private dial(peer: Peer): void {
    if (this.state !== 'running' || peer.removed || peer.conn || peer.retryTimer) return;
    const { host, port } = peer.address;
    const socket = connect({ host, port, noDelay: true });
    this.track(socket);
    const conn: OutConn = {
      socket,
      decoder: new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES),
      handshake: new ClientHandshake(this.secret, this.id, peer.id),
      state: 'connecting',
      timer: undefined,
    };
    peer.conn = conn;
    conn.timer = setTimeout(
      () =>
        this.failOut(
          peer,
          conn,
          `no complete handshake within ${this.handshakeTimeoutMs} ms`,
          phase(conn),
        ),
      this.handshakeTimeoutMs,
    );
    socket.on('connect', () => {
      if (conn.state !== 'connecting') return;
      conn.state = 'handshaking';
      socket.setKeepAlive(true, 10_000);
      socket.write(encodeJsonFrame(conn.handshake.hello()));
    });
    socket.on('data', (chunk: Buffer) => this.onOutData(peer, conn, chunk));
    socket.on('drain', () => this.flush(peer));
    socket.on('error', (e) => this.failOut(peer, conn, errorText(e), phase(conn)));
    socket.on('close', () =>
      this.failOut(peer, conn, 'connection closed by the other side', phase(conn)),
    );
  }

  private onOutData(peer: Peer, conn: OutConn, chunk: Buffer): void {
    if (conn.state === 'dead') return;
    try {
      conn.decoder.push(chunk);
      for (let p = conn.decoder.next(); p; p = conn.decoder.next()) {
        if (conn.state !== 'handshaking') {
          this.failOut(peer, conn, 'unexpected data on an outbound connection', 'frame');
          return;
        }
        const step = conn.handshake.receive(decodeJson(p));
        if (step.reply) this.writeReply(conn.socket, step.reply);
        if (step.status === 'failed') {
          this.failOut(peer, conn, `handshake failed: ${step.reason}`, 'handshake');
          return;
        }
        if (step.status === 'done') this.opened(peer, conn);
      }
    } catch (e) {
      this.failOut(
        peer,
        conn,
        `bad frame: ${errorText(e)}`,
        conn.state === 'open' ? 'frame' : 'handshake',
      );
    }
  }

  private opened(peer: Peer, conn: OutConn): void {
    conn.state = 'open';
    if (conn.timer) clearTimeout(conn.timer);
    conn.timer = undefined;
    peer.attempt = 0;
    peer.failing = false;
    peer.overflowLogged = false;
    this.countersOf(peer.id).connects++;
    this.log('info', `connected to node ${peer.id} at ${peer.address.host}:${peer.address.port}`);
    this.flush(peer);
  }

  private failOut(peer: Peer, conn: OutConn, reason: string, kind: OutFailure): void {
    if (conn.state === 'dead') return;
    const wasOpen = conn.state === 'open';
    conn.state = 'dead';
    if (conn.timer) clearTimeout(conn.timer);
    conn.timer = undefined;
    conn.socket.destroy();
    if (peer.conn === conn) peer.conn = undefined;
    if (kind === 'local' || this.state === 'closed' || peer.removed) return;
    const c = this.countersOf(peer.id);
    if (kind === 'connect') c.connectFailures++;
    else if (kind === 'handshake') c.handshakeFailures++;
    else if (kind === 'frame') c.badFrames++;
    const where = `node ${peer.id} at ${peer.address.host}:${peer.address.port}`;
    if (wasOpen) this.log('warn', `lost connection to ${where}: ${reason}`);
    else if (kind === 'connect') {
      this.log(peer.failing ? 'debug' : 'warn', `cannot connect to ${where}: ${reason}`);
    } else this.log('warn', `connection to ${where} refused: ${reason}`);
    if (!peer.failing) {
      peer.failing = true;
      this.reportUnreachable(peer.id);
    }
    this.scheduleRetry(peer);
  }

  private scheduleRetry(peer: Peer): void {
    if (this.state !== 'running' || peer.removed || peer.retryTimer) return;
    const ceiling = Math.min(
      this.backoffCapMs,
      this.backoffBaseMs * 2 ** Math.min(peer.attempt, 30),
    );
    peer.attempt++;
    // "Equal jitter": between half the ceiling and the ceiling.
    const delay = ceiling / 2 + (this.random() * ceiling) / 2;
    peer.retryTimer = setTimeout(() => {
      peer.retryTimer = undefined;
      this.dial(peer);
    }, delay);
  }

  private reportUnreachable(id: NodeId): void {
    if (!this.onUnreachable) return;
    try {
      this.onUnreachable(id);
    } catch (e) {
      this.log('error', `onUnreachable(${id}) threw: ${errorText(e)}`);
    }
  }

  private enqueue(peer: Peer, frame: Buffer): void {
    const c = this.countersOf(peer.id);
    if (frame.length > this.maxQueueBytes) {
      c.dropped++;
      this.log('warn', `a ${frame.length}-byte message for node ${peer.id} exceeds the queue`);
      return;
    }
    let evicted = 0;
    while (
      peer.queue.length > 0 &&
      (peer.queue.length >= this.maxQueueMessages ||
        peer.queuedBytes + frame.length > this.maxQueueBytes)
    ) {
      const old = peer.queue.shift();
      if (old) peer.queuedBytes -= old.length;
      evicted++;
    }
    if (evicted > 0) {
      c.dropped += evicted;
      if (!peer.overflowLogged) {
        peer.overflowLogged = true;
        this.log('warn', `queue for node ${peer.id} is full: dropping its oldest messages`);
      }
    }
    peer.queue.push(frame);
    peer.queuedBytes += frame.length;
    if (!peer.flushScheduled) {
      peer.flushScheduled = true;
      // Messages sent in the same tick (one Ready) go out in one write.
      queueMicrotask(() => {
        peer.flushScheduled = false;
        this.flush(peer);
      });
    }
  }

  /** Writes queued frames until the queue is empty or the socket asks to wait for 'drain'. */
  private flush(peer: Peer): void {
    const conn = peer.conn;
    if (!conn || conn.state !== 'open' || peer.queue.length === 0) return;
    const socket = conn.socket;
    if (socket.writableNeedDrain) return;
    const c = this.countersOf(peer.id);
    socket.cork();
    try {
      while (peer.queue.length > 0) {
        const frame = peer.queue.shift();
        if (!frame) break;
        peer.queuedBytes -= frame.length;
        c.sent++;
        if (!socket.write(frame)) break;
      }
    } finally {
      socket.uncork();
    }
  }

  // ---- inbound ----

  private accept(socket: Socket): void {
    this.track(socket);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (this.state === 'closed') {
      socket.destroy();
      return;
    }
    if (this.pendingHandshakes >= this.maxPendingHandshakes) {
      this.unauthHandshakeFailures++;
      this.log('warn', `inbound ${remote}: too many pending handshakes, refused`);
      socket.destroy();
      return;
    }
    this.pendingHandshakes++;
    const conn: InConn = {
      socket,
      remote,
      decoder: new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES),
      handshake: new ServerHandshake(this.secret, this.id),
      peer: undefined,
      dead: false,
      timer: undefined,
    };
    this.inbound.add(conn);
    conn.timer = setTimeout(
      () =>
        this.dropIn(
          conn,
          `no complete handshake within ${this.handshakeTimeoutMs} ms`,
          'handshake',
        ),
      this.handshakeTimeoutMs,
    );
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => this.onInData(conn, chunk));
    socket.on('error', (e) => this.dropIn(conn, errorText(e), 'closed'));
    socket.on('close', () =>
      this.dropIn(
        conn,
        conn.decoder.midFrame ? 'closed in the middle of a frame' : 'closed by the other side',
        'closed',
      ),
    );
  }

  private onInData(conn: InConn, chunk: Buffer): void {
    if (conn.dead) return;
    try {
      conn.decoder.push(chunk);
      for (let p = conn.decoder.next(); p && !conn.dead; p = conn.decoder.next()) {
        this.onInFrame(conn, p);
      }
    } catch (e) {
      if (!(e instanceof FrameError)) this.log('error', `inbound ${conn.remote}: ${errorText(e)}`);
      this.dropIn(conn, `bad frame: ${errorText(e)}`, 'frame');
    }
  }

  private onInFrame(conn: InConn, payload: Buffer): void {
    const value = decodeJson(payload);
    const peer = conn.peer;
    if (peer === undefined) {
      const step = conn.handshake.receive(value);
      if (step.reply) this.writeReply(conn.socket, step.reply);
      if (step.status === 'failed')
        this.dropIn(conn, `handshake failed: ${step.reason}`, 'handshake');
      else if (step.status === 'done') this.authenticated(conn, step.peer);
      return;
    }
    const v = validateMessage(value, { self: this.id, peer });
    if (!v.ok) {
      this.dropIn(conn, `invalid message: ${v.reason}`, 'frame');
      return;
    }
    this.countersOf(peer).received++;
    try {
      this.onMessage(v.message);
    } catch (e) {
      this.log(
        'error',
        `onMessage threw on a ${v.message.type} from node ${peer}: ${errorText(e)}`,
      );
    }
  }

  private authenticated(conn: InConn, peer: NodeId): void {
    conn.peer = peer;
    this.pendingHandshakes--;
    if (conn.timer) clearTimeout(conn.timer);
    conn.timer = undefined;
    conn.decoder.maxFrameBytes = this.maxFrameBytes;
    this.countersOf(peer);
    const previous = this.inboundByPeer.get(peer);
    this.inboundByPeer.set(peer, conn);
    if (previous) this.dropIn(previous, 'replaced by a newer connection', 'replaced');
    this.log('info', `inbound connection from node ${peer} (${conn.remote}) authenticated`);
  }

  private dropIn(conn: InConn, reason: string, kind: InFailure): void {
    if (conn.dead) return;
    conn.dead = true;
    if (conn.timer) clearTimeout(conn.timer);
    conn.timer = undefined;
    this.inbound.delete(conn);
    if (conn.peer === undefined) this.pendingHandshakes--;
    else if (this.inboundByPeer.get(conn.peer) === conn) this.inboundByPeer.delete(conn.peer);
    conn.socket.destroy();
    if (this.state === 'closed') return;
    const who =
      conn.peer !== undefined
        ? `node ${conn.peer} (${conn.remote})`
        : `${conn.remote}${conn.handshake.claimedPeer ? ` (claims node ${conn.handshake.claimedPeer})` : ''}`;
    if (conn.peer !== undefined) {
      if (kind === 'frame') {
        this.countersOf(conn.peer).badFrames++;
        this.log('warn', `inbound from ${who} closed: ${reason}`);
      } else {
        this.log('info', `inbound from ${who} closed: ${reason}`);
      }
      return;
    }
    if (kind === 'frame') this.unauthBadFrames++;
    else this.unauthHandshakeFailures++;
    this.log('warn', `inbound from ${who} refused before authenticating: ${reason}`);
  }

  // ---- helpers ----

  /**
   * Writes a handshake reply. A reject is followed at once by closing the socket, so it is best
   * effort: it usually reaches the kernel before the close, which is all a diagnostic needs.
   */
  private writeReply(socket: Socket, reply: HandshakeMessage): void {
    if (socket.destroyed || socket.writableEnded) return;
    socket.write(encodeJsonFrame(reply));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private countersOf(id: NodeId): Counters {
    let c = this.counters.get(id);
    if (!c) {
      c = {
        sent: 0,
        received: 0,
        dropped: 0,
        badFrames: 0,
        handshakeFailures: 0,
        connectFailures: 0,
        connects: 0,
      };
      this.counters.set(id, c);
    }
    return c;
  }

  private log(level: LogLevel, msg: string): void {
    if (!this.logFn) return;
    try {
      this.logFn(level, msg);
    } catch (_e) {
      // A broken logger must not break the transport.
    }
  }
}
