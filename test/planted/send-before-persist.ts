/**
 * The third classic bug, planted in a test-only subclass of the simulator's node driver: it
 * sends a Ready's messages first and persists the Ready a few milliseconds later. A crash in
 * that window forgets a vote (or an acknowledged entry) that has already left the node, so after
 * the restart it can vote again in the same term — two leaders in one term.
 */
import type { Ready } from '../../cluster/raft/index.js';
import { SimNode, type SimNodeOptions } from '../../cluster/sim/node.js';

const PERSIST_DELAY_MS = 5;

export class SendBeforePersistNode extends SimNode {
  protected override handleReady(rd: Ready): void {
    this.sendMessages(rd.messages);
    this.later(PERSIST_DELAY_MS, () => {
      this.persist(rd);
      this.apply(rd);
      this.advance();
    });
  }
}

export function sendBeforePersistDriver(opts: SimNodeOptions): SimNode {
  return new SendBeforePersistNode(opts);
}
