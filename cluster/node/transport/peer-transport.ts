/**
 * What the node layer needs from the network between Raft nodes. The TCP transport is the real
 * one; an in-memory one carries messages inside one process (the simulator, fast tests), and
 * the fault decorator puts partitions, drops and delays around either.
 *
 * Contract: `send` never blocks and never throws for network reasons (Raft tolerates loss);
 * messages to one peer arrive in the order sent, or not at all.
 */
import type { Message, NodeId } from '../../raft/index.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/** Where a transport delivers what it receives. */
export interface TransportHandlers {
  /** Every valid message addressed to this node. */
  readonly onMessage: (m: Message) => void;
  /** The link to a peer failed (once until it works again). */
  readonly onUnreachable?: (id: NodeId) => void;
}

export interface PeerTransport {
  /** Starts listening (and dialling the peers). */
  start(): Promise<void>;
  send(m: Message): void;
  /** Replaces the set of peers and where to reach them. */
  setPeers(peers: ReadonlyMap<NodeId, PeerAddress>): void;
  close(): Promise<void>;
}

/** Builds a node's transport once the node exists to receive (the node needs it too). */
export type PeerTransportFactory = (handlers: TransportHandlers) => PeerTransport;
