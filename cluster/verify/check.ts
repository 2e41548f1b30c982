/**
 * `checkHistory`: is a recorded history of task operations linearizable?
 *
 * Linearizability is compositional (Herlihy & Wing): a history is linearizable iff its
 * restriction to each object is. Each task is an independent object, so the history is split by
 * task id and each part searched on its own (Porcupine's P-compositional checking) — a search
 * over ~200 operations instead of 10,000, which is the difference between milliseconds and never.
 */
import { explain } from './explain.js';
import { type Op, taskIdOf, validateOp } from './history.js';
import { stateOf, type State, type TaskState } from './model.js';
import { shrink } from './shrink.js';
import { checkTask } from './strategy.js';

export interface CheckOptions {
  /** Give up with `ok: 'unknown'` after this long (default 60 s). Shrinking shares the budget. */
  readonly timeoutMs?: number;
  /**
   * Tasks that existed before the history started (e.g. a live session recorded mid-way, taken
   * from a list read before the first operation). Every other task starts absent.
   */
  readonly initial?: ReadonlyMap<string, TaskState>;
}

export type CheckResult =
  | { readonly ok: true; readonly tasks: number; readonly ops: number }
  | {
      readonly ok: false;
      readonly taskId: string;
      /**
       * Answered operations of that task that cannot be ordered, by call time — whatever the
       * task's other writes did (shrink.ts). When `minimal`, cutting any one of them (dropping a
       * read, setting a write's answer aside) makes the rest linearizable.
       */
      readonly counterexample: Op[];
      /** Multi-line, for people: the operations, real-time order, closest attempt and why. */
      readonly explanation: string;
      /** False if a trial or the budget ran out while shrinking: a sure failure, maybe not minimal. */
      readonly minimal: boolean;
      /** Every task found non-linearizable (the counterexample is about the first). */
      readonly failedTasks: string[];
    }
  | { readonly ok: 'unknown'; readonly reason: string };

const DEFAULT_TIMEOUT_MS = 60_000;

export function checkHistory(ops: readonly Op[], options: CheckOptions = {}): CheckResult {
  const start = performance.now();
  const deadline = start + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const parts = partition(ops);
  const failed: string[] = [];
  const timedOut: string[] = [];
  let checked = 0;
  let failure: { taskId: string; ops: readonly Op[]; start: State } | undefined;
  for (const [taskId, part] of parts) {
    const initial = initialOf(options, taskId);
    const found = checkTask(part, initial, deadline);
    if (found === 'timeout') timedOut.push(taskId);
    else if (found !== 'ok') {
      failed.push(taskId);
      failure ??= { taskId, ...found };
    }
    checked += part.length;
    // Out of time: keep a failure already found (it is certain), drop the rest of the work.
    if (found === 'timeout') break;
  }
  if (failure !== undefined) {
    const { taskId } = failure;
    const shrunk = shrink(failure.ops, failure.start, deadline);
    const counterexample = shrunk.ops.slice().sort((a, b) => a.call - b.call);
    const note = shrunk.minimal
      ? ''
      : '\n(Shrinking ran out of time: not all of these may be needed.)';
    return {
      ok: false,
      taskId,
      counterexample,
      explanation: explain(taskId, counterexample, shrunk.start, shrunk.relaxed) + note,
      minimal: shrunk.minimal,
      failedTasks: failed,
    };
  }
  if (timedOut.length > 0) {
    const ms = Math.round(performance.now() - start);
    return {
      ok: 'unknown',
      reason: `timed out after ${ms} ms on task ${timedOut[0]} (${parts.get(timedOut[0])!.length} operations); ${checked} of ${ops.length} operations checked`,
    };
  }
  return { ok: true, tasks: parts.size, ops: checked };
}

/**
 * Operations by task. Dropped: reads with no answer (they change nothing and observed nothing)
 * and creates whose task id was never learned (nothing else can refer to that task).
 */
export function partition(ops: readonly Op[]): Map<string, Op[]> {
  const parts = new Map<string, Op[]>();
  for (const op of ops) {
    validateOp(op);
    if (op.f === 'read' && op.out === null) continue;
    const id = taskIdOf(op);
    if (id === undefined) continue;
    let part = parts.get(id);
    if (part === undefined) parts.set(id, (part = []));
    part.push(op);
  }
  // Call order: the search indexes operations this way (see memo.ts), and so do windows.
  for (const part of parts.values()) part.sort((a, b) => a.call - b.call);
  return parts;
}

function initialOf(options: CheckOptions, taskId: string): State {
  const t = options.initial?.get(taskId);
  return t === undefined ? null : stateOf(t);
}
