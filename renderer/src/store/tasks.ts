/**
 * The tasks slice: the tasks as the cluster committed them, and the user's changes on their way
 * there (see changes.ts). Changes to one task are sent one after another, each with If-Match of
 * the version the previous one produced, so a quick edit-then-move never conflicts with itself.
 * A change that cannot commit (no quorum, no answer) stays pending and is retried with its
 * Idempotency-Key until it commits or fails for a reason retrying cannot fix.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ReadConsistency,
  TaskListResponse,
  WriteResponse,
} from '../../../cluster/api/node.js';
import type { Task, TaskInput, TaskPatch, TaskStatus } from '../../../cluster/api/task.js';
import { isRetryable, toRequestError, type ApiRequestError } from '../api/errors.js';
import { newIdempotencyKey } from '../api/keys.js';
import type { RaftboardApi } from '../api/types.js';
import { LOCAL_ID_PREFIX, isUnsettled, overlay, type Change, type ChangeError } from './changes.js';
import { systemClock, type Clock } from './clock.js';
import { mergeList } from './list-merge.js';
import { failureText, loadErrorText, pendingMessage, retryDelay } from './messages.js';

export interface LoadState {
  readonly status: 'idle' | 'loading' | 'loaded' | 'error';
  readonly error: string | null;
  /** The applied index the last list was read at. */
  readonly appliedIndex: number;
  readonly consistency: ReadConsistency;
  /** The list hit the API's limit: there may be more tasks than shown. */
  readonly truncated: boolean;
}

export interface TasksState {
  readonly tasks: Readonly<Record<string, Task>>;
  readonly changes: readonly Change[];
  readonly load: LoadState;
  /** The occurrence the last completion of a recurring task created, to tell the user. */
  readonly nextOccurrence: Task | null;

  loadTasks(consistency?: ReadConsistency): Promise<void>;
  /** Each returns the change's id (null when the task is unknown). */
  createTask(input: TaskInput): string;
  updateTask(taskId: string, patch: TaskPatch): string | null;
  moveTask(taskId: string, status: TaskStatus): string | null;
  /** Hides the task now; the DELETE is sent when the undo window closes. */
  deleteTask(taskId: string): string | null;
  undoDelete(changeId: string): boolean;
  retryNow(changeId: string): void;
  /** A leader was just elected: every waiting change goes now rather than at its timer. */
  retryAllPending(): void;
  /**
   * Takes over unsent changes of an earlier page, in order, with their keys and If-Match, so
   * each is the same request again and the node answers a retry with its first answer.
   */
  resume(changes: readonly ResumedChange[]): void;
  /** A failed change tried again as a new user action (so with a new Idempotency-Key). */
  tryAgain(changeId: string): void;
  dismiss(changeId: string): void;
  dispose(): void;
}

export interface TasksStoreOptions {
  readonly api: RaftboardApi;
  readonly clock?: Clock;
  readonly retry?: { readonly baseMs: number; readonly maxMs: number };
  /** Read at each delete, so a settings change applies at once. */
  readonly undoMs?: () => number;
  readonly consistency?: () => ReadConsistency;
  readonly newKey?: () => string;
  /**
   * Awaited before each attempt is sent, once its If-Match is pinned: the outbox writes the
   * request down first, so a reload can send the very same request again.
   */
  readonly beforeSend?: (change: Change) => Promise<void>;
}

/** A change written down by an earlier page (the outbox), to be sent again as it was. */
export type ResumedChange = Change extends infer C
  ? C extends Change
    ? Omit<C, 'id' | 'state'>
    : never
  : never;

/** The API's own maximum page; the window shows at most this many tasks. */
export const LIST_LIMIT = 10_000;
/** Settled changes kept for the changes panel and the badges; unsettled ones are never dropped. */
const KEEP_SETTLED = 100;

export type TasksStore = StoreApi<TasksState>;

export function createTasksStore(options: TasksStoreOptions): TasksStore {
  const { api } = options;
  const clock = options.clock ?? systemClock;
  const policy = options.retry ?? { baseMs: 1000, maxMs: 10_000 };
  const undoMs = options.undoMs ?? (() => 5000);
  const newKey = options.newKey ?? newIdempotencyKey;
  const timers = new Map<string, unknown>();
  let nextId = 1;
  let disposed = false;
  /** Only the newest list read may land: an older one finishing late would roll the view back. */
  let loadSeq = 0;

  return createStore<TasksState>()((set, get) => {
    const find = (id: string): Change | undefined => get().changes.find((c) => c.id === id);

    const replace = (id: string, fn: (c: Change) => Change): void =>
      set((s) => ({ changes: s.changes.map((c) => (c.id === id ? fn(c) : c)) }));

    const clearTimer = (id: string): void => {
      const h = timers.get(id);
      if (h !== undefined) clock.clearTimeout(h);
      timers.delete(id);
    };

    const prune = (changes: readonly Change[]): Change[] => {
      let settled = changes.filter((c) => !isUnsettled(c)).length;
      return changes.filter((c) => isUnsettled(c) || settled-- <= KEEP_SETTLED);
    };

    /** The task as the user sees it now (committed plus unsettled changes). */
    const current = (taskId: string): Task | undefined => {
      const s = get();
      const own = s.changes.filter((c) => c.taskId === taskId);
      const base = s.tasks[taskId];
      return overlay(base === undefined ? {} : { [taskId]: base }, own).find(
        (t) => t.id === taskId,
      );
    };

    const add = (change: Change): string => {
      set((s) => ({ changes: prune([...s.changes, change]) }));
      pump();
      return change.id;
    };

    const pendingPhase = (): Change['state'] => ({
      phase: 'pending',
      attempts: 0,
      inFlight: false,
      message: null,
      nextRetryAt: null,
    });

    const base = (taskId: string, title: string): Omit<Change, 'kind' | 'state'> => ({
      id: `c${nextId++}`,
      key: newKey(),
      taskId,
      title,
      createdAt: clock.now(),
    });

    /** Sends every pending change that is first in line for its task and not waiting. */
    function pump(): void {
      if (disposed) return;
      const busy = new Set<string>();
      for (const c of get().changes) {
        if (c.state.phase === 'scheduled') continue;
        if (c.state.phase !== 'pending') continue;
        if (busy.has(c.taskId)) continue;
        busy.add(c.taskId);
        // A change to a task whose create has not committed waits: the task has no real id yet.
        if (c.kind !== 'create' && c.taskId.startsWith(LOCAL_ID_PREFIX)) continue;
        if (!c.state.inFlight && c.state.nextRetryAt === null) void send(c.id);
      }
    }

    async function send(changeId: string): Promise<void> {
      const c0 = find(changeId);
      if (c0 === undefined || c0.state.phase !== 'pending' || c0.state.inFlight) return;
      const attempts = c0.state.attempts + 1;
      // The version is pinned at the first attempt: a retry must be the same request.
      const ifMatch =
        c0.kind === 'create' ? undefined : (c0.ifMatch ?? get().tasks[c0.taskId]?.version);
      replace(changeId, (c) => ({
        ...c,
        ifMatch,
        state: { ...pendingPhase(), attempts, inFlight: true, message: pendingMessageOf(c) },
      }));
      const c = find(changeId);
      if (c === undefined) return;
      if (options.beforeSend !== undefined) {
        try {
          await options.beforeSend(c);
        } catch {
          // Not written down (storage refused): sending still beats holding the change back.
        }
        if (disposed) return;
      }
      try {
        const opts = { idempotencyKey: c.key, ...(ifMatch === undefined ? {} : { ifMatch }) };
        const res =
          c.kind === 'create'
            ? await api.createTask(c.input, opts)
            : c.kind === 'update'
              ? await api.updateTask(c.taskId, c.patch, opts)
              : await api.deleteTask(c.taskId, opts);
        if (!disposed) committed(changeId, res);
      } catch (e) {
        if (!disposed) failedAttempt(changeId, toRequestError(e), attempts);
      }
      pump();
    }

    function committed(changeId: string, res: WriteResponse): void {
      const c = find(changeId);
      if (c === undefined) return;
      const realId = res.task?.id ?? c.taskId;
      set((s) => {
        const tasks = { ...s.tasks };
        if (c.kind === 'delete') delete tasks[c.taskId];
        else if (res.task !== null) {
          const known = tasks[res.task.id];
          if (known === undefined || known.version <= res.task.version)
            tasks[res.task.id] = res.task;
        }
        // A delete takes the task's subtasks with it; a completed recurring task comes back.
        for (const id of res.deletedIds ?? []) delete tasks[id];
        if (res.next !== undefined) tasks[res.next.id] = res.next;
        const changes = s.changes.map((x): Change => {
          const moved = x.taskId === c.taskId && c.kind === 'create' ? { ...x, taskId: realId } : x;
          if (x.id !== changeId) return moved;
          return {
            ...moved,
            state: {
              phase: 'committed',
              raftIndex: res.raftIndex,
              term: res.term,
              servedBy: res.servedBy,
              ...(res.next === undefined ? {} : { nextId: res.next.id }),
            },
          };
        });
        return {
          tasks,
          changes: prune(changes),
          ...(res.next === undefined ? {} : { nextOccurrence: res.next }),
        };
      });
    }

    function failedAttempt(changeId: string, err: ApiRequestError, attempts: number): void {
      const c = find(changeId);
      if (c === undefined) return;
      if (isRetryable(err)) {
        const delay = retryDelay(err, attempts, policy);
        replace(changeId, (x) => ({
          ...x,
          state: {
            phase: 'pending',
            attempts,
            inFlight: false,
            message: pendingMessage(err, attempts),
            nextRetryAt: clock.now() + delay,
          },
        }));
        clearTimer(changeId);
        timers.set(
          changeId,
          clock.setTimeout(() => {
            timers.delete(changeId);
            release(changeId);
          }, delay),
        );
        return;
      }
      const error: ChangeError = {
        status: err.status,
        code: err.code,
        message: failureText(err),
        ...(err.details === undefined ? {} : { details: err.details }),
      };
      set((s) => {
        const tasks = { ...s.tasks };
        // The task is gone from the cluster: stop showing it.
        if (err.code === 'not_found' && c.kind !== 'create') delete tasks[c.taskId];
        const changes = s.changes.map((x): Change => {
          if (x.id === changeId) return { ...x, state: { phase: 'failed', error } };
          // Later changes to a task that was never created cannot succeed either.
          if (c.kind === 'create' && x.taskId === c.taskId && isUnsettled(x)) {
            const because = `its task was never created: ${error.message}`;
            return { ...x, state: { phase: 'failed', error: { ...error, message: because } } };
          }
          return x;
        });
        return { tasks, changes };
      });
      // Someone else changed the task: fetch the versions the next change must match.
      if (err.code === 'version_conflict') void get().loadTasks();
    }

    /** A waiting change may go again now. */
    function release(changeId: string): void {
      const c = find(changeId);
      if (c === undefined || c.state.phase !== 'pending' || c.state.inFlight) return;
      clearTimer(changeId);
      replace(changeId, (x) =>
        x.state.phase === 'pending' ? { ...x, state: { ...x.state, nextRetryAt: null } } : x,
      );
      pump();
    }

    function pendingMessageOf(c: Change): string | null {
      return c.state.phase === 'pending' ? c.state.message : null;
    }

    return {
      tasks: {},
      changes: [],
      nextOccurrence: null,
      load: {
        status: 'idle',
        error: null,
        appliedIndex: 0,
        consistency: 'linearizable',
        truncated: false,
      },

      async loadTasks(consistency) {
        const wanted = consistency ?? options.consistency?.() ?? 'linearizable';
        const seq = ++loadSeq;
        set((s) => ({ load: { ...s.load, status: 'loading', consistency: wanted } }));
        let list: TaskListResponse;
        try {
          list = await api.listTasks({ consistency: wanted, limit: LIST_LIMIT });
        } catch (e) {
          if (seq !== loadSeq) return;
          const err = toRequestError(e);
          const error = loadErrorText(err, wanted);
          set((s) => ({ load: { ...s.load, status: 'error', error } }));
          return;
        }
        if (disposed || seq !== loadSeq) return;
        set((s) => ({
          tasks: mergeList(list, s.tasks, s.changes),
          load: {
            status: 'loaded',
            error: null,
            appliedIndex: list.appliedIndex,
            consistency: wanted,
            truncated: list.tasks.length >= LIST_LIMIT,
          },
        }));
      },

      createTask(input) {
        const b = base('', input.title.trim());
        return add({
          ...b,
          taskId: `${LOCAL_ID_PREFIX}${b.id}`,
          kind: 'create',
          input,
          state: pendingPhase(),
        });
      },

      updateTask(taskId, patch) {
        const t = current(taskId);
        if (t === undefined) return null;
        return add({ ...base(taskId, t.title), kind: 'update', patch, state: pendingPhase() });
      },

      moveTask(taskId, status) {
        const t = current(taskId);
        if (t === undefined || t.status === status) return null;
        return get().updateTask(taskId, { status });
      },

      deleteTask(taskId) {
        const t = current(taskId);
        if (t === undefined) return null;
        const window = undoMs();
        const b = base(taskId, t.title);
        if (window <= 0) return add({ ...b, kind: 'delete', state: pendingPhase() });
        const until = clock.now() + window;
        add({ ...b, kind: 'delete', state: { phase: 'scheduled', until } });
        timers.set(
          b.id,
          clock.setTimeout(() => {
            timers.delete(b.id);
            replace(b.id, (x) =>
              x.state.phase === 'scheduled' ? { ...x, state: pendingPhase() } : x,
            );
            pump();
          }, window),
        );
        return b.id;
      },

      undoDelete(changeId) {
        const c = find(changeId);
        if (c === undefined || c.kind !== 'delete' || c.state.phase !== 'scheduled') return false;
        clearTimer(changeId);
        set((s) => ({ changes: s.changes.filter((x) => x.id !== changeId) }));
        return true;
      },

      retryNow: release,

      retryAllPending() {
        for (const c of get().changes) {
          if (c.state.phase === 'pending' && c.state.nextRetryAt !== null) release(c.id);
        }
      },

      resume(resumed) {
        // Their `local-…` ids were another page's: give them fresh ones, the same for one task.
        const local = new Map<string, string>();
        const adopted = resumed.map((r): Change => {
          const id = `c${nextId++}`;
          let taskId = r.taskId;
          if (taskId.startsWith(LOCAL_ID_PREFIX)) {
            taskId = local.get(r.taskId) ?? `${LOCAL_ID_PREFIX}${id}`;
            local.set(r.taskId, taskId);
          }
          return { ...r, id, taskId, state: pendingPhase() } as Change;
        });
        set((s) => ({ changes: [...adopted, ...s.changes] }));
        pump();
      },

      tryAgain(changeId) {
        const c = find(changeId);
        if (c === undefined || c.state.phase !== 'failed') return;
        const again: Change = {
          ...c,
          key: newKey(),
          ifMatch: undefined,
          createdAt: clock.now(),
          state: pendingPhase(),
        };
        set((s) => ({ changes: [...s.changes.filter((x) => x.id !== changeId), again] }));
        pump();
      },

      dismiss(changeId) {
        const c = find(changeId);
        if (c === undefined || isUnsettled(c)) return;
        set((s) => ({ changes: s.changes.filter((x) => x.id !== changeId) }));
      },

      dispose() {
        disposed = true;
        for (const h of timers.values()) clock.clearTimeout(h);
        timers.clear();
      },
    };
  });
}
