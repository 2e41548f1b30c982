/**
 * The per-Ready work of one node: the node's own Ready driver (cluster/node/ready-driver.ts)
 * over this scenario node's memory storage and state machine, one Ready at a time. The caller
 * queues the messages it returns on the scripted network.
 */
import type { Entry, MemoryStorage, Message, RawNode, Ready } from '../../cluster/raft/index.js';
import { ReadyDriver } from '../../cluster/node/ready-driver.js';
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
  let taken: Ready | undefined;
  const driver = new ReadyDriver(node.raw, {
    observe: (rd) => {
      taken = rd;
    },
    save: (batch) => node.storage.save(batch),
    // Sent by the caller, which queues rd.messages on the network.
    send: (_msgs: readonly Message[]) => undefined,
    apply: (rd) => {
      if (rd.snapshot) node.sm.restore(rd.snapshot);
      for (const e of rd.committedEntries) {
        node.onApply?.(e);
        node.sm.apply(e);
      }
    },
  });
  if (!driver.handleNext() || taken === undefined) throw new Error('no Ready to handle');
  return taken;
}
