import type { NodeId } from './types.js';

interface ReadRequest {
  readonly index: number;
  /** Who asked: the leader itself, or a follower that forwarded the request. */
  readonly from: NodeId;
  readonly acks: Set<NodeId>;
}

/**
 * ReadIndex (Raft thesis §6.4): a read is answered at the commit index the leader had when it
 * was asked, once a quorum acknowledged a heartbeat sent after that moment — proof that no newer
 * leader existed then. Requests are confirmed in order: an ack for a later request confirms all
 * earlier ones too.
 */
export class ReadOnly {
  private pending = new Map<string, ReadRequest>();
  private queue: string[] = [];

  add(index: number, context: string, from: NodeId): void {
    if (this.pending.has(context)) return;
    this.pending.set(context, { index, from, acks: new Set() });
    this.queue.push(context);
  }

  /** Records a heartbeat ack carrying `context`; returns how many distinct nodes acked it. */
  recvAck(id: NodeId, context: string): Set<NodeId> | undefined {
    const req = this.pending.get(context);
    if (!req) return undefined;
    req.acks.add(id);
    return req.acks;
  }

  /** Removes and returns every request up to and including `context`, oldest first. */
  advance(context: string): { index: number; context: string; from: NodeId }[] {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const done = this.queue.splice(0, at + 1);
    return done.map((ctx) => {
      const req = this.pending.get(ctx)!;
      this.pending.delete(ctx);
      return { index: req.index, context: ctx, from: req.from };
    });
  }

  /** The newest request still waiting; heartbeats carry it so a lost heartbeat is retried. */
  lastPending(): string | undefined {
    return this.queue.length > 0 ? this.queue[this.queue.length - 1] : undefined;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
