/**
 * What a scenario needs from a system under test. Raftboard and etcd both implement it, so every
 * scenario drives them the same way (same load generator, same fault, same clock).
 */
import type { RequestSpec } from '../load/http.js';

export type SystemName = 'raftboard' | 'etcd';

/** One member's view, as the system reports it. */
export interface MemberProgress {
  readonly term: number;
  readonly leader: boolean;
  /** The commit index this member knows. */
  readonly commit: number;
  /** Applied to its state machine (Raftboard: MySQL; etcd: bbolt). */
  readonly applied: number;
}

export interface ProcessRef {
  /** "supervisor", "n1", "n1 mysql", "etcd 2" */
  readonly label: string;
  readonly kind: 'supervisor' | 'node' | 'mysql' | 'etcd';
  readonly pid: number;
}

export interface BenchTarget {
  readonly name: SystemName;
  /** Member ids, in order. */
  readonly members: readonly number[];
  /** Starts a cluster from an empty data dir; resolves once it accepts writes. */
  startFresh(): Promise<void>;
  /** Stops every member (cleanly), keeping the data. */
  stopAll(): Promise<void>;
  /** Starts every member again on the existing data; resolves once it accepts writes. */
  startExisting(): Promise<void>;
  /**
   * A write of about 100 bytes, unique per `seq`, sent to member `to`; `idempotent` adds an
   * Idempotency-Key header as Raftboard's UI sends.
   */
  write(to: number, seq: number, idempotent?: boolean): RequestSpec;
  /**
   * Raftboard only: the same write as `write(…, true)` sent the way the window sends it, to the
   * supervisor's control API (`POST /api/tasks`), which relays it to the leader.
   */
  uiWrite?(seq: number): RequestSpec;
  /** Makes something to read; call once before `read`. */
  prepareReads(): Promise<void>;
  read(to: number, mode: 'linearizable' | 'stale'): RequestSpec;
  /** The member's own report; undefined when it does not answer. */
  progress(id: number): Promise<MemberProgress | undefined>;
  /** SIGKILL; resolves once the process is gone. */
  kill(id: number): Promise<void>;
  /** A clean stop (SIGTERM or the node's own shutdown). */
  stop(id: number): Promise<void>;
  /** Starts a stopped or killed member on its existing data. Resolves when its process runs. */
  start(id: number): Promise<void>;
  /** The processes whose memory counts. */
  processes(): readonly ProcessRef[];
  /** Stops everything and deletes the data. Safe to call twice. */
  destroy(): Promise<void>;
}
