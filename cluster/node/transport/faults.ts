/**
 * Injected network faults, set at runtime by the supervisor (the control API's
 * `PUT /api/network`). Same meaning as the simulator's network:
 *  - partitions: groups of node ids; nodes in different groups exchange nothing (checked when a
 *    message is sent and again when it is received). Nodes named in no group share one extra
 *    group (e.g. a node added during a partition).
 *  - links: a directed link `from -> to` loses each message with probability `drop` and delays
 *    it by `delayMs` (order on the link is kept). Applied by the sending node only, so a table
 *    installed on every node does not apply a link fault twice.
 */
import type { LinkFaultBody, NetworkBody } from '../../api/control.js';
import type { NodeId } from '../../raft/index.js';

/** A directed link fault: drop probability in [0, 1] and delay in ms, both default 0. */
export type LinkFault = LinkFaultBody;

/** The body of the control API's `PUT /api/network`, as each node's transport applies it. */
export type FaultSpec = NetworkBody;

export type SendDecision =
  | { readonly deliver: true; readonly delayMs: number }
  | { readonly deliver: false; readonly reason: 'partition' | 'drop' };

function checkId(v: unknown, what: string): NodeId {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new RangeError(`${what} must be a positive integer node id, got ${String(v)}`);
  }
  return v;
}

/** The current faults of one node's transport. */
export class FaultTable {
  private groups = new Map<NodeId, number>();
  private links = new Map<string, { drop: number; delayMs: number }>();

  /**
   * Replaces the parts given: `partitions` (an empty list heals them) and/or `links` (an empty
   * list removes them); a part left out stays as it was. Throws a RangeError, changing nothing,
   * when the spec is invalid (a node in two groups, drop outside [0, 1], negative delay).
   */
  set(spec: FaultSpec): void {
    let groups: Map<NodeId, number> | undefined;
    if (spec.partitions !== undefined) {
      groups = new Map();
      for (const [i, group] of spec.partitions.entries()) {
        for (const raw of group) {
          const id = checkId(raw, 'partition member');
          if (groups.has(id)) throw new RangeError(`node ${id} is in two partition groups`);
          groups.set(id, i);
        }
      }
    }
    let links: Map<string, { drop: number; delayMs: number }> | undefined;
    if (spec.links !== undefined) {
      links = new Map();
      for (const l of spec.links) {
        const from = checkId(l.from, 'link from');
        const to = checkId(l.to, 'link to');
        const drop = l.drop ?? 0;
        const delayMs = l.delayMs ?? 0;
        if (typeof drop !== 'number' || !(drop >= 0 && drop <= 1)) {
          throw new RangeError(`link ${from}->${to}: drop must be in [0, 1], got ${drop}`);
        }
        if (typeof delayMs !== 'number' || !(delayMs >= 0 && Number.isFinite(delayMs))) {
          throw new RangeError(`link ${from}->${to}: delayMs must be >= 0, got ${delayMs}`);
        }
        links.set(`${from}>${to}`, { drop, delayMs });
      }
    }
    if (groups) this.groups = groups;
    if (links) this.links = links;
  }

  clear(): void {
    this.groups = new Map();
    this.links = new Map();
  }

  get active(): boolean {
    return this.groups.size > 0 || this.links.size > 0;
  }

  /** False when a partition separates `a` and `b`. */
  canTalk(a: NodeId, b: NodeId): boolean {
    if (this.groups.size === 0) return true;
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }

  /** What happens to a message sent on `from -> to`; `random` returns a number in [0, 1). */
  onSend(from: NodeId, to: NodeId, random: () => number): SendDecision {
    if (!this.canTalk(from, to)) return { deliver: false, reason: 'partition' };
    const link = this.links.get(`${from}>${to}`);
    if (!link) return { deliver: true, delayMs: 0 };
    if (link.drop > 0 && random() < link.drop) return { deliver: false, reason: 'drop' };
    return { deliver: true, delayMs: link.delayMs };
  }

  /** Whether a message that arrived on `from -> to` may be handed to the node. */
  onReceive(from: NodeId, to: NodeId): boolean {
    return this.canTalk(from, to);
  }

  /** A copy of the current faults, in the shape `set` takes. */
  describe(): { partitions: NodeId[][]; links: LinkFault[] } {
    const partitions: NodeId[][] = [];
    for (const [id, g] of this.groups) (partitions[g] ??= []).push(id);
    const links: LinkFault[] = [];
    for (const [key, l] of this.links) {
      const [from, to] = key.split('>').map(Number);
      links.push({ from, to, drop: l.drop, delayMs: l.delayMs });
    }
    return { partitions: partitions.filter((g) => g !== undefined), links };
  }
}
