/**
 * The per-Ready work of one node, kept apart from any output so that a shared "Ready driver"
 * can replace it later. Follows the Ready contract (cluster/raft/types.ts): persist the
 * snapshot, entries and hard state; (the caller then sends the messages); apply the snapshot and
 * committed entries; advance().
 */
import type { Entry, MemoryStorage, RawNode, Ready } from '../../cluster/raft/index.js';
import type { StateMachine } from './state-machine.js';

export interface ReadyHost {
  readonly raw: RawNode;
  readonly storage: MemoryStorage;
  readonly sm: StateMachine;
  /** Called for every entry applied, before it is applied (the env checks safety here). */
  readonly onApply?: (e: Entry) => void;
}

/** Handles one Ready of `node`; returns it (its messages are the caller's to send). */
export function processReady(node: ReadyHost): Ready {
  const rd = node.raw.ready();
  // 1. Persist: a vote or an acknowledgement in rd.messages promises this is durable.
  if (rd.snapshot) node.storage.applySnapshot(rd.snapshot);
  if (rd.entries.length > 0) node.storage.append(rd.entries);
  if (rd.hardState) node.storage.setHardState(rd.hardState);
  // 2. Send: done by the caller, which queues rd.messages on the network.
  // 3. Apply.
  if (rd.snapshot) node.sm.restore(rd.snapshot);
  for (const e of rd.committedEntries) {
    node.onApply?.(e);
    node.sm.apply(e);
  }
  node.raw.advance();
  return rd;
}
