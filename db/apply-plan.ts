/**
 * The pure half of `applyBatch`: given the entries, the applied index/clock and the rows the
 * batch names (read by the caller), decides every entry's answer and the net row changes. The
 * MySQL state machine (statemachine.ts) and the simulator's in-memory store both apply batches
 * through `planBatch`, so their answers are the same code. Nothing here does I/O or reads a clock.
 */
import type { CommandResult, SessionRef, Task, TaskCommand } from '../cluster/api/task.js';
import { decodeCommand, sessionStorageKey } from './command.js';
import { StateMachineError } from './errors.js';
import type { ClientSessionAttributes } from './models/client-session.js';
import { execute } from './execute-command.js';
import type { AppliedIndex, ApplyEntry } from './statemachine.js';

/** A stored session, as the batch reads it. */
export interface SessionRow {
  readonly raftIndex: number;
  readonly result: string;
  readonly createdAt: string;
  readonly fingerprint: string;
}

/** How long, in entry time and in entries, a session is remembered. */
export interface Retention {
  readonly ms: number;
  readonly entries: number;
}

export interface Meta extends AppliedIndex {
  /** The newest entry time applied, canonical, or '' before any. */
  readonly sessionClock: string;
}

/** What a batch must read before it is planned: the tasks and session keys its commands name. */
export interface BatchReads {
  /** One per entry: the command in it, or null (no-op, conf entry, malformed). */
  readonly commands: readonly (TaskCommand | null)[];
  readonly taskIds: readonly string[];
  /** Storage keys (`sessionStorageKey`). */
  readonly sessionKeys: readonly string[];
}

/** The net effect of a batch, to be written in the same transaction as the new applied index. */
export interface BatchWrites {
  readonly upserts: readonly Task[];
  readonly deletes: readonly string[];
  readonly newSessions: readonly ClientSessionAttributes[];
  /** Delete the sessions with `raftIndex <= forgetUpTo` (after the upserts), when ≥ 1. */
  readonly forgetUpTo: number;
  /** Delete the sessions with `createdAt <= expiredBy` (after the upserts), when not null. */
  readonly expiredBy: string | null;
  readonly meta: Meta;
}

export interface BatchPlan {
  readonly results: (CommandResult | null)[];
  /** null: nothing above the applied index (commit without writing). */
  readonly writes: BatchWrites | null;
}

/** Refuses entries whose index or term cannot be a log position (before any I/O). */
export function checkEntries(entries: readonly ApplyEntry[]): void {
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.index) || entry.index < 1) {
      throw new StateMachineError(`entry index must be a positive integer, got ${entry.index}`);
    }
    if (!Number.isSafeInteger(entry.term) || entry.term < 0) {
      throw new StateMachineError(`entry term must be a non-negative integer, got ${entry.term}`);
    }
  }
}

/** The command in a normal entry, or null (no-op, conf, malformed — logged when `log` given). */
export function commandOf(
  entry: ApplyEntry,
  log: ((line: string) => void) | undefined,
): TaskCommand | null {
  if (entry.type !== 'normal' || entry.data === '') return null;
  const decoded = decodeCommand(entry.data);
  if (decoded.ok) return decoded.command;
  log?.(`entry ${entry.index}: ignored, ${decoded.reason}`);
  return null;
}

export function batchReads(entries: readonly ApplyEntry[]): BatchReads {
  const commands = entries.map((entry) => commandOf(entry, undefined));
  const taskIds = new Set<string>();
  const keys = new Set<string>();
  for (const command of commands) {
    if (command === null) continue;
    taskIds.add(command.op === 'create' ? command.task.id : command.id);
    if (command.session !== undefined) keys.add(sessionStorageKey(command.session.key));
  }
  return { commands, taskIds: [...taskIds], sessionKeys: [...keys] };
}

/**
 * Plans a batch. `tasks` and `sessions` hold the rows read for `reads` (absent: no row); both
 * maps are updated in place to the state after the batch. Throws `StateMachineError` if the
 * entries above `meta.index` do not continue it without a gap (nothing is to be written then).
 */
export function planBatch(
  entries: readonly ApplyEntry[],
  reads: BatchReads,
  meta: Meta,
  tasks: Map<string, Task | null>,
  sessions: Map<string, SessionRow>,
  retention: Retention,
  log: (line: string) => void,
): BatchPlan {
  const { commands } = reads;
  // Check the entries above the applied index continue it without a gap.
  const results: (CommandResult | null)[] = entries.map(() => null);
  const toApply: { pos: number; entry: ApplyEntry; command: TaskCommand | null }[] = [];
  let next = meta.index + 1;
  entries.forEach((entry, pos) => {
    const command = commands[pos] ?? null;
    if (entry.index <= meta.index) {
      // Already applied: a retried session is answered as it was the first time (a key the
      // entry reused for another request was refused then, and is now).
      const session = command?.session;
      const stored =
        session === undefined ? undefined : sessions.get(sessionStorageKey(session.key));
      if (session !== undefined && stored !== undefined) {
        results[pos] =
          stored.raftIndex !== entry.index && !sameRequest(stored, session)
            ? keyReused(stored)
            : (JSON.parse(stored.result) as CommandResult);
      }
      return;
    }
    if (entry.index !== next) {
      throw new StateMachineError(
        `entry ${entry.index} does not follow ${next - 1} (applied index ${meta.index}): ` +
          'entries must be consecutive and restore a snapshot before a gap',
      );
    }
    next += 1;
    if (command === null) commandOf(entry, log); // says why, if it is malformed
    toApply.push({ pos, entry, command });
  });
  if (toApply.length === 0) return { results, writes: null };

  // Apply in memory, in log order. The clock is the newest entry time so far: it never goes
  // back (a new leader's clock may be behind), so a session once expired stays expired, and
  // eviction after any batch agrees with the visibility rule below whatever the batching.
  let clock = meta.sessionClock === '' ? Number.NEGATIVE_INFINITY : Date.parse(meta.sessionClock);
  const dirty = new Set<string>();
  const newSessions = new Map<string, ClientSessionAttributes>();
  for (const { pos, entry, command } of toApply) {
    if (command === null) continue;
    clock = Math.max(clock, Date.parse(command.at));
    const session = command.session;
    const key = session === undefined ? undefined : sessionStorageKey(session.key);
    if (session !== undefined && key !== undefined) {
      const stored = sessions.get(key);
      // A session is visible to the entries within the retention after it, in entries and in
      // entry time: a pure function of the log, the same on every replica.
      if (
        stored !== undefined &&
        entry.index - stored.raftIndex < retention.entries &&
        clock - Date.parse(stored.createdAt) < retention.ms
      ) {
        // The same key on another request: refused, nothing applied, the session kept.
        results[pos] = sameRequest(stored, session)
          ? (JSON.parse(stored.result) as CommandResult)
          : keyReused(stored);
        continue;
      }
    }
    const result = execute(command, entry.index, tasks, dirty);
    results[pos] = result;
    if (session !== undefined && key !== undefined) {
      const row: ClientSessionAttributes = {
        key,
        raftIndex: entry.index,
        // The entry travels with the stored answer, so a retry is told where the write landed.
        result: JSON.stringify({ ...result, entry: { index: entry.index, term: entry.term } }),
        createdAt: new Date(clock).toISOString(),
        fingerprint: session.fingerprint ?? '',
      };
      sessions.set(key, row);
      newSessions.set(key, row);
    }
  }

  // The net effect.
  const upserts: Task[] = [];
  const deletes: string[] = [];
  for (const id of dirty) {
    const task = tasks.get(id);
    if (task === null || task === undefined) deletes.push(id);
    else upserts.push(task);
  }
  const last = toApply[toApply.length - 1]!.entry;
  const clockNow = Number.isFinite(clock) ? new Date(clock).toISOString() : '';
  return {
    results,
    writes: {
      upserts,
      deletes,
      newSessions: [...newSessions.values()],
      forgetUpTo: last.index - retention.entries,
      // Sessions no later entry can see any more (same comparisons as above).
      expiredBy: Number.isFinite(clock) ? canonicalMs(clock - retention.ms) : null,
      meta: { index: last.index, term: last.term, sessionClock: clockNow },
    },
  };
}

/** Whether a command's session is the request that stored `stored` (no fingerprint: any). */
function sameRequest(stored: SessionRow, session: SessionRef): boolean {
  const fingerprint = session.fingerprint ?? '';
  return stored.fingerprint === '' || fingerprint === '' || stored.fingerprint === fingerprint;
}

/** The answer to a key reused for another request: deterministic, so equal on every replica. */
function keyReused(stored: SessionRow): CommandResult {
  return {
    ok: false,
    status: 422,
    error: 'idempotency_key_reused',
    message:
      `this Idempotency-Key was used for another request (method, target, body or If-Match ` +
      `differ) at log index ${stored.raftIndex}; nothing was applied: use a new key for a new request`,
  };
}

/** `ms` as a canonical instant, or null when it has no 24-character ISO form (year < 0...). */
function canonicalMs(ms: number): string | null {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return iso.length === 24 ? iso : null;
}
