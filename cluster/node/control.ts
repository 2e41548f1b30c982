/**
 * Control messages between a node process and the process that launched it (the supervisor or a
 * test harness), over Node's IPC channel (`child_process.fork` / `process.send`). A node started
 * by hand has no channel and simply runs.
 */
import type { NodeStatus } from '../api/node.js';
import type { FailpointName } from './failpoints.js';
import type { FaultSpec } from './transport/index.js';

/** One Raft message, as the control room draws it. */
export interface SampledMessage {
  readonly from: number;
  readonly to: number;
  /** The Raft message type (`app`, `vote`, `heartbeat`, ...). */
  readonly kind: string;
  readonly term: number;
  /** Entries carried by an append. */
  readonly entries?: number;
}

/** Where a node listens, as in the config's `peers` entries. */
export interface PeerAddressConfig {
  readonly host: string;
  readonly raftPort: number;
  readonly clientPort: number;
}

/** Parent → node. `id` is echoed in the reply. */
export type ControlRequest =
  | { readonly id: number; readonly type: 'status' }
  /** Replaces the transport's faults (the parts given), as `FaultyTransport.setFaults`. */
  | { readonly id: number; readonly type: 'faults'; readonly spec: FaultSpec }
  | { readonly id: number; readonly type: 'clearFaults' }
  /**
   * Pause where SIGSTOP does not exist (Windows): the Raft member stops ticking, sending and
   * receiving, as a frozen process would; `thaw` undoes it.
   */
  | { readonly id: number; readonly type: 'freeze' | 'thaw' }
  /**
   * A membership change, proposed on this node (it must be the leader; the reply says
   * `not the leader (nX is)` otherwise). Replies once the change is applied here. `addLearner`
   * carries the new node's addresses so every member can dial it.
   */
  | {
      readonly id: number;
      readonly type: 'confChange';
      readonly change:
        | {
            readonly type: 'addLearner';
            readonly nodeId: number;
            readonly address: PeerAddressConfig;
          }
        | { readonly type: 'promote' | 'remove'; readonly nodeId: number };
    }
  /**
   * Campaigns now instead of at the end of a randomized election timeout (the supervisor's
   * cold start, once every member listens). `ok: false` says why not: this node leads or knows
   * a leader, or its MySQL is not up. Replies at once, not when the election ends.
   */
  | { readonly id: number; readonly type: 'campaign' }
  /** Hands leadership to `to` (TimeoutNow); replies at once. */
  | { readonly id: number; readonly type: 'transferLeadership'; readonly to: number }
  /**
   * Arms the failpoint `name` (failpoints.ts; tests only): the process SIGKILLs itself when the
   * point is passed, after letting `after` hits through first (default 0: the next hit). Replies
   * at once; an unknown name gets `ok: false`. Arming it again replaces the count.
   */
  | {
      readonly id: number;
      readonly type: 'failpoint';
      readonly name: FailpointName;
      readonly after?: number;
    }
  /** Stops cleanly: servers closed, WAL closed, MySQL pool closed; then the process exits 0. */
  | { readonly id: number; readonly type: 'shutdown' };

/** Node → parent, answering a request. */
export type ControlReply =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly status?: NodeStatus }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

/** Node → parent, unprompted. */
export type NodeEvent =
  /** Listening and running the Raft loop (MySQL may still be connecting). */
  | {
      readonly type: 'listening';
      readonly id: number;
      readonly clientUrl: string;
      readonly raftPort: number;
    }
  | {
      readonly type: 'role';
      readonly id: number;
      readonly role: NodeStatus['role'];
      readonly term: number;
      readonly leaderId: number;
    }
  | { readonly type: 'mysql'; readonly id: number; readonly status: NodeStatus['mysql'] }
  /** Raft messages this node sent, sampled (see message-sampler.ts); `dropped` over the cap. */
  | {
      readonly type: 'messages';
      readonly id: number;
      readonly messages: readonly SampledMessage[];
      readonly dropped: number;
    }
  /** The node is about to exit because of an error it cannot recover from. */
  | { readonly type: 'fatal'; readonly id: number; readonly message: string };

export type NodeToParent = ControlReply | NodeEvent;
