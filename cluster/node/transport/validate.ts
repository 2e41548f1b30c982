/**
 * Structural validation of a Raft `Message` received from a peer. The core trusts its input, so
 * nothing reaches it unless every field it may read has the right type: the message type is one
 * that travels between nodes, `from`/`to`/`term` are non-negative integers, `to` is this node,
 * `from` is the peer that authenticated the connection, and the optional fields (entries,
 * snapshot chunk, ...) have the shapes of `cluster/raft/types.ts`.
 *
 * The result is a fresh object holding only the known fields, so whatever else a peer put in the
 * JSON never reaches the core.
 */
import type {
  ConfState,
  Entry,
  Message,
  MessageType,
  NodeId,
  SnapshotChunk,
  SnapshotMetadata,
} from '../../raft/index.js';

/**
 * The message types that travel between nodes. The local ones (hup, beat, checkQuorum,
 * unreachable, prop) are produced by a node's own driver only and are refused from the network,
 * as the core's RawNode does.
 */
export const NETWORK_MESSAGE_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'readIndex',
  'readIndexResp',
  'transferLeader',
  'app',
  'appResp',
  'vote',
  'voteResp',
  'preVote',
  'preVoteResp',
  'snap',
  'snapResp',
  'heartbeat',
  'heartbeatResp',
  'timeoutNow',
]);

export type Validation = { ok: true; message: Message } | { ok: false; reason: string };

/** Who the message must be from and to: the authenticated peer and this node. */
export interface Expected {
  readonly self: NodeId;
  readonly peer: NodeId;
}

class Invalid extends Error {}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function uint(obj: Json, key: string, where: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new Invalid(`${where}${key} must be a non-negative integer`);
  }
  return v;
}

function optUint(obj: Json, key: string, where = ''): number | undefined {
  return obj[key] === undefined ? undefined : uint(obj, key, where);
}

function str(obj: Json, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new Invalid(`${where}${key} must be a string`);
  return v;
}

function optStr(obj: Json, key: string): string | undefined {
  return obj[key] === undefined ? undefined : str(obj, key, '');
}

function optBool(obj: Json, key: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new Invalid(`${key} must be a boolean`);
  return v;
}

function uintArray(obj: Json, key: string, where: string): NodeId[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw new Invalid(`${where}${key} must be an array`);
  return v.map((x: unknown, i) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) {
      throw new Invalid(`${where}${key}[${i}] must be a non-negative integer`);
    }
    return x;
  });
}

function entry(v: unknown, i: number): Entry {
  const where = `entries[${i}].`;
  if (!isObject(v)) throw new Invalid(`entries[${i}] must be an object`);
  const type = v.type;
  if (type !== 'normal' && type !== 'conf') throw new Invalid(`${where}type must be normal|conf`);
  return {
    term: uint(v, 'term', where),
    index: uint(v, 'index', where),
    type,
    data: str(v, 'data', where),
  };
}

function confState(v: unknown, where: string): ConfState {
  if (!isObject(v)) throw new Invalid(`${where}conf must be an object`);
  const at = `${where}conf.`;
  return { voters: uintArray(v, 'voters', at), learners: uintArray(v, 'learners', at) };
}

function metadata(v: unknown): SnapshotMetadata {
  if (!isObject(v)) throw new Invalid('snapshot.metadata must be an object');
  const where = 'snapshot.metadata.';
  return {
    index: uint(v, 'index', where),
    term: uint(v, 'term', where),
    conf: confState(v.conf, where),
  };
}

function snapshotChunk(v: unknown): SnapshotChunk {
  if (!isObject(v)) throw new Invalid('snapshot must be an object');
  const where = 'snapshot.';
  const chunk: SnapshotChunk = {
    metadata: metadata(v.metadata),
    offset: uint(v, 'offset', where),
    data: str(v, 'data', where),
    total: uint(v, 'total', where),
  };
  if (chunk.offset + chunk.data.length > chunk.total) {
    throw new Invalid('snapshot chunk extends past its total length');
  }
  return chunk;
}

/** Checks `value` (parsed JSON) against the Message shape; never throws. */
export function validateMessage(value: unknown, expected: Expected): Validation {
  try {
    return { ok: true, message: toMessage(value, expected) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    throw e;
  }
}

function toMessage(v: unknown, expected: Expected): Message {
  if (!isObject(v)) throw new Invalid('message must be a JSON object');
  const type = v.type;
  if (typeof type !== 'string' || !NETWORK_MESSAGE_TYPES.has(type as MessageType)) {
    throw new Invalid(`type ${JSON.stringify(type)} is not a network message type`);
  }
  const from = uint(v, 'from', '');
  const to = uint(v, 'to', '');
  const term = uint(v, 'term', '');
  if (to !== expected.self) throw new Invalid(`to is ${to}, but this is node ${expected.self}`);
  if (from !== expected.peer) {
    throw new Invalid(`from is ${from}, but the connection authenticated node ${expected.peer}`);
  }
  const m: {
    -readonly [K in keyof Message]: Message[K];
  } = { type: type as MessageType, from, to, term };
  const index = optUint(v, 'index');
  if (index !== undefined) m.index = index;
  const logTerm = optUint(v, 'logTerm');
  if (logTerm !== undefined) m.logTerm = logTerm;
  const commit = optUint(v, 'commit');
  if (commit !== undefined) m.commit = commit;
  const rejectHint = optUint(v, 'rejectHint');
  if (rejectHint !== undefined) m.rejectHint = rejectHint;
  const hintTerm = optUint(v, 'hintTerm');
  if (hintTerm !== undefined) m.hintTerm = hintTerm;
  // Which snapshot a snapResp is about: without them the leader ignores every reply and a
  // snapshot larger than one chunk never completes.
  const snapshotIndex = optUint(v, 'snapshotIndex');
  if (snapshotIndex !== undefined) m.snapshotIndex = snapshotIndex;
  const snapshotTerm = optUint(v, 'snapshotTerm');
  if (snapshotTerm !== undefined) m.snapshotTerm = snapshotTerm;
  const reject = optBool(v, 'reject');
  if (reject !== undefined) m.reject = reject;
  const transfer = optBool(v, 'transfer');
  if (transfer !== undefined) m.transfer = transfer;
  const context = optStr(v, 'context');
  if (context !== undefined) m.context = context;
  if (v.entries !== undefined) {
    if (!Array.isArray(v.entries)) throw new Invalid('entries must be an array');
    m.entries = v.entries.map(entry);
  }
  if (v.snapshot !== undefined) m.snapshot = snapshotChunk(v.snapshot);
  return m;
}
