/**
 * What a lesson is: an ordered list of steps, each explaining a part of Raft, optionally doing
 * something to the real cluster, and waiting until the live status shows the effect. Plain data
 * and functions, no React: the runner (runner.ts) drives them and the tests check them alone.
 */
import type { ClusterStatus } from '../../../cluster/api/control.js';

/**
 * What the lesson has learned so far (node ids, terms, log indexes), by name. Each step adds its
 * own names, so a later step can say "pause node {leader}" and a text can say what was seen.
 */
export type Facts = Readonly<Record<string, number>>;

/** The cluster operations a step may use; the runner records them so it can undo them. */
export interface LessonOps {
  pause(id: number): Promise<void>;
  resume(id: number): Promise<void>;
  kill(id: number): Promise<void>;
  restart(id: number): Promise<void>;
  /** Cuts the network into these groups (each node talks only within its group). */
  partition(groups: readonly (readonly number[])[]): Promise<void>;
  heal(): Promise<void>;
  /** Writes a task (retrying while there is no leader); answers the log index it committed at. */
  createTask(title: string): Promise<{ readonly index: number; readonly term: number }>;
}

export interface StepAction {
  /** The button, e.g. "Pause node 2". */
  readonly label: (f: Facts) => string;
  /** Runs it on the real cluster; may answer new facts (the index a write committed at). */
  run(ops: LessonOps, f: Facts, status: ClusterStatus): Promise<Facts | void>;
}

export interface StepCondition {
  /** Shown while it does not hold yet: "waiting for …". */
  readonly waitingFor: (f: Facts) => string;
  /** The facts it learned when the status shows it, or null while it does not. */
  check(status: ClusterStatus, f: Facts): Facts | null;
}

export interface Step {
  readonly id: string;
  readonly title: string;
  /** What this step is about, before anything happens. */
  readonly intro: (f: Facts) => string;
  readonly action?: StepAction;
  readonly until?: StepCondition;
  /** What happened, with the ids and numbers actually observed. */
  readonly outcome: (f: Facts) => string;
  /** Where the Raft paper says it, e.g. "§5.2, Figure 4". */
  readonly paper?: string;
}

export interface Lesson {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly steps: readonly Step[];
}

/** A fact a step relies on; a missing one is a bug in the lesson, not in the cluster. */
export function fact(f: Facts, name: string): number {
  const v = f[name];
  if (v === undefined) throw new Error(`lesson fact “${name}” is not known yet`);
  return v;
}
