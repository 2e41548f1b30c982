/**
 * The production node as the driver uses it, and how it is built: RaftNode.create with every
 * dependency given (cluster/node/raft-node.ts). Only this file names RaftNode.
 */
import type { MembershipChange } from '../../node/membership.js';
import { RaftNode, type RaftNodeDeps } from '../../node/raft-node.js';

export type { MembershipChange };

/** What the driver calls on a node: the production RaftNode itself. */
export type SimNodeApi = RaftNode;
export type SimNodeDeps = RaftNodeDeps;

/** How a node is built: the production RaftNode, or a test-only variant (test/planted). */
export type MakeSimNode = (deps: SimNodeDeps) => SimNodeApi;

export const createSimNode: MakeSimNode = (deps) => RaftNode.create(deps);
