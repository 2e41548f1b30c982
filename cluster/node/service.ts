/**
 * What the client API needs from a running node. The Raft loop (raft-node.ts) implements it; the
 * HTTP routes (api/) use only this, so they can be read and tested on their own.
 */
import type { ChecksumResponse, NodeStatus } from '../api/node.js';
import type { CommandResult, Project, Task, TaskCommand } from '../api/task.js';
import type { ListQuery } from '../../db/statemachine.js';

export interface CommittedWrite {
  readonly result: CommandResult;
  readonly index: number;
  readonly term: number;
}

export interface NodeService {
  readonly id: number;
  /** How long a write or a linearizable read may wait for a quorum (config requestTimeoutMs). */
  readonly requestTimeoutMs: number;

  /** This node is the leader right now (as far as it knows). */
  isLeader(): boolean;
  /** The leader's client API base URL (`http://host:port`), undefined when none is known. */
  leaderClientUrl(): string | undefined;
  /** Resolves with the leader's client URL as soon as one is known; undefined after `timeoutMs`. */
  waitForLeader(timeoutMs: number): Promise<string | undefined>;

  /**
   * Proposes `command` (leader only; several concurrent calls share one Raft entry batch) and
   * resolves once it is applied to this node's MySQL, with the state machine's answer.
   * For a retried Idempotency-Key, `index`/`term` are those of the first attempt's entry.
   * Rejects with NotLeaderError only when the command was certainly not applied (this node is
   * not the leader, or another leader's entry took its index), so it is safe to retry; NoQuorumError after requestTimeoutMs, MySqlUnavailableError when the
   * entry committed but MySQL is down (the entry will be applied when MySQL returns).
   */
  propose(command: TaskCommand): Promise<CommittedWrite>;

  /**
   * Waits until reads of this node's MySQL reflect every write committed before the call:
   * `linearizable` confirms leadership with a quorum (ReadIndex; works on followers too);
   * `leader` uses the leader lease (leader only, and only while CheckQuorum holds). Rejects with
   * NotLeaderError (`leader` on a follower), NoQuorumError, MySqlUnavailableError.
   */
  readBarrier(mode: 'linearizable' | 'leader'): Promise<void>;

  /** Reads from this node's MySQL as it is (rejects with MySqlUnavailableError when down). */
  listTasks(query: ListQuery): Promise<Task[]>;
  getTask(id: string): Promise<Task | null>;
  /** Ordered by position, then name. */
  listProjects(): Promise<Project[]>;
  getProject(id: string): Promise<Project | null>;
  /** Tags in use with their task counts. */
  listTags(): Promise<{ name: string; count: number }[]>;
  checksum(): Promise<ChecksumResponse>;

  /** Applied to MySQL, and the commit index this node knows. */
  appliedIndex(): number;
  commitIndex(): number;
  status(): NodeStatus;
}

/** This node cannot do it as a follower; `leaderId` 0 when no leader is known. */
export class NotLeaderError extends Error {
  constructor(readonly leaderId: number) {
    super(leaderId === 0 ? 'no leader is known' : `not the leader (n${leaderId} is)`);
    this.name = 'NotLeaderError';
  }
}

/** No quorum answered in time: the write or read may or may not take effect (retry with the same Idempotency-Key). */
export class NoQuorumError extends Error {
  constructor(message = 'no quorum answered in time') {
    super(message);
    this.name = 'NoQuorumError';
  }
}
