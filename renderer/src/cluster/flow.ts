/**
 * The message flow's vocabulary and geometry: each Raft message type belongs to a family with
 * its own look (heartbeat, append, vote, snapshot), responses are drawn hollow, nodes sit on a
 * circle, and a link is cut when a partition or a 100 % drop separates its ends.
 */
import type { ClusterStatus } from '../../../cluster/api/control.js';

export const FAMILIES = ['heartbeat', 'append', 'vote', 'snapshot', 'other'] as const;
export type Family = (typeof FAMILIES)[number];

export const FAMILY_LABELS: Readonly<Record<Family, string>> = {
  heartbeat: 'Heartbeats',
  append: 'Appends',
  vote: 'Votes',
  snapshot: 'Snapshots',
  other: 'Other',
};

export function familyOf(kind: string): { family: Family; response: boolean } {
  const response = kind.endsWith('Resp');
  const base = response ? kind.slice(0, -'Resp'.length) : kind;
  switch (base) {
    case 'heartbeat':
      return { family: 'heartbeat', response };
    case 'app':
      return { family: 'append', response };
    case 'vote':
    case 'preVote':
      return { family: 'vote', response };
    case 'snap':
      return { family: 'snapshot', response };
    default:
      return { family: 'other', response };
  }
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Node positions on a circle, the first at the top, clockwise. */
export function circleLayout(
  ids: readonly number[],
  center: Point,
  radius: number,
): Map<number, Point> {
  const out = new Map<number, Point>();
  ids.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, ids.length);
    out.set(id, { x: center.x + radius * Math.cos(a), y: center.y + radius * Math.sin(a) });
  });
  return out;
}

export type LinkState = 'ok' | 'faulty' | 'cut';

/** How the link between two nodes stands, both directions together (the worse wins). */
export function linkState(status: ClusterStatus, a: number, b: number): LinkState {
  const { partitions, links } = status.network;
  if (partitions.length > 1) {
    const ga = partitions.findIndex((p) => p.includes(a));
    const gb = partitions.findIndex((p) => p.includes(b));
    if (ga !== gb) return 'cut';
  }
  let state: LinkState = 'ok';
  for (const l of links) {
    if (!((l.from === a && l.to === b) || (l.from === b && l.to === a))) continue;
    if ((l.drop ?? 0) >= 1) return 'cut';
    if ((l.drop ?? 0) > 0 || (l.delayMs ?? 0) > 0) state = 'faulty';
  }
  return state;
}
