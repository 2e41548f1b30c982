/**
 * The connection handshake: both sides prove they hold the cluster secret without revealing it.
 *
 *   dialer (client)                                   listener (server)
 *   hello     { version, from: c, to: s, nonce: Nc }  ->
 *             <-  challenge { version, from: s, to: c, nonce: Ns, proof: P(server) }
 *   proof     { proof: P(client) }                     ->
 *             <-  welcome
 *
 *   P(role) = HMAC-SHA256(secret, version \n role \n c \n s \n Nc \n Ns), hex-encoded
 *
 * Nonces are 32 fresh random bytes from each side, so a proof is never valid twice; both node
 * ids and the protocol version are bound into it, so a proof made for one pair of nodes (or one
 * direction, or one version) is worthless for any other. Proofs are compared with
 * `timingSafeEqual`. The client checks the server's proof before sending its own, so a
 * stranger listening on a peer's port learns nothing and receives nothing. Either side that
 * refuses says why in a `reject` message (best effort) and closes.
 *
 * The classes here are pure state machines over parsed JSON values: the transport feeds them
 * frames and sends their replies; they never touch a socket or a timer.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NodeId } from '../../raft/index.js';

export const PROTOCOL_VERSION = 'raftboard-transport/1';
export const NONCE_BYTES = 32;
/** No handshake message comes close to this; a larger frame during the handshake is refused. */
export const HANDSHAKE_MAX_FRAME_BYTES = 1024;

export type HandshakeMessage =
  | { kind: 'hello'; version: string; from: NodeId; to: NodeId; nonce: string }
  | { kind: 'challenge'; version: string; from: NodeId; to: NodeId; nonce: string; proof: string }
  | { kind: 'proof'; proof: string }
  | { kind: 'welcome' }
  | { kind: 'reject'; reason: string };

export type HandshakeStep =
  /** Send `reply` and wait for the next frame. */
  | { status: 'continue'; reply: HandshakeMessage }
  /** Authenticated: the connection now carries Raft messages from/to `peer`. */
  | { status: 'done'; peer: NodeId; reply?: HandshakeMessage }
  /** Refused: send `reply` if any (best effort), then close. */
  | { status: 'failed'; reason: string; reply?: HandshakeMessage };

type Role = 'client' | 'server';

const HEX_NONCE = /^[0-9a-f]{64}$/;

/** The MAC one side sends to prove it holds `secret`. */
export function computeProof(
  secret: Uint8Array,
  role: Role,
  clientId: NodeId,
  serverId: NodeId,
  clientNonce: string,
  serverNonce: string,
): Buffer {
  const input = [PROTOCOL_VERSION, role, clientId, serverId, clientNonce, serverNonce].join('\n');
  return createHmac('sha256', secret).update(input, 'utf8').digest();
}

/** Constant-time check of a hex proof received from the other side. */
export function verifyProof(
  secret: Uint8Array,
  role: Role,
  clientId: NodeId,
  serverId: NodeId,
  clientNonce: string,
  serverNonce: string,
  proof: unknown,
): boolean {
  if (typeof proof !== 'string' || !HEX_NONCE.test(proof)) return false;
  const expected = computeProof(secret, role, clientId, serverId, clientNonce, serverNonce);
  const got = Buffer.from(proof, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function freshNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

function isNodeId(v: unknown): v is NodeId {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeKind(v: unknown): string {
  return isRecord(v) && typeof v.kind === 'string'
    ? JSON.stringify(v.kind)
    : 'a non-handshake frame';
}

function fail(reason: string, tellPeer?: string): HandshakeStep {
  return tellPeer === undefined
    ? { status: 'failed', reason }
    : { status: 'failed', reason, reply: { kind: 'reject', reason: tellPeer } };
}

/** A `reject` from the other side, or undefined. */
function rejection(v: unknown): HandshakeStep | undefined {
  if (!isRecord(v) || v.kind !== 'reject') return undefined;
  const why = typeof v.reason === 'string' ? v.reason.slice(0, 200) : 'no reason given';
  return fail(`refused by the other side: ${why}`);
}

function isKind(v: unknown, kind: HandshakeMessage['kind']): v is Record<string, unknown> {
  return isRecord(v) && v.kind === kind;
}

function unexpected(v: unknown, expected: string): HandshakeStep {
  return fail(`expected ${expected}, got ${describeKind(v)}`, 'protocol error');
}

function wrongVersion(version: unknown, tellPeer: string): HandshakeStep {
  return fail(
    `protocol version ${JSON.stringify(version)}, expected ${PROTOCOL_VERSION}`,
    tellPeer,
  );
}

/** Well formed, and not our own nonce echoed back to us (a reflected handshake). */
function isPeerNonce(nonce: unknown, own: string): nonce is string {
  return typeof nonce === 'string' && HEX_NONCE.test(nonce) && nonce !== own;
}

function proofFailed(peer: NodeId): HandshakeStep {
  return fail(
    `node ${peer} failed to prove it holds the cluster secret`,
    'invalid proof (different cluster secret?)',
  );
}

/**
 * What the two sides share: a `reject` ends the handshake in any state, and so does any step
 * that does not continue, so that no later frame is acted on.
 */
abstract class HandshakeSide<State extends string> {
  protected state: State | 'over';

  protected constructor(first: State) {
    this.state = first;
  }

  receive(v: unknown): HandshakeStep {
    const step = rejection(v) ?? this.step(v);
    if (step.status !== 'continue') this.state = 'over';
    return step;
  }

  /** The answer to a frame that is not a `reject`. */
  protected abstract step(v: unknown): HandshakeStep;
}

/** The dialing side of a connection to `peer`. */
export class ClientHandshake extends HandshakeSide<'hello' | 'challenge' | 'welcome'> {
  private readonly nonce = freshNonce();

  constructor(
    private readonly secret: Uint8Array,
    private readonly self: NodeId,
    private readonly peer: NodeId,
  ) {
    super('hello');
  }

  /** The first frame to send. */
  hello(): HandshakeMessage {
    if (this.state !== 'hello') throw new Error('hello() called twice');
    this.state = 'challenge';
    return {
      kind: 'hello',
      version: PROTOCOL_VERSION,
      from: this.self,
      to: this.peer,
      nonce: this.nonce,
    };
  }

  protected step(v: unknown): HandshakeStep {
    if (this.state === 'challenge') {
      if (!isKind(v, 'challenge')) return unexpected(v, 'a challenge');
      if (v.version !== PROTOCOL_VERSION) {
        return wrongVersion(v.version, 'protocol version mismatch');
      }
      if (v.from !== this.peer) {
        return fail(
          `the node at this address says it is ${JSON.stringify(v.from)}, expected ${this.peer}`,
          'wrong node id',
        );
      }
      if (v.to !== this.self) return fail('challenge addressed to another node', 'wrong node id');
      const nonce = v.nonce;
      if (!isPeerNonce(nonce, this.nonce)) {
        return fail('challenge carries an invalid nonce', 'invalid nonce');
      }
      if (!verifyProof(this.secret, 'server', this.self, this.peer, this.nonce, nonce, v.proof)) {
        return proofFailed(this.peer);
      }
      this.state = 'welcome';
      const proof = computeProof(this.secret, 'client', this.self, this.peer, this.nonce, nonce);
      return { status: 'continue', reply: { kind: 'proof', proof: proof.toString('hex') } };
    }
    if (this.state === 'welcome') {
      if (!isKind(v, 'welcome')) return unexpected(v, 'welcome');
      return { status: 'done', peer: this.peer };
    }
    return fail('handshake frame out of turn');
  }
}

/** The listening side: learns who dials from the hello, then checks its proof. */
export class ServerHandshake extends HandshakeSide<'hello' | 'proof'> {
  private readonly nonce = freshNonce();
  private client: NodeId = 0;
  private clientNonce = '';

  /**
   * `admit` may refuse a node id that authenticated fine in principle (e.g. not a cluster
   * member): it returns the reason, or undefined to admit.
   */
  constructor(
    private readonly secret: Uint8Array,
    private readonly self: NodeId,
    private readonly admit: (peer: NodeId) => string | undefined = () => undefined,
  ) {
    super('hello');
  }

  /** The node id the client claimed in its hello (not authenticated until `done`). */
  get claimedPeer(): NodeId | undefined {
    return this.client === 0 ? undefined : this.client;
  }

  protected step(v: unknown): HandshakeStep {
    if (this.state === 'hello') {
      if (!isKind(v, 'hello')) return unexpected(v, 'hello');
      if (v.version !== PROTOCOL_VERSION) {
        return wrongVersion(
          v.version,
          `protocol version mismatch: this node speaks ${PROTOCOL_VERSION}`,
        );
      }
      if (!isNodeId(v.from) || v.from === this.self) {
        return fail(`invalid node id ${JSON.stringify(v.from)} in hello`, 'invalid node id');
      }
      if (v.to !== this.self) {
        return fail(
          `hello addressed to node ${JSON.stringify(v.to)}, this is node ${this.self}`,
          `this is node ${this.self}`,
        );
      }
      if (!isPeerNonce(v.nonce, this.nonce)) {
        return fail('hello carries an invalid nonce', 'invalid nonce');
      }
      const refusedPeer = this.admit(v.from);
      if (refusedPeer !== undefined) return fail(refusedPeer, refusedPeer);
      this.client = v.from;
      this.clientNonce = v.nonce;
      this.state = 'proof';
      const proof = computeProof(
        this.secret,
        'server',
        this.client,
        this.self,
        v.nonce,
        this.nonce,
      );
      return {
        status: 'continue',
        reply: {
          kind: 'challenge',
          version: PROTOCOL_VERSION,
          from: this.self,
          to: this.client,
          nonce: this.nonce,
          proof: proof.toString('hex'),
        },
      };
    }
    if (this.state === 'proof') {
      if (!isKind(v, 'proof')) return unexpected(v, 'proof');
      const ok = verifyProof(
        this.secret,
        'client',
        this.client,
        this.self,
        this.clientNonce,
        this.nonce,
        v.proof,
      );
      if (!ok) return proofFailed(this.client);
      return { status: 'done', peer: this.client, reply: { kind: 'welcome' } };
    }
    return fail('handshake frame out of turn');
  }
}
