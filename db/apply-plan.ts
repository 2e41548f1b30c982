/**
 * The pure half of `applyBatch`: given the entries, the applied index/clock and the rows the
 * batch names (read by the caller), decides every entry's answer and the net row changes. The
 * MySQL state machine (statemachine.ts) and the simulator's in-memory store both apply batches
 * through `planBatch`, so their answers are the same code. Nothing here does I/O or reads a clock.
 */
import type { CommandResult, SessionRef, Task, TaskCommand } from '../cluster/api/task.js';
import { decodeCommand, sessionStorageKey, tagKey } from './command.js';
import { StateMachineError } from './errors.js';
import type { ClientSessionAttributes } from './models/client-session.js';
import { execute } from './execute-command.js';
import { readStoredResult } from './legacy-result.js';
import { parentsFirst, type ProjectRow, type StateView } from './state-view.js';
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

/**
 * What a batch must read before it is planned (`planBatch` is synchronous): the rows its
 * commands name and every row a rule may reach from them. Over-reading is harmless; every
 * store reads exactly these sets, so their views, and answers, are the same.
 */
export interface BatchReads {
  /** One per entry: the command in it, or null (no-op, conf entry, malformed). */
  readonly commands: readonly (TaskCommand | null)[];
  /** Read these tasks and all their ancestors (parents named: existence and cycles). */
  readonly taskIds: readonly string[];
  /**
   * Read these tasks and everything below them: deletes, completions that copy subtasks, and
   * tasks the batch moves (parentId or projectId), whose subtrees a later command may reach.
   */
  readonly subtreeRoots: readonly string[];
  /** Read the tasks of these projects and everything below them (project deletes). */
  readonly subtreeProjects: readonly string[];
  readonly projectIds: readonly string[];
  /** Read the projects with these names (`tagKey`, lowercased): name clashes. */
  readonly projectNameKeys: readonly string[];
  /** Tags named (`tagKey`); the store also reads the tags of every task it read (tagsToRead). */
  readonly tagKeys: readonly string[];
  /** Storage keys (`sessionStorageKey`). */
  readonly sessionKeys: readonly string[];
}

/** The net effect of a batch, to be written in the same transaction as the new applied index. */
export interface BatchWrites {
  /** Parents before their children (the parent_id foreign key). */
  readonly upserts: readonly Task[];
  /** Deleted task ids, in groups to delete in order: leaves first, so nothing cascades. */
  readonly deletes: readonly (readonly string[])[];
  readonly projectUpserts: readonly ProjectRow[];
  readonly projectDeletes: readonly string[];
  /** Tags in use after the batch whose row changed (id = tagKey(name)). */
  readonly tagUpserts: readonly { readonly id: string; readonly name: string }[];
  /** Tags no task uses any more. */
  readonly tagDeletes: readonly string[];
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
  const roots = new Set<string>();
  const rootProjects = new Set<string>();
  const projectIds = new Set<string>();
  const nameKeys = new Set<string>();
  const tagKeys = new Set<string>();
  const keys = new Set<string>();
  const add = (set: Set<string>, value: string | null | undefined): void => {
    if (value !== null && value !== undefined) set.add(value);
  };
  const addTags = (tags: readonly string[] | undefined): void => {
    for (const tag of tags ?? []) tagKeys.add(tagKey(tag));
  };
  for (const command of commands) {
    if (command === null) continue;
    if (command.session !== undefined) keys.add(sessionStorageKey(command.session.key));
    switch (command.op) {
      case 'create':
        add(taskIds, command.task.id);
        add(taskIds, command.task.parentId);
        add(projectIds, command.task.projectId);
        addTags(command.task.tags);
        break;
      case 'update':
        add(taskIds, command.id);
        add(taskIds, command.patch.parentId);
        add(projectIds, command.patch.projectId);
        addTags(command.patch.tags);
        // A task moved (under another task or into a project) brings its subtree along: a
        // later command of the batch that deletes or copies the subtree it joined must see
        // the moved task's descendants too. Every way a batch extends a subtree is such a move
        // or a create/import/copy (rows the view holds already), so the reads stay closed
        // whatever way the entries are grouped into batches (chains of moves included).
        if (command.patch.parentId !== undefined || command.patch.projectId !== undefined) {
          add(roots, command.id);
        }
        if (command.next !== undefined) {
          add(roots, command.id);
          add(taskIds, command.next.id);
        }
        break;
      case 'delete':
        add(roots, command.id);
        break;
      case 'project.create':
        add(projectIds, command.project.id);
        add(nameKeys, tagKey(command.project.name));
        break;
      case 'project.update':
        add(projectIds, command.id);
        if (command.patch.name !== undefined) add(nameKeys, tagKey(command.patch.name));
        break;
      case 'project.delete':
        add(projectIds, command.id);
        add(rootProjects, command.id);
        break;
      case 'import':
        for (const project of command.projects) {
          add(projectIds, project.id);
          add(nameKeys, tagKey(project.name));
        }
        for (const task of command.tasks) {
          add(taskIds, task.id);
          add(taskIds, task.parentId);
          add(projectIds, task.projectId);
          addTags(task.tags);
        }
        break;
    }
  }
  return {
    commands,
    taskIds: [...taskIds],
    subtreeRoots: [...roots],
    subtreeProjects: [...rootProjects],
    projectIds: [...projectIds],
    projectNameKeys: [...nameKeys],
    tagKeys: [...tagKeys],
    sessionKeys: [...keys],
  };
}

/** The tags to read once the tasks are read: those named and those of every task read. */
export function tagsToRead(reads: BatchReads, tasks: Iterable<Task>): string[] {
  const keys = new Set(reads.tagKeys);
  for (const task of tasks) for (const tag of task.tags) keys.add(tagKey(tag));
  return [...keys];
}

/**
 * Plans a batch. `view` and `sessions` hold the rows read for `reads` (absent: no row); both
 * are updated in place to the state after the batch. Throws `StateMachineError` if the
 * entries above `meta.index` do not continue it without a gap (nothing is to be written then).
 */
export function planBatch(
  entries: readonly ApplyEntry[],
  reads: BatchReads,
  meta: Meta,
  view: StateView,
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
            : readStoredResult(stored.result);
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
          ? readStoredResult(stored.result)
          : keyReused(stored);
        continue;
      }
    }
    const result = execute(command, entry.index, view);
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
  const deleted: string[] = [];
  for (const id of view.dirtyTasks) {
    const task = view.tasks.get(id);
    if (task === null || task === undefined) deleted.push(id);
    else upserts.push(task);
  }
  const projectUpserts: ProjectRow[] = [];
  const projectDeletes: string[] = [];
  for (const id of view.dirtyProjects) {
    const project = view.projects.get(id);
    if (project === null || project === undefined) projectDeletes.push(id);
    else projectUpserts.push(project);
  }
  const tagUpserts: { id: string; name: string }[] = [];
  const tagDeletes: string[] = [];
  for (const id of view.dirtyTags) {
    const tag = view.tags.get(id);
    if (tag === undefined || tag.uses === 0) tagDeletes.push(id);
    else tagUpserts.push({ id, name: tag.name });
  }
  const last = toApply[toApply.length - 1]!.entry;
  const clockNow = Number.isFinite(clock) ? new Date(clock).toISOString() : '';
  return {
    results,
    writes: {
      upserts: parentsFirst(upserts),
      deletes: leavesFirst(deleted, view.deletedParent),
      projectUpserts,
      projectDeletes,
      tagUpserts,
      tagDeletes,
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
    outcome: 'key_reused',
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

/** Deleted ids grouped by depth among them, deepest first (a DELETE per group cascades nothing). */
function leavesFirst(
  ids: readonly string[],
  parents: ReadonlyMap<string, string | null>,
): string[][] {
  const set = new Set(ids);
  const levels = new Map<number, string[]>();
  for (const id of ids) {
    let depth = 0;
    let parent = parents.get(id) ?? null;
    while (parent !== null && set.has(parent) && depth <= ids.length) {
      depth += 1;
      parent = parents.get(parent) ?? null;
    }
    const level = levels.get(depth) ?? [];
    level.push(id);
    levels.set(depth, level);
  }
  return [...levels.entries()].sort((a, b) => b[0] - a[0]).map(([, level]) => level);
}
