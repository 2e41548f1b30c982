/** Requests to a node over its IPC channel, each settled by the node's reply (or a timeout). */
import type { ChildProcess } from 'node:child_process';
import type { ControlReply } from '../../../cluster/node/control.js';
import type { FailpointName } from '../../../cluster/node/failpoints.js';
import type { FaultSpec } from '../../../cluster/node/transport/faults.js';

export type ControlRequestBody =
  | { readonly type: 'status' }
  | { readonly type: 'faults'; readonly spec: FaultSpec }
  | { readonly type: 'clearFaults' }
  | { readonly type: 'failpoint'; readonly name: FailpointName; readonly after?: number }
  | { readonly type: 'transferLeadership'; readonly to: number }
  | { readonly type: 'campaign' }
  | { readonly type: 'shutdown' };

interface Pending {
  readonly resolve: (r: ControlReply) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The requests of one node awaiting a reply (request ids go on across restarts). */
export class ControlChannel {
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly nodeId: number) {}

  /** Sends `body` to `child`; resolves with the reply, rejects on a send error or timeout. */
  send(child: ChildProcess, body: ControlRequestBody, timeoutMs: number): Promise<ControlReply> {
    const id = this.nextRequestId++;
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${this.nodeId}: no reply to ${body.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ id, ...body }, (err) => {
        if (err) {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(new Error(`node ${this.nodeId}: cannot send ${body.type}: ${err.message}`));
        }
      });
    });
  }

  /** Settles the request `reply` answers (a reply nobody waits for any more is dropped). */
  settle(reply: ControlReply): void {
    const p = this.pending.get(reply.id);
    if (p) {
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      p.resolve(reply);
    }
  }

  /** Rejects every request still waiting (the node exited). */
  failAll(error: (id: number) => Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error(id));
    }
    this.pending.clear();
  }
}
