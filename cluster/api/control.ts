/**
 * The control API's contract (docs/contract.md §3): what `GET /api/cluster` answers, the bodies of the
 * fault endpoints, and the events of `GET /api/events`. The supervisor produces these; the
 * Electron IPC layer, the renderer and the tests consume them.
 */
import type { LogTermRun, MySqlStatus } from './node.js';

/** docs/contract.md §3's roles; a node in PreVote shows as `candidate`. */
export type ClusterRole = 'leader' | 'follower' | 'candidate' | 'learner';

/**
 * The node process: `starting` (forked, not listening yet), `running`, `paused` (SIGSTOP),
 * `stopped` (asked to stop, or killed on purpose), `crashed` (exited on its own; never restarted
 * behind the user's back).
 */
export type NodeProcessStatus = 'starting' | 'running' | 'paused' | 'stopped' | 'crashed';

export type MySqlMode = 'managed' | 'docker' | 'external';

/**
 * The MySQL server as the supervisor runs it; `external` servers are the user's. `paused`: the
 * supervisor froze it on purpose (`POST /api/nodes/:id/mysql/pause`: SIGSTOP of the managed
 * mariadbd, `docker pause` of the container) and it answers nothing until resumed.
 */
export type MySqlServerState =
  'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'crashed' | 'external';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** True when the supervisor caused it (stop, kill, restart, remove). */
  readonly expected: boolean;
  readonly at: string;
}

export interface ClusterNode {
  readonly id: number;
  readonly role: ClusterRole;
  readonly status: NodeProcessStatus;
  readonly term: number;
  readonly votedFor: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastLogIndex: number;
  readonly snapshotIndex: number;
  /** The terms of the node's newest log entries, as runs (NodeStatus.logTerms); [] when unknown. */
  readonly logTerms: readonly LogTermRun[];
  readonly clientUrl: string;
  readonly mysql: {
    readonly mode: MySqlMode;
    /**
     * `up`/`connecting`/`stalled`/`down` as the node sees its database; `down` whenever the
     * server is stopped or crashed, even before the node notices. A paused server shows in
     * `server`; `status` stays the node's own view (`stalled` once it notices).
     */
    readonly status: MySqlStatus;
    readonly server: MySqlServerState;
    readonly error?: string;
  };
  // Beyond docs/contract.md §3's list: what the control room draws.
  /** The leader this node follows (0: none known). */
  readonly leaderId: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  /** Ticks since the last heartbeat / of the randomised timeout (the election-timer display). */
  readonly electionElapsed: number;
  readonly electionTimeout: number;
  /** Milliseconds per tick, so the UI can draw the timer in time. */
  readonly tickMs: number;
  readonly pid: number | null;
  /** How the process last ended (null while it has never exited). */
  readonly exit: ProcessExit | null;
  /** The last stderr/stdout lines (up to 50), for a crashed node above all. */
  readonly lastLines: readonly string[];
  /** When the status fields were last reported by the node (ISO). */
  readonly reportedAt: string | null;
}

export interface NetworkFaults {
  readonly partitions: readonly (readonly number[])[];
  readonly links: readonly LinkFaultBody[];
}

/** `GET /api/cluster`. */
export interface ClusterStatus {
  /** 0 when no live node leads. */
  readonly leaderId: number;
  /** The highest term a live node is in. */
  readonly term: number;
  readonly nodes: readonly ClusterNode[];
  readonly network: NetworkFaults;
  /** The slow-motion factor every Raft timer is multiplied by. */
  readonly slow: number;
  readonly mysqlMode: MySqlMode;
}

/** A directed link fault of `PUT /api/network`. */
export interface LinkFaultBody {
  readonly from: number;
  readonly to: number;
  /** Probability in [0, 1] that a message is lost. */
  readonly drop?: number;
  readonly delayMs?: number;
}

/** `PUT /api/network`: one of the two (or both). */
export interface NetworkBody {
  readonly partitions?: readonly (readonly number[])[];
  readonly links?: readonly LinkFaultBody[];
}

export type NodeAction = 'pause' | 'resume' | 'kill' | 'restart' | 'stop' | 'start';
/** `stop`/`start` the server; `pause` freezes it (SIGSTOP / docker pause), `resume` thaws it. */
export type MySqlAction = 'stop' | 'start' | 'pause' | 'resume';

/** The answer to every fault or membership action. */
export interface ActionResult {
  readonly ok: true;
  readonly action: string;
  readonly nodeId?: number;
  readonly message: string;
}

/** `POST /api/nodes` answers the new node's id. */
export interface AddNodeResult extends ActionResult {
  readonly nodeId: number;
}

// ---------------------------------------------------------------------------------------------
// Events (`GET /api/events`, and the Electron IPC channel)

interface EventBase {
  /** Increases by one per event of this supervisor. */
  readonly seq: number;
  /** ISO-8601. */
  readonly at: string;
}

export type ClusterEvent = EventBase &
  (
    | { readonly type: 'status'; readonly cluster: ClusterStatus }
    | {
        readonly type: 'role';
        readonly nodeId: number;
        readonly role: ClusterRole;
        readonly term: number;
        readonly leaderId: number;
      }
    /** A leader was elected; `durationMs` since leadership was first missing (null: unknown). */
    | {
        readonly type: 'election';
        readonly leaderId: number;
        readonly term: number;
        readonly durationMs: number | null;
      }
    /** The leader's commit index advanced (batched per status tick). */
    | {
        readonly type: 'commit';
        readonly leaderId: number;
        readonly term: number;
        readonly from: number;
        readonly to: number;
      }
    /** A sampled Raft message between nodes (when the node reports them). */
    | {
        readonly type: 'message';
        readonly from: number;
        readonly to: number;
        /** The Raft message type: app, appResp, vote, preVote, heartbeat, snap, ... */
        readonly kind: string;
        readonly term: number;
        /** Entries carried by an append. */
        readonly entries?: number;
      }
    | {
        readonly type: 'fault';
        readonly action: string;
        readonly nodeId?: number;
        readonly detail?: string;
        readonly ok: boolean;
        readonly error?: string;
      }
    | {
        readonly type: 'process';
        readonly nodeId: number;
        readonly status: NodeProcessStatus;
        readonly exit?: ProcessExit;
      }
    | {
        readonly type: 'mysql';
        readonly nodeId: number;
        readonly status: MySqlStatus;
        readonly server: MySqlServerState;
        readonly error?: string;
      }
    | {
        readonly type: 'log';
        readonly nodeId: number;
        readonly stream: 'stdout' | 'stderr';
        readonly line: string;
      }
    /** Start-up and shutdown progress (the CLI prints these). */
    | { readonly type: 'progress'; readonly message: string }
    | { readonly type: 'error'; readonly nodeId?: number; readonly message: string }
  );

export type ClusterEventType = ClusterEvent['type'];

/** One replica's checksum in `GET /api/checksums` (null when the node did not answer). */
export interface ReplicaChecksum {
  readonly nodeId: number;
  readonly appliedIndex: number | null;
  readonly checksum: string | null;
  readonly error?: string;
}

/**
 * `GET /api/checksums`: every live node's database checksum at its applied index. Replicas at the
 * same applied index must agree; `diverged` lists the nodes whose checksum differs from the
 * majority's at the same index (empty when all agree).
 */
export interface ClusterChecksums {
  readonly replicas: readonly ReplicaChecksum[];
  readonly diverged: readonly number[];
}
