/**
 * The leader's lease: when a leader read may be served without a round trip (reads.ts asks).
 *
 * It holds only while a quorum answered this leader within half an election timeout. A follower
 * refuses to vote for an election timeout after it last heard from its leader (three quarters
 * of one and a tick once its link to the leader dropped: Raft.linkDownTicks), so no other
 * leader can exist yet — given messages take less than a quarter of an election timeout.
 * CheckQuorum alone is not enough: it deposes a cut-off leader up to two election timeouts after
 * the last contact, while the others may elect a leader after one (the node-level simulator
 * caught stale lease reads there, seed 387).
 *
 * It is also suspended for an election timeout after anything that voids the followers' side of
 * the bargain: a pause of this process (frozen, SIGSTOP, a stall: the others may have elected a
 * leader meanwhile) and a leadership transfer (the transferee wins votes inside the lease).
 * All times are on the node's monotonic Clock.
 */
import type { Message, NodeId, RawNode } from '../raft/index.js';
import type { Clock } from './clock.js';

export class Lease {
  /** When each peer last answered this leader in its term (a heartbeat or append response). */
  private heardAt = new Map<NodeId, number>();
  /** No lease before this time. */
  private usableFrom = 0;
  /** When the last tick ran, to notice that the process stood still. */
  private lastTickAt: number;

  constructor(
    private readonly id: NodeId,
    private readonly raw: RawNode,
    private readonly clock: Clock,
    private readonly electionMs: number,
  ) {
    this.lastTickAt = clock.now();
  }

  /** A message arrived while this node is in `term`. */
  onMessage(m: Message, term: number): void {
    if ((m.type === 'heartbeatResp' || m.type === 'appResp') && m.term === term)
      this.heardAt.set(m.from, this.clock.now());
  }

  /** The role changed: answers to an earlier leadership do not count. */
  onRoleChange(): void {
    this.heardAt = new Map();
  }

  /** A tick ran; one later than half an election timeout means the process stood still. */
  onTick(): void {
    const now = this.clock.now();
    if (now - this.lastTickAt > this.electionMs / 2) this.suspend();
    this.lastTickAt = now;
  }

  /** The process was frozen and runs again. */
  onThaw(): void {
    this.suspend();
    this.lastTickAt = this.clock.now();
  }

  /** Whether a leader read may be served on the lease now. */
  usable(): boolean {
    const now = this.clock.now();
    if (now < this.usableFrom) return false;
    const st = this.raw.status();
    if (st.leadTransferee !== 0) {
      this.suspend();
      return false;
    }
    const since = now - this.electionMs / 2;
    const voters = st.conf.voters;
    let answered = voters.includes(this.id) ? 1 : 0;
    for (const v of voters)
      if (v !== this.id && (this.heardAt.get(v) ?? -Infinity) >= since) answered++;
    return answered > voters.length / 2;
  }

  private suspend(): void {
    this.usableFrom = this.clock.now() + this.electionMs;
  }
}
