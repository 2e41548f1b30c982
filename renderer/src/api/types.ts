/**
 * The one API the renderer talks to. Two implementations sit behind it: HTTP + WebSocket for the
 * web UI the headless CLI serves (http.ts), and Electron IPC through the preload (bridge.ts).
 * Components and stores only ever see this interface, so tests hand them a fake.
 */
import type {
  ActionResult,
  AddNodeResult,
  ClusterChecksums,
  ClusterEvent,
  ClusterStatus,
  MySqlAction,
  NetworkBody,
  NodeAction,
} from '../../../cluster/api/control.js';
import type {
  ExportDocument,
  ImportResponse,
  ProjectListResponse,
  ProjectWriteResponse,
  TagListResponse,
  TaskListResponse,
  WriteResponse,
} from '../../../cluster/api/node.js';
import type {
  HistoryCheckResult,
  HistoryRecordBody,
  HistoryRecording,
} from '../../../cluster/api/history.js';
import type { ProjectFields, TaskInput, TaskPatch } from '../../../cluster/api/task.js';
import type { TaskListOptions } from '../../../cluster/api/list-query.js';

/** Every write carries the key of the user action it belongs to; retries reuse it. */
export interface WriteOptions {
  readonly idempotencyKey: string;
  /** The task version the change was made against (sent as If-Match); a mismatch is a 409. */
  readonly ifMatch?: number;
}

/** The list options (one definition for both transports: cluster/api/list-query.ts). */
export type ListOptions = TaskListOptions;

/** An import body: a Raftboard export (JSON) or a Todoist CSV export (text). */
export type ImportBody =
  | { readonly kind: 'json'; readonly document: unknown }
  | { readonly kind: 'csv'; readonly text: string };

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface EventHandlers {
  onEvent(event: ClusterEvent): void;
  /** Lets the UI fall back to polling while the stream is down. */
  onConnection?(state: ConnectionState): void;
}

export interface RaftboardApi {
  listTasks(options?: ListOptions): Promise<TaskListResponse>;
  createTask(input: TaskInput, options: WriteOptions): Promise<WriteResponse>;
  updateTask(id: string, patch: TaskPatch, options: WriteOptions): Promise<WriteResponse>;
  deleteTask(id: string, options: WriteOptions): Promise<WriteResponse>;

  listProjects(): Promise<ProjectListResponse>;
  createProject(
    input: Pick<ProjectFields, 'name'> & Partial<ProjectFields>,
    options: WriteOptions,
  ): Promise<ProjectWriteResponse>;
  updateProject(
    id: string,
    patch: Partial<ProjectFields>,
    options: WriteOptions,
  ): Promise<ProjectWriteResponse>;
  /** `tasks: 'delete'` deletes its tasks in the same entry; otherwise they move to no project. */
  deleteProject(
    id: string,
    tasks: 'keep' | 'delete',
    options: WriteOptions,
  ): Promise<ProjectWriteResponse>;
  listTags(): Promise<TagListResponse>;
  exportData(): Promise<ExportDocument>;
  /** Tasks as CSV with a header row. */
  exportCsv(): Promise<string>;
  importData(body: ImportBody, options: WriteOptions): Promise<ImportResponse>;

  getCluster(): Promise<ClusterStatus>;
  nodeAction(id: number, action: NodeAction): Promise<ActionResult>;
  mysqlAction(id: number, action: MySqlAction): Promise<ActionResult>;
  addNode(): Promise<AddNodeResult>;
  removeNode(id: number): Promise<ActionResult>;
  setNetwork(body: NetworkBody): Promise<ActionResult>;
  healNetwork(): Promise<ActionResult>;
  setSlow(factor: number): Promise<ActionResult>;
  getChecksums(): Promise<ClusterChecksums>;

  /** Recording a live session and checking it for linearizability (cluster/api/history.ts). */
  getHistory(): Promise<HistoryRecording>;
  recordHistory(body: HistoryRecordBody): Promise<HistoryRecording>;
  checkHistory(): Promise<HistoryCheckResult>;

  /** Starts the event stream; the returned function stops it (and any reconnecting). */
  subscribeEvents(handlers: EventHandlers): () => void;
}
