/**
 * Every IPC handler of the window, each with the zod schema of its arguments, registered through
 * the one helper (ipc.ts). The schemas check types and sizes; the task fields themselves are
 * checked by the node (cluster/api/schemas.ts), so a bad title gets the node's own per-field
 * details whichever transport carried it.
 */
import { z } from 'zod';
import type {
  AppSettings,
  BridgeResult,
  ShellMethod,
  ShellNotification,
  StartupState,
} from '../cluster/api/bridge.js';
import type { ClusterEvent } from '../cluster/api/control.js';
import { IDEMPOTENCY_KEY } from '../cluster/api/idempotency.js';
import {
  TAG_MAX,
  TAGS_MAX,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TITLE_MAX,
} from '../cluster/api/task.js';
import { networkBodySchema } from '../cluster/supervisor/network.js';
import { EVENTS_CHANNEL, bridgeChannel, shellChannel } from './channels.js';
import type { BridgeHost } from './host.js';
import type { Ipc } from './ipc.js';
import { settingsSchema } from './settings.js';

const nodeId = z.number().int().min(1).max(9_999_999);
const taskId = z.string().min(1).max(100);

const listOptions = z.strictObject({
  consistency: z.enum(['linearizable', 'leader', 'stale']).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  q: z.string().max(TITLE_MAX).optional(),
  projectId: z.string().min(1).max(100).optional(),
  tags: z
    .array(z.string().max(TAG_MAX * 4))
    .max(TAGS_MAX)
    .optional(),
  parentId: z.string().min(1).max(100).optional(),
  due: z.enum(['overdue', 'today', 'upcoming', 'none']).optional(),
  tz: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  offset: z.number().int().min(0).optional(),
});

/** Types and sizes only: the node checks the rest (empty title, real date, …) in one place. */
const taskFields = {
  title: z.string().max(50_000),
  description: z.string().max(50_000),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(TASK_PRIORITIES),
  dueDate: z.string().max(64).nullable(),
  dueTime: z.string().max(64).nullable(),
  projectId: z.string().max(100).nullable(),
  tags: z.array(z.string().max(1000)).max(1000),
  parentId: z.string().max(100).nullable(),
  recurrence: z
    .strictObject({ rrule: z.string().max(10_000), from: z.enum(['due', 'completion']) })
    .nullable(),
  position: z.number(),
};
const taskInput = z.strictObject({
  ...taskFields,
  description: taskFields.description.optional(),
  status: taskFields.status.optional(),
  priority: taskFields.priority.optional(),
  dueDate: taskFields.dueDate.optional(),
  dueTime: taskFields.dueTime.optional(),
  projectId: taskFields.projectId.optional(),
  tags: taskFields.tags.optional(),
  parentId: taskFields.parentId.optional(),
  recurrence: taskFields.recurrence.optional(),
  position: taskFields.position.optional(),
});
const taskPatch = z.strictObject(taskFields).partial();

/** Types and sizes; the node checks the name's length and uniqueness and the colour's form. */
const projectFields = {
  name: z.string().max(50_000),
  color: z.string().max(64).nullable(),
  position: z.number(),
};
const projectInput = z.strictObject({
  name: projectFields.name,
  color: projectFields.color.optional(),
  position: projectFields.position.optional(),
});
const projectPatch = z.strictObject(projectFields).partial();

/** The control API's import limit (16 MiB); the document is checked by the node. */
const IMPORT_MAX = 16 * 1024 * 1024;
const importBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('json'), document: z.unknown() }),
  z.strictObject({ kind: z.literal('csv'), text: z.string().max(IMPORT_MAX) }),
]);

const writeOptions = z.strictObject({
  // The contract's keys (1..255 printable ASCII); the host writes the header form.
  idempotencyKey: z.string().regex(IDEMPOTENCY_KEY, 'must be 1 to 255 printable ASCII characters'),
  ifMatch: z.number().int().min(1).optional(),
});

/** The contract's bounds (history.ts): 0–16 background clients. */
const historyRecordBody = z.strictObject({
  record: z.boolean(),
  clients: z.number().int().min(0).max(16).optional(),
});

export interface ShellHandlers {
  getStartup(): StartupState;
  getSettings(): AppSettings;
  /** Saves validated settings; answers what was saved. */
  saveSettings(settings: AppSettings): AppSettings;
  retryStart(): StartupState;
  quit(): void;
  notify(notification: ShellNotification): void;
}

const notification = z.strictObject({
  title: z.string().min(1).max(TITLE_MAX),
  body: z.string().max(500),
  tag: z.string().min(1).max(400),
});

export interface EventsHandler {
  /** Starts (true) or stops pushing events to the window; answers the replay when starting. */
  setWanted(on: boolean): readonly ClusterEvent[];
}

const ok = <T>(value: T): BridgeResult<T> => ({ ok: true, value });

export function registerBridge(ipc: Ipc, host: BridgeHost, events: EventsHandler): void {
  ipc.handle(bridgeChannel('listTasks'), z.tuple([listOptions.optional()]), ([o]) =>
    host.listTasks(o),
  );
  ipc.handle(bridgeChannel('createTask'), z.tuple([taskInput, writeOptions]), ([input, o]) =>
    host.createTask(input, o),
  );
  ipc.handle(
    bridgeChannel('updateTask'),
    z.tuple([taskId, taskPatch, writeOptions]),
    ([id, patch, o]) => host.updateTask(id, patch, o),
  );
  ipc.handle(bridgeChannel('deleteTask'), z.tuple([taskId, writeOptions]), ([id, o]) =>
    host.deleteTask(id, o),
  );
  ipc.handle(bridgeChannel('listProjects'), z.tuple([]), () => host.listProjects());
  ipc.handle(bridgeChannel('createProject'), z.tuple([projectInput, writeOptions]), ([p, o]) =>
    host.createProject(p, o),
  );
  ipc.handle(
    bridgeChannel('updateProject'),
    z.tuple([taskId, projectPatch, writeOptions]),
    ([id, patch, o]) => host.updateProject(id, patch, o),
  );
  ipc.handle(
    bridgeChannel('deleteProject'),
    z.tuple([taskId, z.enum(['keep', 'delete']), writeOptions]),
    ([id, tasks, o]) => host.deleteProject(id, tasks, o),
  );
  ipc.handle(bridgeChannel('listTags'), z.tuple([]), () => host.listTags());
  ipc.handle(bridgeChannel('exportData'), z.tuple([]), () => host.exportData());
  ipc.handle(bridgeChannel('exportCsv'), z.tuple([]), () => host.exportCsv());
  ipc.handle(bridgeChannel('importData'), z.tuple([importBody, writeOptions]), ([body, o]) =>
    host.importData(body, o),
  );
  ipc.handle(bridgeChannel('getCluster'), z.tuple([]), () => host.getCluster());
  ipc.handle(
    bridgeChannel('nodeAction'),
    z.tuple([nodeId, z.enum(['pause', 'resume', 'kill', 'restart', 'stop', 'start'])]),
    ([id, action]) => host.nodeAction(id, action),
  );
  ipc.handle(
    bridgeChannel('mysqlAction'),
    z.tuple([nodeId, z.enum(['stop', 'start', 'pause', 'resume'])]),
    ([id, action]) => host.mysqlAction(id, action),
  );
  ipc.handle(bridgeChannel('addNode'), z.tuple([]), () => host.addNode());
  ipc.handle(bridgeChannel('removeNode'), z.tuple([nodeId]), ([id]) => host.removeNode(id));
  ipc.handle(bridgeChannel('setNetwork'), z.tuple([networkBodySchema]), ([body]) =>
    host.setNetwork(body),
  );
  ipc.handle(bridgeChannel('healNetwork'), z.tuple([]), () => host.healNetwork());
  // The supervisor checks the range (MIN_SLOW..MAX_SLOW) and says so.
  ipc.handle(bridgeChannel('setSlow'), z.tuple([z.number()]), ([f]) => host.setSlow(f));
  ipc.handle(bridgeChannel('getChecksums'), z.tuple([]), () => host.getChecksums());
  ipc.handle(bridgeChannel('getHistory'), z.tuple([]), () => host.getHistory());
  ipc.handle(bridgeChannel('recordHistory'), z.tuple([historyRecordBody]), ([body]) =>
    host.recordHistory(body),
  );
  ipc.handle(bridgeChannel('checkHistory'), z.tuple([]), () => host.checkHistory());
  ipc.handle(EVENTS_CHANNEL, z.tuple([z.boolean()]), ([on]) => ok(events.setWanted(on)));
}

export function registerShell(ipc: Ipc, shell: ShellHandlers): void {
  const none = z.tuple([]);
  const table: Record<
    Exclude<ShellMethod, 'saveSettings' | 'notify'>,
    () => BridgeResult<unknown>
  > = {
    getStartup: () => ok(shell.getStartup()),
    getSettings: () => ok(shell.getSettings()),
    retryStart: () => ok(shell.retryStart()),
    quit: () => {
      shell.quit();
      return ok(null);
    },
  };
  for (const [method, fn] of Object.entries(table)) {
    ipc.handle(shellChannel(method as ShellMethod), none, fn);
  }
  ipc.handle(shellChannel('saveSettings'), z.tuple([settingsSchema]), ([s]) =>
    ok(shell.saveSettings(s)),
  );
  ipc.handle(shellChannel('notify'), z.tuple([notification]), ([n]) => {
    shell.notify(n);
    return ok(null);
  });
}
