/**
 * Turns every change the user makes to the tasks into an undo entry, whichever control made it
 * (form, select, drag, keyboard): it watches the tasks slice for new changes and works out the
 * inverse from the tasks as they were just before. Changes made in one go (a card move that
 * renumbers its column) are one entry. Changes made by an undo are not recorded again.
 */
import type { Task, TaskPatch } from '../../../cluster/api/task.js';
import { STATUS_LABELS } from '../text/labels.js';
import { overlay, type Change } from './changes.js';
import type { TasksState, TasksStore } from './tasks.js';
import type { Inverse, UndoStore } from './undo.js';

export interface RecorderOptions {
  readonly tasks: TasksStore;
  readonly undo: UndoStore;
  /** Writes deleted tasks back with their ids and fields (parents before their subtasks). */
  readonly restore: (tasks: readonly Task[]) => Promise<void>;
}

export interface Recorder {
  /** Runs `fn` without recording the changes it makes (an undo, changes restored on load). */
  unrecorded<T>(fn: () => T): T;
  stop(): void;
}

function view(s: TasksState): Map<string, Task> {
  return new Map(overlay(s.tasks, s.changes).map((t) => [t.id, t]));
}

/** The task and its subtasks at any depth, parents first. */
export function subtree(tasks: ReadonlyMap<string, Task>, rootId: string): Task[] {
  const root = tasks.get(rootId);
  if (root === undefined) return [];
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    const parent = (out[i] as Task).id;
    for (const t of tasks.values()) if (t.parentId === parent) out.push(t);
  }
  return out;
}

export function describeForUndo(
  c: Change,
  deleted = 1,
): { readonly text: string; readonly undoLabel: string } {
  const name = `“${c.title}”`;
  if (c.kind === 'create') return { text: `Added ${name}.`, undoLabel: `Undo add of ${name}` };
  if (c.kind === 'delete') {
    const more = deleted > 1 ? ` and ${deleted - 1} subtask${deleted === 2 ? '' : 's'}` : '';
    return { text: `Deleted ${name}${more}.`, undoLabel: `Undo delete of ${name}` };
  }
  const keys = Object.keys(c.patch).filter((k) => k !== 'position');
  const { status } = c.patch;
  if (keys.length === 1 && status === 'done') {
    return { text: `Completed ${name}.`, undoLabel: `Undo completion of ${name}` };
  }
  if (keys.length === 1 && status !== undefined) {
    return {
      text: `Moved ${name} to ${STATUS_LABELS[status]}.`,
      undoLabel: `Undo move of ${name}`,
    };
  }
  if (keys.length === 0 || (keys.length === 1 && keys[0] === 'projectId')) {
    return { text: `Moved ${name}.`, undoLabel: `Undo move of ${name}` };
  }
  return { text: `Edited ${name}.`, undoLabel: `Undo edit of ${name}` };
}

export function startUndoRecorder(o: RecorderOptions): Recorder {
  const { tasks, undo } = o;
  let muted = 0;
  let group: { before: Map<string, Task>; changes: Change[] } | null = null;

  /** The change's task id now: a create's `local-…` id gives way to the cluster's. */
  const taskIdOf = (c: Change): string =>
    tasks.getState().changes.find((x) => x.id === c.id)?.taskId ?? c.taskId;

  /**
   * Resolves once the change has committed (with what it committed as) or failed or been
   * dropped (null).
   */
  const settled = (changeId: string): Promise<Change['state'] | null> =>
    new Promise((resolve) => {
      const check = (s: TasksState): boolean => {
        const c = s.changes.find((x) => x.id === changeId);
        if (c !== undefined && (c.state.phase === 'pending' || c.state.phase === 'scheduled')) {
          return false;
        }
        resolve(c?.state.phase === 'committed' ? c.state : null);
        return true;
      };
      if (check(tasks.getState())) return;
      const unsub = tasks.subscribe((s) => {
        if (check(s)) unsub();
      });
    });

  function inverseOf(c: Change, before: ReadonlyMap<string, Task>): Inverse | null {
    if (c.kind === 'create') {
      return () => {
        tasks.getState().deleteTask(taskIdOf(c));
      };
    }
    if (c.kind === 'delete') {
      const gone = subtree(before, c.taskId);
      if (gone.length === 0) return null;
      return async () => {
        // Still inside the delete's own window: nothing was sent, so nothing to write back.
        if (tasks.getState().undoDelete(c.id)) return;
        if ((await settled(c.id)) === null) return;
        await o.restore(gone);
      };
    }
    const was = before.get(c.taskId);
    if (was === undefined) return null;
    const back: Record<string, unknown> = {};
    for (const k of Object.keys(c.patch)) back[k] = was[k as keyof Task];
    const reopen = (): string => {
      const id = tasks.getState().updateTask(taskIdOf(c), back as TaskPatch);
      if (id === null) throw new Error(`“${c.title}” no longer exists.`);
      return id;
    };
    if (!(c.patch.status === 'done' && was.status !== 'done' && was.recurrence !== null)) {
      return () => void reopen();
    }
    // Completing a recurring task created its next occurrence and moved the rule there: undo
    // takes the rule back, and once that has committed deletes the occurrence (with the subtasks
    // copied into it). Never the other way round: if the reopen is refused, the series lives on
    // in the occurrence.
    back.recurrence = was.recurrence;
    return async () => {
      const completed = await settled(c.id);
      // After an await: no longer inside the undo's own unrecorded call.
      const reopened = recorder.unrecorded(reopen);
      const nextId = completed?.phase === 'committed' ? completed.nextId : undefined;
      if (nextId === undefined) return;
      if ((await settled(reopened)) === null) {
        throw new Error(`“${c.title}” could not be reopened; its next occurrence is kept.`);
      }
      recorder.unrecorded(() => tasks.getState().deleteTask(nextId));
    };
  }

  function close(): void {
    const g = group;
    group = null;
    if (g === null) return;
    const inverses = g.changes
      .map((c) => inverseOf(c, g.before))
      .filter((f): f is Inverse => f !== null)
      .reverse();
    const last = g.changes[g.changes.length - 1];
    if (last === undefined || inverses.length === 0) return;
    const deleted = last.kind === 'delete' ? subtree(g.before, last.taskId).length : 1;
    const { text, undoLabel } = describeForUndo(last, deleted);
    undo.getState().record(text, undoLabel, async () => {
      // The synchronous part (new changes) unrecorded; then wait for any write-back.
      const pending = recorder.unrecorded(() => inverses.map((f) => f()));
      await Promise.all(pending);
    });
  }

  const unsubscribe = tasks.subscribe((s, prev) => {
    if (muted > 0 || s.changes === prev.changes) return;
    const known = new Set(prev.changes.map((c) => c.id));
    const fresh = s.changes.filter((c) => !known.has(c.id));
    if (fresh.length === 0) return;
    if (group === null) {
      group = { before: view(prev), changes: [] };
      queueMicrotask(close);
    }
    group.changes.push(...fresh);
  });

  const recorder: Recorder = {
    unrecorded(fn) {
      muted++;
      try {
        return fn();
      } finally {
        muted--;
      }
    },
    stop: unsubscribe,
  };
  return recorder;
}
