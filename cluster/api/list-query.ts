/**
 * The query string of `GET /tasks` from list options, shared by the renderer's HTTP client and the
 * Electron host, so both transports ask the node the same thing. Tags repeat (`tag=a&tag=b`).
 */
import type { ReadConsistency } from './node.js';
import type { TaskStatus } from './task.js';

export interface TaskListOptions {
  readonly consistency?: ReadConsistency;
  readonly status?: TaskStatus;
  readonly q?: string;
  /** A project id, or 'none'. */
  readonly projectId?: string;
  /** All must be on the task. */
  readonly tags?: readonly string[];
  /** A parent id, or 'none' (top level). */
  readonly parentId?: string;
  readonly due?: 'overdue' | 'today' | 'upcoming' | 'none';
  /** IANA zone for `due`; default UTC. */
  readonly tz?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** `?…` or '' when nothing is set. */
export function listQuery(o: TaskListOptions = {}): string {
  const params = new URLSearchParams();
  if (o.consistency !== undefined) params.set('consistency', o.consistency);
  if (o.status !== undefined) params.set('status', o.status);
  if (o.q !== undefined && o.q !== '') params.set('q', o.q);
  if (o.projectId !== undefined) params.set('projectId', o.projectId);
  for (const tag of o.tags ?? []) params.append('tag', tag);
  if (o.parentId !== undefined) params.set('parentId', o.parentId);
  if (o.due !== undefined) params.set('due', o.due);
  if (o.tz !== undefined) params.set('tz', o.tz);
  if (o.limit !== undefined) params.set('limit', String(o.limit));
  if (o.offset !== undefined) params.set('offset', String(o.offset));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * This process's IANA time zone (the browser's, in a window): what a `PATCH /tasks/:id?tz=`
 * sends so a "from completion" rule counts from the user's day. `UTC` when the runtime has none.
 */
export function localTimeZone(): string {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return typeof tz === 'string' && tz !== '' ? tz : 'UTC';
}
