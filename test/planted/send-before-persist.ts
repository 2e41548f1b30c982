/**
 * The third classic bug, planted in a test-only variant of the node's Ready driver: it sends a
 * Ready's messages first and persists the Ready a few milliseconds later. A crash in that window
 * forgets a vote (or an acknowledged entry) that has already left the node, so after the restart
 * it can vote again in the same term — two leaders in one term.
 */
import type { RawNode, Ready } from '../../cluster/raft/index.js';
import { ReadyDriver, type ReadyIO } from '../../cluster/node/ready-driver.js';
import { SimNode, type SimNodeOptions } from '../../cluster/sim/node.js';

const PERSIST_DELAY_MS = 5;

export class SendBeforePersistDriver extends ReadyDriver {
  constructor(
    raw: RawNode,
    io: ReadyIO,
    private readonly later: (delayMs: number, fn: () => void) => void,
  ) {
    super(raw, io);
  }

  protected override handle(rd: Ready): void {
    this.io.send(rd.messages);
    this.later(PERSIST_DELAY_MS, () =>
      this.resumeWith(() => {
        this.persist(rd);
        this.finish(rd);
      }),
    );
  }
}

export function sendBeforePersistDriver(opts: SimNodeOptions): SimNode {
  return new SimNode({
    ...opts,
    readyDriver: (raw, io, later) => new SendBeforePersistDriver(raw, io, later),
  });
}
