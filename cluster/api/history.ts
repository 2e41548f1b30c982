/**
 * Recording a live session's task operations and checking them for linearizability (issue 6 §5).
 * The supervisor records every task request that passes through the control API's `/api/tasks`
 * proxy (the web UI and the Electron window both go through it) while a recording is on, plus the
 * operations of optional background clients, and checks the history with `cluster/verify`.
 *
 * - `GET  /api/history`              → HistoryRecording
 * - `POST /api/history`  HistoryRecordBody → HistoryRecording (start or stop; starting clears)
 * - `POST /api/history/check`        → HistoryCheckResult (checks what was recorded so far)
 */
import type { Op } from '../verify/history.js';

export interface HistoryRecordBody {
  /** true: start a new recording (the previous one is dropped); false: stop recording. */
  readonly record: boolean;
  /** Background clients doing random create/read/update/delete while recording (0–16; default 0). */
  readonly clients?: number;
}

export interface HistoryRecording {
  readonly recording: boolean;
  /** ISO time the recording started; null before the first one. */
  readonly startedAt: string | null;
  /** Operations recorded so far (the UI's and the background clients'). */
  readonly operations: number;
  /** Background clients running now. */
  readonly clients: number;
}

export type HistoryVerdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface HistoryCheckResult {
  readonly verdict: HistoryVerdict;
  /** One line for people: "1,234 operations on 87 tasks are linearizable (checked in 41 ms)". */
  readonly summary: string;
  readonly operations: number;
  readonly tasks: number;
  readonly checkMs: number;
  readonly startedAt: string | null;
  /**
   * On `not-linearizable`: the operations of one task that cannot be ordered. Their `call`/`ret`
   * are milliseconds since `startedAt`, so the UI can draw them on a timeline.
   */
  readonly counterexample?: {
    readonly taskId: string;
    readonly ops: readonly Op[];
    readonly explanation: string;
    readonly minimal: boolean;
  };
  /** On `unknown`: why the check gave up (e.g. its time budget ran out). */
  readonly reason?: string;
}
