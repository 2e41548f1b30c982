/**
 * The newest cluster events in words, newest first (status snapshots and traces left out), with
 * a checkbox per kind of event to narrow it down.
 */
import { useState } from 'react';
import type { ClusterEvent, ClusterEventType } from '../../../cluster/api/control.js';
import { useEvents } from '../store/context.js';

const SHOWN = 60;

/** The timeline's filters: each shows some event types. */
export const EVENT_FILTERS = [
  { id: 'elections', label: 'Elections and roles', types: ['election', 'role'] },
  { id: 'commits', label: 'Commits', types: ['commit'] },
  { id: 'faults', label: 'Faults', types: ['fault'] },
  { id: 'processes', label: 'Processes and MySQL', types: ['process', 'mysql'] },
  { id: 'errors', label: 'Errors and progress', types: ['error', 'progress'] },
] as const satisfies readonly {
  id: string;
  label: string;
  types: readonly ClusterEventType[];
}[];

type FilterId = (typeof EVENT_FILTERS)[number]['id'];

export function describeEvent(e: ClusterEvent): string | null {
  switch (e.type) {
    case 'role':
      return `node ${e.nodeId} became ${e.role} in term ${e.term}`;
    case 'election':
      return `node ${e.leaderId} elected leader of term ${e.term}${e.durationMs === null ? '' : ` after ${e.durationMs} ms without one`}`;
    case 'commit':
      return `commit index ${e.from} → ${e.to} (term ${e.term})`;
    case 'fault':
      return `${e.action}${e.nodeId === undefined ? '' : ` node ${e.nodeId}`}${e.ok ? '' : ` failed: ${e.error ?? ''}`}${e.detail ? ` (${e.detail})` : ''}`;
    case 'process':
      return `node ${e.nodeId} process ${e.status}${e.exit ? ` (exit ${e.exit.code ?? e.exit.signal})` : ''}`;
    case 'mysql':
      return `node ${e.nodeId} MySQL ${e.status} (server ${e.server})${e.error ? `: ${e.error}` : ''}`;
    case 'error':
      return `error${e.nodeId === undefined ? '' : ` on node ${e.nodeId}`}: ${e.message}`;
    case 'progress':
      return e.message;
    case 'status':
    case 'message':
    case 'log':
      return null;
  }
}

export function EventTimeline() {
  const recent = useEvents((s) => s.recent);
  const [hidden, setHidden] = useState<ReadonlySet<FilterId>>(new Set());
  const shownTypes = new Set<string>(
    EVENT_FILTERS.filter((f) => !hidden.has(f.id)).flatMap((f) => [...f.types]),
  );
  const lines: { seq: number; at: string; type: string; failed: boolean; text: string }[] = [];
  for (let i = recent.length - 1; i >= 0 && lines.length < SHOWN; i--) {
    const e = recent[i] as ClusterEvent;
    if (!shownTypes.has(e.type)) continue;
    const text = describeEvent(e);
    // A fault the user injected on purpose is not an error; one that could not be injected is.
    const failed = e.type === 'fault' && !e.ok;
    if (text !== null) lines.push({ seq: e.seq, at: e.at, type: e.type, failed, text });
  }
  return (
    <section className="timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Events</h2>
      <fieldset className="timeline-filters">
        <legend className="visually-hidden">Show events</legend>
        {EVENT_FILTERS.map((f) => (
          <label key={f.id}>
            <input
              type="checkbox"
              checked={!hidden.has(f.id)}
              onChange={() =>
                setHidden((h) => {
                  const next = new Set(h);
                  if (next.has(f.id)) next.delete(f.id);
                  else next.add(f.id);
                  return next;
                })
              }
            />
            {f.label}
          </label>
        ))}
      </fieldset>
      {lines.length === 0 ? (
        <p className="empty">
          {hidden.size === 0 ? 'No events yet.' : 'No events of the kinds shown.'}
        </p>
      ) : (
        <ol aria-label="Event timeline">
          {lines.map((l) => (
            <li
              key={`${l.seq}-${l.at}`}
              className={`event event-${l.type}${l.failed ? ' event-failed' : ''}`}
            >
              <time dateTime={l.at}>{l.at.slice(11, 23)}</time> {l.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
