/**
 * Recording a live session and checking it (issue 6 §5; contract in cluster/api/history.ts).
 *
 * While a recording is on, every task request that passes through the control API's proxy or
 * the Electron host is recorded (`observe`), plus the operations of optional background clients
 * (cluster/verify/workload). `check()` runs the linearizability checker on what was recorded.
 *
 * A recording starts mid-session, when tasks already exist: the checker then needs their state
 * at the start. That comes from one linearizable list read taken after recording began, which
 * is the history's starting point. A write sent before that list returned may fall on either
 * side of it, so tasks such writes touched are left out of the check (they are few: only what
 * someone did in the second the recording started). Requests already in flight when the
 * recording starts are waited for first, so none is missed.
 */
import type { HistoryCheckResult, HistoryRecordBody, HistoryRecording } from '../../api/history.js';
import type { ClusterStatus } from '../../api/control.js';
import type { Task } from '../../api/task.js';
import { checkHistory } from '../../verify/check.js';
import { taskIdOf, type Op } from '../../verify/history.js';
import type { TaskState } from '../../verify/model.js';
import {
  HistoryLog,
  Workload,
  send,
  type TaskAnswer,
  type TaskRequest,
} from '../../verify/workload/index.js';
import { tasksOf } from '../../verify/workload/exchange.js';
import { SupervisorError } from '../errors.js';

/** What the recorder needs of a Supervisor. */
export interface LiveHistoryHost {
  readonly token: string;
  status(): ClusterStatus;
  taskTarget(): string | undefined;
}

export const MAX_BACKGROUND_CLIENTS = 16;
const CHECK_BUDGET_MS = 20_000;
const DRAIN_MS = 5_000;
const INITIAL_READ_MS = 15_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class LiveHistory {
  private log: HistoryLog | undefined;
  private recording = false;
  private startedAt: string | null = null;
  private initial = new Map<string, TaskState>();
  /** When the initial list read returned (log time): writes called before it are ambiguous. */
  private initialRet = 0;
  private workload: Workload | undefined;
  private inFlightUnrecorded = 0;
  /** Serialises start/stop. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: LiveHistoryHost) {}

  /**
   * Call when a task request is about to be sent; call the function it returns with the answer
   * (null: none arrived). `client` names who sent it on the timeline.
   */
  observe(client: string, req: TaskRequest): (answer: TaskAnswer) => void {
    const log = this.recording ? this.log : undefined;
    if (log === undefined) {
      this.inFlightUnrecorded++;
      return () => {
        this.inFlightUnrecorded--;
      };
    }
    const pending = log.begin(client, req);
    return (answer) => log.finish(pending, answer);
  }

  status(): HistoryRecording {
    return {
      recording: this.recording,
      startedAt: this.startedAt,
      operations: this.log?.size() ?? 0,
      clients: this.workload === undefined ? 0 : this.clientCount,
    };
  }

  private clientCount = 0;

  /** `POST /api/history`: start a new recording (dropping the last) or stop this one. */
  record(body: HistoryRecordBody): Promise<HistoryRecording> {
    const next = this.busy.then(() => (body.record ? this.start(body.clients ?? 0) : this.stop()));
    this.busy = next.catch(() => undefined);
    return next;
  }

  /** Stops recording and the background clients (the supervisor is shutting down). */
  async close(): Promise<void> {
    await this.record({ record: false });
  }

  private async stopClients(): Promise<void> {
    const w = this.workload;
    this.workload = undefined;
    this.clientCount = 0;
    if (w !== undefined) await w.stop();
  }

  private async stop(): Promise<HistoryRecording> {
    await this.stopClients();
    this.recording = false;
    return this.status();
  }

  private async start(clients: number): Promise<HistoryRecording> {
    await this.stopClients();
    const log = new HistoryLog();
    this.log = log;
    this.recording = true;
    this.startedAt = new Date().toISOString();
    this.initial = new Map();
    // Requests sent before the recording started: wait until they are answered, so that no
    // write lands after the starting point without being in the history.
    const drainUntil = Date.now() + DRAIN_MS;
    while (this.inFlightUnrecorded > 0 && Date.now() < drainUntil) await sleep(20);
    const tasks = await this.initialTasks();
    if (tasks === undefined) {
      this.recording = false;
      throw new SupervisorError(
        'no_leader',
        'could not read the tasks linearizably to start the recording (no leader?): try again',
      );
    }
    for (const t of tasks) this.initial.set(t.id, t);
    this.initialRet = log.now();
    if (clients > 0) {
      this.clientCount = clients;
      this.workload = new Workload({
        targets: () =>
          this.host
            .status()
            .nodes.filter((n) => n.status === 'running')
            .map((n) => n.clientUrl),
        token: this.host.token,
        clients,
        log,
        name: 'bg',
      });
      this.workload.start();
    }
    return this.status();
  }

  private async initialTasks(): Promise<readonly Task[] | undefined> {
    const deadline = Date.now() + INITIAL_READ_MS;
    const req: TaskRequest = {
      method: 'GET',
      path: '/tasks',
      query: new URLSearchParams({ consistency: 'linearizable', limit: '10000' }),
    };
    while (Date.now() < deadline) {
      const target = this.host.taskTarget();
      if (target !== undefined) {
        const answer = await send(target, this.host.token, req, 5_000);
        const tasks = answer?.status === 200 ? tasksOf(answer.body) : undefined;
        if (tasks !== undefined && tasks.length < 10_000) return tasks;
      }
      await sleep(200);
    }
    return undefined;
  }

  /** The recorded history, without the tasks whose writes straddle the starting point. */
  private history(): { ops: Op[]; leftOut: number } {
    const all = this.log?.ops() ?? [];
    const ambiguous = new Set<string>();
    for (const op of all) {
      if (op.f === 'read' || op.call >= this.initialRet) continue;
      const id = taskIdOf(op);
      if (id === undefined) continue;
      if (op.f !== 'create' || this.initial.has(id)) ambiguous.add(id);
    }
    const ops = all.filter((op) => {
      const id = taskIdOf(op);
      return id === undefined || !ambiguous.has(id);
    });
    return { ops, leftOut: ambiguous.size };
  }

  /** `POST /api/history/check`: checks what was recorded so far (recording goes on). */
  check(): HistoryCheckResult {
    const { ops, leftOut } = this.history();
    const t0 = performance.now();
    const result = checkHistory(ops, { initial: this.initial, timeoutMs: CHECK_BUDGET_MS });
    const checkMs = Math.round(performance.now() - t0);
    const tasks = new Set(ops.map(taskIdOf).filter((id) => id !== undefined)).size;
    const n = ops.length.toLocaleString('en-US');
    const note =
      leftOut > 0 ? `; ${leftOut} task(s) written as the recording started left out` : '';
    const base = { operations: ops.length, tasks, checkMs, startedAt: this.startedAt };
    if (result.ok === true) {
      return {
        ...base,
        verdict: 'linearizable',
        summary: `${n} operations on ${tasks} tasks are linearizable (checked in ${checkMs} ms${note})`,
      };
    }
    if (result.ok === 'unknown') {
      return {
        ...base,
        verdict: 'unknown',
        summary: `${n} operations on ${tasks} tasks: the check gave up (${result.reason})`,
        reason: result.reason,
      };
    }
    return {
      ...base,
      verdict: 'not-linearizable',
      summary: `${n} operations on ${tasks} tasks are NOT linearizable: task ${result.taskId} (${result.counterexample.length} operations cannot be ordered)`,
      counterexample: {
        taskId: result.taskId,
        ops: result.counterexample,
        explanation: result.explanation,
        minimal: result.minimal,
      },
    };
  }
}

const bySupervisor = new WeakMap<object, LiveHistory>();

/** The recorder of a supervisor (made on first use): the proxy, the host and the routes share it. */
export function historyOf(supervisor: LiveHistoryHost): LiveHistory {
  let h = bySupervisor.get(supervisor);
  if (h === undefined) bySupervisor.set(supervisor, (h = new LiveHistory(supervisor)));
  return h;
}
