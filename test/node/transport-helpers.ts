/** Small builders shared by the transport tests. */
import type { Message, NodeId } from '../../cluster/raft/index.js';

/** A heartbeat whose commit index numbers it, so order on a link can be read back. */
export const hb = (from: NodeId, to: NodeId, seq: number): Message => ({
  type: 'heartbeat',
  from,
  to,
  term: 1,
  commit: seq,
});

/** The numbers of the heartbeats a node got from `from`, in arrival order. */
export const seqs = (n: { readonly got: readonly Message[] }, from: NodeId): number[] =>
  n.got.filter((m) => m.from === from).map((m) => m.commit ?? -1);

/** from, from + 1, …, to - 1. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);
