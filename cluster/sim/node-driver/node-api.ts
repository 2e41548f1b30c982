/**
 * The production node as the driver uses it, and how it is built: RaftNode.create with every
 * dependency given (cluster/node/raft-node.ts). Only this file names RaftNode.
 */
import type { NodeId, Rng } from '../../raft/index.js';
import type { ChecksumResponse, NodeStatus } from '../../api/node.js';
import type { Task, TaskCommand } from '../../api/task.js';
import type { ListQuery } from '../../../db/statemachine.js';
import type { NodeIdentity } from '../../../db/identity.js';
import type { OpenTaskStore } from '../../../db/task-store.js';
import type { Clock } from '../../node/clock.js';
import type { NodeConfig } from '../../node/config.js';
import type { NodeEvent, PeerAddressConfig } from '../../node/control.js';
import type { Logger } from '../../node/log.js';
import type { CommittedWrite } from '../../node/service.js';
import type { PeerTransportFactory } from '../../node/transport/peer-transport.js';
import type { LogStore } from '../../node/wal/log-store.js';
import { RaftNode } from '../../node/raft-node.js';

export type MembershipChange =
  | { readonly type: 'addLearner'; readonly nodeId: NodeId; readonly address: PeerAddressConfig }
  | { readonly type: 'promote' | 'remove'; readonly nodeId: NodeId };

export interface SimNodeApi {
  readonly id: NodeId;
  run(): Promise<void>;
  stop(): Promise<void>;
  propose(command: TaskCommand): Promise<CommittedWrite>;
  readBarrier(mode: 'linearizable' | 'leader'): Promise<void>;
  listTasks(query: ListQuery): Promise<Task[]>;
  checksum(): Promise<ChecksumResponse>;
  appliedIndex(): number;
  commitIndex(): number;
  isLeader(): boolean;
  changeMembership(change: MembershipChange): Promise<number>;
  transferLeadership(to: NodeId): void;
  freeze(): void;
  thaw(): void;
  status(): NodeStatus;
}

export interface SimNodeDeps {
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly storage: LogStore;
  readonly transport: PeerTransportFactory;
  readonly openStore: OpenTaskStore;
  readonly identity: NodeIdentity;
  readonly clock: Clock;
  readonly random: Rng;
  readonly emit: (e: NodeEvent) => void;
  readonly onFatal: (e: Error) => void;
  readonly peerMySqlUp: (id: NodeId) => Promise<boolean>;
}

/** Until main's RaftNode takes its dependencies (RaftNode.create), this cannot run. */
type Factory = { create?: (deps: SimNodeDeps) => SimNodeApi };

export function createSimNode(deps: SimNodeDeps): SimNodeApi {
  const create = (RaftNode as unknown as Factory).create;
  if (create === undefined) throw new Error('RaftNode.create does not exist yet');
  return create.call(RaftNode, deps);
}
