/**
 * All slices for one window, wired together: a status event updates the cluster slice, and an
 * election releases the changes waiting for a leader. Built per window (and per test) rather
 * than as module singletons, so a test owns its stores and its fake API.
 */
import { newIdempotencyKey } from '../api/keys.js';
import type { RaftboardApi } from '../api/types.js';
import { createMetricsStore, watchWriteLatency, type MetricsStore } from '../metrics/store.js';
import type { Clock } from './clock.js';
import { createClusterStore, type ClusterStore } from './cluster.js';
import { createEventsStore, type EventsStore, type EventsStoreOptions } from './events.js';
import { createProjectsStore, type ProjectsStore } from './projects.js';
import { createSettingsStore, type Settings, type SettingsStore } from './settings.js';
import { createTasksStore, type TasksStore } from './tasks.js';
import { createUiStore, type UiStore } from './ui.js';
import { createUndoStore, type UndoStore } from './undo.js';
import { startUndoRecorder, type Recorder } from './undo-recorder.js';
import { restoreTasks } from './restore.js';
import { createRemindersStore, type RemindersStore } from '../reminders/store.js';
import { startOutbox, type Outbox, type OutboxStorage } from './outbox.js';
import type { Change } from './changes.js';

export interface Stores {
  readonly api: RaftboardApi;
  readonly tasks: TasksStore;
  readonly projects: ProjectsStore;
  readonly cluster: ClusterStore;
  readonly events: EventsStore;
  readonly settings: SettingsStore;
  readonly ui: UiStore;
  readonly metrics: MetricsStore;
  readonly undo: UndoStore;
  /** Runs `fn` without making undo entries of the changes it makes. */
  readonly unrecorded: Recorder['unrecorded'];
  /** Unsent changes written down across reloads; null when not kept (tests, by default). */
  readonly outbox: Outbox | null;
  /** Reminders showing, filled by reminders/start.ts when the window starts them. */
  readonly reminders: RemindersStore;
  dispose(): void;
}

export interface StoresOptions {
  readonly clock?: Clock;
  readonly retry?: { readonly baseMs: number; readonly maxMs: number };
  readonly settings?: Partial<Settings>;
  /** Where settings persist: localStorage by default, null for nowhere (tests). */
  readonly storage?: Storage | null;
  readonly schedule?: EventsStoreOptions['schedule'];
  /** Where unsent changes are kept across reloads (IndexedDB in the window); none by default. */
  readonly outbox?: OutboxStorage | null;
}

export function createStores(api: RaftboardApi, options: StoresOptions = {}): Stores {
  const settings = createSettingsStore(options.settings, options.storage);
  let outbox: Outbox | null = null;
  const tasks = createTasksStore({
    api,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    undoMs: () => settings.getState().undoMs,
    consistency: () => settings.getState().consistency,
    ...(options.outbox
      ? { beforeSend: (c: Change) => outbox?.beforeSend(c) ?? Promise.resolve() }
      : {}),
  });
  const undo = createUndoStore(options.clock ? { clock: options.clock } : {});
  const recorder = startUndoRecorder({
    tasks,
    undo,
    restore: (gone) => restoreTasks(api, tasks, gone, newIdempotencyKey()),
  });
  if (options.outbox) {
    outbox = startOutbox({ tasks, storage: options.outbox, unrecorded: recorder.unrecorded });
  }
  const cluster = createClusterStore(api);
  const projects = createProjectsStore({
    api,
    onTasksChanged: () => void tasks.getState().loadTasks(),
  });
  // Whenever the task list is read at a new index, the projects may have moved with it.
  const stopProjects = tasks.subscribe((s, prev) => {
    if (s.load.appliedIndex !== prev.load.appliedIndex) void projects.getState().loadProjects();
  });
  const clock = options.clock;
  const now = clock === undefined ? Date.now : () => clock.now();
  const metrics = createMetricsStore({ now });
  const stopLatency = watchWriteLatency(tasks, (ms) => metrics.getState().recordLatency(ms), now);
  const events = createEventsStore({
    ...(options.schedule ? { schedule: options.schedule } : {}),
    onBatch(batch) {
      let status = null;
      let elected = false;
      for (const e of batch) {
        if (e.type === 'status') status = e.cluster;
        else if (e.type === 'election') elected = true;
      }
      if (status !== null) cluster.getState().setStatus(status);
      cluster.getState().addMessages(batch);
      if (elected) tasks.getState().retryAllPending();
      metrics.getState().ingest(batch);
    },
  });
  return {
    api,
    tasks,
    projects,
    cluster,
    events,
    settings,
    ui: createUiStore(),
    metrics,
    undo,
    unrecorded: (fn) => recorder.unrecorded(fn),
    outbox,
    reminders: createRemindersStore(),
    dispose: () => {
      outbox?.stop();
      recorder.stop();
      undo.getState().dispose();
      stopLatency();
      stopProjects();
      tasks.getState().dispose();
    },
  };
}
