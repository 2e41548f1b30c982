/**
 * The node's failpoints (cluster/node/failpoints.ts) in the simulator. Production SIGKILLs the
 * process at an armed point; here the machine loses power right there (SimMember.crash: the disk
 * loses what was not synced, the database its last second), and the hit throws a FailpointCrash
 * so that nothing after the point runs in the call stack that reached it. Whoever catches one
 * (the process's clock, the run loop, a client's call, an unhandled rejection) treats it as that
 * machine's death, which the fault scheduler caused on purpose: never as a violation.
 */
import type { NodeId } from '../../raft/index.js';
import type { FailpointName } from '../../node/failpoints.js';

export class FailpointCrash extends Error {
  override readonly name = 'FailpointCrash';

  constructor(
    readonly point: FailpointName,
    readonly nodeId: NodeId,
  ) {
    super(`failpoint ${point} crashed n${nodeId}`);
  }
}

export function isFailpointCrash(e: unknown): e is FailpointCrash {
  return e instanceof FailpointCrash;
}
