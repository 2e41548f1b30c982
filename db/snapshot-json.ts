/**
 * A snapshot's JSON, built in slices. `JSON.stringify` of 100,000 tasks and their sessions (a
 * 66 MB document) holds the event loop for about half a second here, longer than an election
 * timeout; a leader doing that loses its followers. The text is the same as JSON.stringify's
 * (tested), so a snapshot reads back, and compares, exactly as before.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Items serialised between two turns of the event loop. */
const SLICE = 2_000;

export interface SnapshotDocument {
  readonly format: string;
  readonly index: number;
  readonly term: number;
  /** Written after `term` when present, where the state machine's body object has it. */
  readonly sessionClock?: string;
  /** Written before `tasks` when present (format 3). */
  readonly projects?: readonly object[];
  readonly tasks: readonly object[];
  readonly sessions: readonly object[];
}

export async function snapshotJson(body: SnapshotDocument): Promise<string> {
  const parts: string[] = [
    `{"format":${JSON.stringify(body.format)},"index":${JSON.stringify(body.index)},` +
      `"term":${JSON.stringify(body.term)},` +
      (body.sessionClock === undefined
        ? ''
        : `"sessionClock":${JSON.stringify(body.sessionClock)},`),
  ];
  if (body.projects !== undefined) {
    parts.push('"projects":[');
    await pushItems(parts, body.projects);
    parts.push('],');
  }
  parts.push('"tasks":[');
  await pushItems(parts, body.tasks);
  parts.push('],"sessions":[');
  await pushItems(parts, body.sessions);
  parts.push(']}');
  return parts.join('');
}

async function pushItems(parts: string[], items: readonly object[]): Promise<void> {
  for (let at = 0; at < items.length; at += SLICE) {
    if (at > 0) await nextTurn();
    const slice = items.slice(at, at + SLICE).map((item) => JSON.stringify(item));
    parts.push((at > 0 ? ',' : '') + slice.join(','));
  }
}
