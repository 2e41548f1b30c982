/**
 * The state machine's snapshot document, versioned, shared by the MySQL state machine and the
 * simulator's in-memory store, so a snapshot taken from one restores into the other.
 *
 * - `raftboard-tasks/3` (written now): projects, then tasks with every field (tags in their
 *   stored spelling; the tags table is derived from them), then sessions.
 * - `raftboard-tasks/2`: tasks without projects, tags, subtasks or recurrence; sessions with
 *   fingerprints and the session clock.
 * - `raftboard-tasks/1`: as 2, without fingerprints and the clock.
 * Older formats still restore: their tasks get the defaults of task-defaults.ts, the ones
 * migration 0004 gives an upgraded database's rows.
 */
import { z } from 'zod';
import { TASK_PRIORITIES, TASK_STATUSES, type Task } from '../cluster/api/task.js';
import { canonicalInstant, dueTimeSchema } from './command.js';
import { StateMachineError } from './errors.js';
import type { ProjectRow } from './state-view.js';
import { withTaskDefaults } from './task-defaults.js';

export const SNAPSHOT_FORMAT = 'raftboard-tasks/3';
/** Snapshots from before projects, tags, subtasks and recurrence; still restored. */
export const SNAPSHOT_FORMAT_V2 = 'raftboard-tasks/2';
/** Snapshots from before sessions had fingerprints and a clock; still restored. */
export const SNAPSHOT_FORMAT_V1 = 'raftboard-tasks/1';

/** A task id (CHAR(36)); anything else names no task. */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface SnapshotSession {
  readonly key: string;
  readonly raftIndex: number;
  readonly createdAt: string;
  readonly fingerprint: string;
  /** The stored CommandResult JSON, verbatim. */
  readonly result: string;
}

/** Projects and tasks ordered by id, sessions by key (the order both stores write them in). */
export interface SnapshotBody {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly index: number;
  readonly term: number;
  readonly sessionClock: string;
  readonly projects: readonly ProjectRow[];
  readonly tasks: readonly Task[];
  readonly sessions: readonly SnapshotSession[];
}

const instant = z.string().refine((s) => canonicalInstant(s) === s, 'not a canonical instant');
const counter = z.number().int().min(0);
const id = z.string().regex(GUID);

const legacyTask = z.object({
  id,
  title: z.string().min(1),
  description: z.string(),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(TASK_PRIORITIES),
  dueDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
  createdAt: instant,
  updatedAt: instant,
  version: z.number().int().min(1),
  raftIndex: counter,
});

/** A task of format 3 or 4 (every field). */
export const taskSchema = legacyTask.extend({
  dueTime: dueTimeSchema.nullable(),
  projectId: id.nullable(),
  tags: z.array(z.string().min(1)),
  parentId: id.nullable(),
  recurrence: z
    .object({ rrule: z.string().min(1), from: z.enum(['due', 'completion']) })
    .nullable(),
  position: z.number().refine(Number.isFinite),
  completedAt: instant.nullable(),
});

export const projectSchema = z.object({
  id,
  name: z.string().min(1),
  color: z.string().nullable(),
  position: z.number().refine(Number.isFinite),
  version: z.number().int().min(1),
  createdAt: instant,
  updatedAt: instant,
  raftIndex: counter,
});

export const sessionSchema = z.object({
  key: z.string().min(1).max(128),
  raftIndex: counter,
  createdAt: instant,
  fingerprint: z
    .string()
    .regex(/^(?:[0-9a-f]{64})?$/)
    .default(''),
  result: z.string(),
});

const snapshotSchema = z.discriminatedUnion('format', [
  z.object({
    format: z.literal(SNAPSHOT_FORMAT),
    index: counter,
    term: counter,
    sessionClock: z.union([instant, z.literal('')]),
    projects: z.array(projectSchema),
    tasks: z.array(taskSchema),
    sessions: z.array(sessionSchema),
  }),
  z.object({
    format: z.enum([SNAPSHOT_FORMAT_V2, SNAPSHOT_FORMAT_V1]),
    index: counter,
    term: counter,
    // Absent in a v1 snapshot: no clock yet, and its sessions match any request.
    sessionClock: z.union([instant, z.literal('')]).default(''),
    tasks: z.array(legacyTask),
    sessions: z.array(sessionSchema),
  }),
]);

/** Parses a snapshot of any known format into the current one. */
export function parseSnapshot(data: string): SnapshotBody {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new StateMachineError('snapshot data is not JSON');
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateMachineError(
      `not a ${SNAPSHOT_FORMAT} snapshot (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
    );
  }
  const body = parsed.data;
  if (body.format === SNAPSHOT_FORMAT) return body;
  return {
    format: SNAPSHOT_FORMAT,
    index: body.index,
    term: body.term,
    sessionClock: body.sessionClock,
    projects: [],
    tasks: body.tasks.map(withTaskDefaults),
    sessions: body.sessions,
  };
}
