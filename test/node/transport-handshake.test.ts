import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ClientHandshake,
  PROTOCOL_VERSION,
  ServerHandshake,
  computeProof,
  verifyProof,
  type HandshakeMessage,
  type HandshakeStep,
} from '../../cluster/node/transport/handshake.js';

const secret = randomBytes(32);

function reply(step: HandshakeStep): HandshakeMessage {
  if (!step.reply) throw new Error(`no reply in ${JSON.stringify(step)}`);
  return step.reply;
}

/** Runs a handshake between a client and a server, as JSON over the wire would. */
function run(client: ClientHandshake, server: ServerHandshake) {
  const wire = (m: HandshakeMessage): unknown => JSON.parse(JSON.stringify(m)) as unknown;
  const s1 = server.receive(wire(client.hello()));
  if (s1.status !== 'continue') return { client: undefined, server: s1 };
  const c1 = client.receive(wire(s1.reply));
  if (c1.status !== 'continue') return { client: c1, server: undefined };
  const s2 = server.receive(wire(c1.reply));
  if (!s2.reply) return { client: undefined, server: s2 };
  return { client: client.receive(wire(s2.reply)), server: s2 };
}

describe('handshake', () => {
  it('authenticates both sides holding the same secret', () => {
    const r = run(new ClientHandshake(secret, 1, 2), new ServerHandshake(secret, 2));
    expect(r.server).toEqual({ status: 'done', peer: 1, reply: { kind: 'welcome' } });
    expect(r.client).toEqual({ status: 'done', peer: 2 });
  });

  it('the client refuses a server with another secret before proving anything', () => {
    const r = run(new ClientHandshake(secret, 1, 2), new ServerHandshake(randomBytes(32), 2));
    expect(r.client?.status).toBe('failed');
    if (r.client?.status !== 'failed') return;
    expect(r.client.reason).toMatch(/node 2 failed to prove it holds the cluster secret/);
    expect(r.client.reply).toEqual({ kind: 'reject', reason: expect.stringMatching(/proof/) });
  });

  it('the server refuses a client with another secret', () => {
    const client = new ClientHandshake(randomBytes(32), 1, 2);
    const server = new ServerHandshake(secret, 2);
    const challenge = reply(server.receive(client.hello()));
    // A dishonest client skips checking the server and sends a proof of its own making.
    if (challenge.kind !== 'challenge') throw new Error('expected a challenge');
    const forged = randomBytes(32).toString('hex');
    const step = server.receive({ kind: 'proof', proof: forged });
    expect(step.status).toBe('failed');
    if (step.status === 'failed') expect(step.reason).toMatch(/node 1 failed to prove/);
  });

  it('a proof is bound to the nonces, both ids, the role and the version', () => {
    const nc = randomBytes(32).toString('hex');
    const ns = randomBytes(32).toString('hex');
    const p = computeProof(secret, 'server', 1, 2, nc, ns).toString('hex');
    expect(verifyProof(secret, 'server', 1, 2, nc, ns, p)).toBe(true);
    expect(verifyProof(secret, 'client', 1, 2, nc, ns, p)).toBe(false);
    expect(verifyProof(secret, 'server', 3, 2, nc, ns, p)).toBe(false);
    expect(verifyProof(secret, 'server', 1, 3, nc, ns, p)).toBe(false);
    expect(verifyProof(secret, 'server', 1, 2, ns, nc, p)).toBe(false);
    expect(verifyProof(randomBytes(32), 'server', 1, 2, nc, ns, p)).toBe(false);
    expect(verifyProof(secret, 'server', 1, 2, nc, ns, p.slice(2))).toBe(false);
    expect(verifyProof(secret, 'server', 1, 2, nc, ns, 42)).toBe(false);
    expect(PROTOCOL_VERSION).toMatch(/^raftboard-transport\/\d+$/);
  });

  it('a recorded client proof cannot be replayed on a new connection', () => {
    const client = new ClientHandshake(secret, 1, 2);
    const server = new ServerHandshake(secret, 2);
    const hello = client.hello();
    const proof = reply(client.receive(reply(server.receive(hello))));
    // Replay the recorded hello and proof against a fresh server: its nonce differs.
    const server2 = new ServerHandshake(secret, 2);
    expect(server2.receive(hello).status).toBe('continue');
    const step = server2.receive(proof);
    expect(step.status).toBe('failed');
  });

  it('refuses a wrong version, a wrong target id, a bad nonce, or anything but hello first', () => {
    const server = (): ServerHandshake => new ServerHandshake(secret, 2);
    const hello = new ClientHandshake(secret, 1, 2).hello();
    const fails = (v: unknown, re: RegExp): void => {
      const s = server().receive(v);
      expect(s.status).toBe('failed');
      if (s.status === 'failed') expect(s.reason).toMatch(re);
    };
    fails({ ...hello, version: 'raftboard-transport/0' }, /protocol version/);
    fails({ ...hello, to: 3 }, /this is node 2/);
    fails({ ...hello, from: 2 }, /invalid node id/);
    fails({ ...hello, from: -1 }, /invalid node id/);
    fails({ ...hello, nonce: 'abc' }, /nonce/);
    fails({ type: 'app', from: 1, to: 2, term: 1 }, /expected hello/);
    fails('hello', /expected hello/);
    fails({ kind: 'proof', proof: 'x' }, /expected hello/);
  });

  it('the client refuses a server that claims another id', () => {
    const client = new ClientHandshake(secret, 1, 2);
    const server = new ServerHandshake(secret, 3);
    // The server is node 3: it refuses a hello for node 2.
    const s = server.receive(client.hello());
    expect(s.status).toBe('failed');
    expect(s.reply).toEqual({ kind: 'reject', reason: 'this is node 3' });
    const c = client.receive(s.reply);
    expect(c.status).toBe('failed');
    if (c.status === 'failed')
      expect(c.reason).toMatch(/refused by the other side: this is node 3/);
  });

  it('an admit hook can refuse a node', () => {
    const server = new ServerHandshake(secret, 2, (id) => (id === 1 ? 'not a member' : undefined));
    const s = server.receive(new ClientHandshake(secret, 1, 2).hello());
    expect(s).toEqual({
      status: 'failed',
      reason: 'not a member',
      reply: { kind: 'reject', reason: 'not a member' },
    });
  });
});
