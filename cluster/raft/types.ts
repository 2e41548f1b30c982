/**
 * The vocabulary of the Raft core: log entries, messages, persistent state and the
 * Ready batch the core hands to whoever drives it (the simulator or a real node process).
 *
 * Everything here is plain data (numbers, strings, arrays) so a message can be encoded
 * as JSON by the transport without any custom codec.
 */

export type NodeId = number;

/** Sentinel for "no node" (no vote, no leader). Node ids start at 1. */
export const NONE: NodeId = 0;

/**
 * `normal` carries an application command (or nothing: the leader's no-op at the start of
 * its term has empty data). `conf` carries a JSON-encoded {@link ConfChange}.
 */
export type EntryType = 'normal' | 'conf';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque to the core. The size of a message counts `data.length`. */
  readonly data: string;
}

/** What survives a crash besides the log: the paper's currentTerm and votedFor, plus commit. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

/** Voters decide elections and commitment; learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export type ConfChangeType = 'addLearner' | 'promote' | 'remove';

/** One single-server membership change (Raft thesis §4.1); one may be pending at a time. */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque to the core: e.g. the new node's address, for the application to record. */
  readonly context?: string;
}

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

/** The application's state at `metadata.index`, serialized by the application. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: string;
}

export type MessageType =
  // Local only: never sent over the network.
  | 'hup' // start an election (campaign) now
  | 'beat' // the leader should broadcast heartbeats now
  | 'checkQuorum' // the leader should check it heard from a quorum
  | 'unreachable' // the transport reports a peer unreachable
  // Client traffic: may be local or forwarded by a follower to the leader.
  | 'prop'
  | 'readIndex'
  | 'readIndexResp'
  | 'transferLeader'
  // Peer RPCs.
  | 'app'
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'snap'
  | 'snapResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'timeoutNow';

/** One chunk of an InstallSnapshot transfer (Raft paper §7, Figure 13). */
export interface SnapshotChunk {
  readonly metadata: SnapshotMetadata;
  /** Byte offset (in characters of `Snapshot.data`) of this chunk. */
  readonly offset: number;
  readonly data: string;
  /** Total length of the snapshot data, so the receiver knows when it is done. */
  readonly total: number;
}

/**
 * A single message type with optional fields, as in etcd-io/raft: simple to encode, and
 * each handler reads only the fields its type defines.
 */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  /** app: the index preceding `entries`; appResp: the index acknowledged or rejected. */
  readonly index?: number;
  /** app: the term at `index` (prevLogTerm); vote/preVote: the candidate's last log term. */
  readonly logTerm?: number;
  readonly entries?: readonly Entry[];
  /** app/heartbeat: the leader's commit index. */
  readonly commit?: number;
  /** Responses: the request was refused. */
  readonly reject?: boolean;
  /**
   * appResp with reject: the follower's hint for fast backtracking (Raft thesis §5.3, etcd's
   * findConflictByTerm): its last index not greater than the probed one, and that entry's term.
   */
  readonly rejectHint?: number;
  readonly hintTerm?: number;
  readonly snapshot?: SnapshotChunk;
  /**
   * snapResp: which snapshot (index and term) the offset in `index` is about, so an answer left
   * over from an earlier transfer is never taken for progress on the current one.
   */
  readonly snapshotIndex?: number;
  readonly snapshotTerm?: number;
  /** readIndex/heartbeat: the read request context echoed back to match responses. */
  readonly context?: string;
  /** vote/preVote sent on a leadership transfer: bypasses leader stickiness. */
  readonly transfer?: boolean;
}

/** A read request that may be served once the node's applied index reaches `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

/**
 * A batch of work for the caller, in this order (etcd-io/raft's Ready contract):
 *  1. persist `snapshot` (if any), then `entries`, then `hardState` (if any) — atomically enough
 *     that a crash keeps a prefix, and fsync'ed;
 *  2. only then send `messages`: a vote or an append acknowledgement must never leave before the
 *     state it promises is durable;
 *  3. apply `snapshot` then `committedEntries` to the state machine, serve `readStates`;
 *  4. call `advance()`.
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state that the UI and the driver like to know about; not persisted. */
export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export interface ProgressStatus {
  readonly id: NodeId;
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly learner: boolean;
  readonly recentActive: boolean;
  readonly inflight: number;
}

/** A point-in-time picture of one core for the control room. */
export interface Status {
  readonly id: NodeId;
  readonly role: Role;
  readonly isLearner: boolean;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly conf: ConfState;
  /** Ticks since the last reset of the election timer, and the randomized timeout in ticks. */
  readonly electionElapsed: number;
  readonly electionTimeout: number;
  readonly leadTransferee: NodeId;
  /** Only on the leader: one entry per peer (not itself). */
  readonly progress: readonly ProgressStatus[];
}

/** A deterministic source of randomness injected by the caller (the core never uses Math.random). */
export interface Rng {
  /** An integer in [0, n). */
  int(n: number): number;
}

export interface Config {
  readonly id: NodeId;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [t, 2t)). */
  readonly electionTick: number;
  /** Ticks between a leader's heartbeats. Must be less than electionTick. */
  readonly heartbeatTick: number;
  /** Max entries in one append message. */
  readonly maxEntriesPerMsg: number;
  /** Max bytes (sum of entry data lengths) in one append message; one entry is always allowed. */
  readonly maxBytesPerMsg: number;
  /** Max unacknowledged append messages to one follower in replicate state (pipelining window). */
  readonly maxInflightMsgs: number;
  /** Max characters of snapshot data per InstallSnapshot chunk. */
  readonly snapshotChunkSize: number;
  /** Campaign with a pre-vote round first (Raft thesis §9.6). */
  readonly preVote: boolean;
  /** A leader steps down if it did not hear from a quorum within an election timeout. */
  readonly checkQuorum: boolean;
  /** The applied index when restarting (entries up to it are not handed out again). */
  readonly applied?: number;
  readonly rng: Rng;
}

export const DEFAULT_CONFIG: Omit<Config, 'id' | 'rng'> = {
  electionTick: 10,
  heartbeatTick: 1,
  maxEntriesPerMsg: 256,
  maxBytesPerMsg: 1 << 20,
  maxInflightMsgs: 64,
  snapshotChunkSize: 256 * 1024,
  preVote: true,
  checkQuorum: true,
};

/** Why a proposal or request was refused right away (it may still be lost later). */
export class ProposalDropped extends Error {
  constructor(reason: string) {
    super(`proposal dropped: ${reason}`);
    this.name = 'ProposalDropped';
  }
}
