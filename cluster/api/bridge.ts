/**
 * What the Electron preload puts on `window`: the control and task API as named functions
 * (`window.raftboard`), plus the Electron-only shell (`window.raftboardShell`: start-up state,
 * settings). The main process implements it (electron/host.ts), the preload forwards it over IPC
 * (electron/preload.cts) and the renderer adapts it to its RaftboardApi (renderer/src/api/bridge.ts).
 *
 * Every function answers a BridgeResult envelope instead of throwing: contextBridge keeps only the
 * message of a thrown Error, and the renderer needs the status, code and Retry-After to decide
 * whether to retry. Only plain data crosses (structured clone): no classes, no Electron objects.
 */
import type {
  ActionResult,
  AddNodeResult,
  ClusterChecksums,
  ClusterEvent,
  ClusterStatus,
  MySqlAction,
  MySqlMode,
  NetworkBody,
  NodeAction,
} from './control.js';
import type { HistoryCheckResult, HistoryRecordBody, HistoryRecording } from './history.js';
import type { TaskListOptions } from './list-query.js';
import type {
  ExportDocument,
  ImportResponse,
  ProjectListResponse,
  ProjectWriteResponse,
  TagListResponse,
  TaskListResponse,
  WriteResponse,
} from './node.js';
import type { ApiError, ProjectFields, TaskInput, TaskPatch } from './task.js';

export type BridgeResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** HTTP-equivalent status; 0 when nothing answered. */
      readonly status: number;
      readonly error: ApiError;
      readonly retryAfterMs?: number;
    };

/** Every write carries the key of the user action it belongs to; retries reuse it. */
export interface BridgeWriteOptions {
  readonly idempotencyKey: string;
  /** The task version the change was made against; a mismatch is a 409. */
  readonly ifMatch?: number;
}

/** The list options, as the HTTP client sends them (one definition: list-query.ts). */
export type BridgeListOptions = TaskListOptions;

/** An import body: a Raftboard export (JSON) or a Todoist CSV export (text). */
export type BridgeImportBody =
  | { readonly kind: 'json'; readonly document: unknown }
  | { readonly kind: 'csv'; readonly text: string };

export type BridgeConnectionState = 'connecting' | 'open' | 'closed';

export interface BridgeEventHandlers {
  onEvent(event: ClusterEvent): void;
  onConnection?(state: BridgeConnectionState): void;
}

/** `window.raftboard`: mirrors the control API (docs/contract.md §3) and the task API (§4). */
export interface RaftboardBridge {
  listTasks(options?: BridgeListOptions): Promise<BridgeResult<TaskListResponse>>;
  createTask(input: TaskInput, options: BridgeWriteOptions): Promise<BridgeResult<WriteResponse>>;
  updateTask(
    id: string,
    patch: TaskPatch,
    options: BridgeWriteOptions,
  ): Promise<BridgeResult<WriteResponse>>;
  deleteTask(id: string, options: BridgeWriteOptions): Promise<BridgeResult<WriteResponse>>;

  listProjects(): Promise<BridgeResult<ProjectListResponse>>;
  createProject(
    input: Pick<ProjectFields, 'name'> & Partial<ProjectFields>,
    options: BridgeWriteOptions,
  ): Promise<BridgeResult<ProjectWriteResponse>>;
  updateProject(
    id: string,
    patch: Partial<ProjectFields>,
    options: BridgeWriteOptions,
  ): Promise<BridgeResult<ProjectWriteResponse>>;
  deleteProject(
    id: string,
    tasks: 'keep' | 'delete',
    options: BridgeWriteOptions,
  ): Promise<BridgeResult<ProjectWriteResponse>>;
  listTags(): Promise<BridgeResult<TagListResponse>>;
  exportData(): Promise<BridgeResult<ExportDocument>>;
  /** Tasks as CSV with a header row (`GET /export?format=csv`). */
  exportCsv(): Promise<BridgeResult<string>>;
  importData(
    body: BridgeImportBody,
    options: BridgeWriteOptions,
  ): Promise<BridgeResult<ImportResponse>>;

  getCluster(): Promise<BridgeResult<ClusterStatus>>;
  nodeAction(id: number, action: NodeAction): Promise<BridgeResult<ActionResult>>;
  mysqlAction(id: number, action: MySqlAction): Promise<BridgeResult<ActionResult>>;
  addNode(): Promise<BridgeResult<AddNodeResult>>;
  removeNode(id: number): Promise<BridgeResult<ActionResult>>;
  setNetwork(body: NetworkBody): Promise<BridgeResult<ActionResult>>;
  healNetwork(): Promise<BridgeResult<ActionResult>>;
  setSlow(factor: number): Promise<BridgeResult<ActionResult>>;
  /** Every member's database checksum, and the replicas that diverge (`GET /api/checksums`). */
  getChecksums(): Promise<BridgeResult<ClusterChecksums>>;

  /** Recording a live session and checking it (history.ts). */
  getHistory(): Promise<BridgeResult<HistoryRecording>>;
  recordHistory(body: HistoryRecordBody): Promise<BridgeResult<HistoryRecording>>;
  checkHistory(): Promise<BridgeResult<HistoryCheckResult>>;

  /** Recent events and a status snapshot first, then every event; returns the unsubscribe. */
  subscribeEvents(handlers: BridgeEventHandlers): () => void;
}

/** The request/answer functions of the bridge: one IPC channel each. */
export type BridgeMethod = Exclude<keyof RaftboardBridge, 'subscribeEvents'>;

// ---------------------------------------------------------------------------------------------
// The Electron-only shell: the start-up view and the settings.

/** Raft timers before the slow-motion factor (cluster/supervisor/node-config.ts). */
export interface TimerSettings {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
}

/** `settings.json` in the app's user-data folder. */
export interface AppSettings {
  /** Nodes of a new cluster (an existing data dir keeps its members). */
  readonly nodes: number;
  readonly mysql: { readonly mode: MySqlMode; readonly urls: readonly string[] };
  readonly timers: TimerSettings;
  /** Slow-motion factor every timer is multiplied by. */
  readonly slow: number;
  /** Where the cluster lives; null: `<user data>/cluster`. */
  readonly dataDir: string | null;
}

export type StartupPhase = 'starting' | 'ready' | 'failed' | 'stopping';

export interface StartupState {
  readonly phase: StartupPhase;
  /** Why the cluster could not start (phase `failed`). */
  readonly error?: string;
  /** The settings file was unreadable or invalid: defaults are used until saved. */
  readonly settingsProblem?: string;
  readonly dataDir: string;
  readonly settingsFile: string;
}

/** A desktop notification the page asks the app to show (a task's reminder). */
export interface ShellNotification {
  readonly title: string;
  readonly body: string;
  /** Handed back in a `notification-click` command when the user clicks it. */
  readonly tag: string;
}

/** main → page: what the app menu or a notification asks the page to do. */
export type ShellCommand =
  | { readonly type: 'import'; readonly name: string; readonly text: string }
  | { readonly type: 'export'; readonly format: 'json' | 'csv' }
  | { readonly type: 'notification-click'; readonly tag: string };

/** `window.raftboardShell` (Electron only). */
export interface RaftboardShell {
  getStartup(): Promise<BridgeResult<StartupState>>;
  getSettings(): Promise<BridgeResult<AppSettings>>;
  /** Validated and saved; used by the next cluster start. */
  saveSettings(settings: AppSettings): Promise<BridgeResult<AppSettings>>;
  /** Starts the cluster again after a failure (with the saved settings). */
  retryStart(): Promise<BridgeResult<StartupState>>;
  quit(): Promise<BridgeResult<null>>;
  /** Start-up phase changes; returns the unsubscribe. */
  onStartup(handler: (state: StartupState) => void): () => void;
  /** Shows a desktop notification (the page's own are refused in the app). */
  notify(notification: ShellNotification): Promise<BridgeResult<null>>;
  /** Menu commands and notification clicks; returns the unsubscribe. */
  onCommand(handler: (command: ShellCommand) => void): () => void;
}

export type ShellMethod = Exclude<keyof RaftboardShell, 'onStartup' | 'onCommand'>;
