/**
 * The state machine's snapshot document (`SNAPSHOT_FORMAT`) and the checksum line of a task:
 * shared by the MySQL state machine and the simulator's in-memory store, so a snapshot taken
 * from one restores into the other and both checksum the same state to the same digest.
 */
import { z } from 'zod';
import { TASK_PRIORITIES, TASK_STATUSES, type Task } from '../cluster/api/task.js';
import { canonicalInstant } from './command.js';
import { StateMachineError } from './errors.js';

export const SNAPSHOT_FORMAT = 'raftboard-tasks/2';
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

/** Tasks ordered by id, sessions by key (the order both stores write them in). */
export interface SnapshotBody {
  readonly format: typeof SNAPSHOT_FORMAT | typeof SNAPSHOT_FORMAT_V1;
  readonly index: number;
  readonly term: number;
  readonly sessionClock: string;
  readonly tasks: readonly Task[];
  readonly sessions: readonly SnapshotSession[];
}

const instant = z.string().refine((s) => canonicalInstant(s) === s, 'not a canonical instant');
const counter = z.number().int().min(0);

const snapshotSchema = z.object({
  format: z.enum([SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_V1]),
  index: counter,
  term: counter,
  // Absent in a v1 snapshot: no clock yet, and its sessions match any request.
  sessionClock: z.union([instant, z.literal('')]).default(''),
  tasks: z.array(
    z.object({
      id: z.string().regex(GUID),
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
    }),
  ),
  sessions: z.array(
    z.object({
      key: z.string().min(1).max(128),
      raftIndex: counter,
      createdAt: instant,
      fingerprint: z
        .string()
        .regex(/^(?:[0-9a-f]{64})?$/)
        .default(''),
      result: z.string(),
    }),
  ),
});

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
  return parsed.data;
}

/** One line of the checksum: every column, in a fixed order, as JSON. */
export function checksumLine(task: Task): string {
  return (
    JSON.stringify([
      task.id,
      task.title,
      task.description,
      task.status,
      task.priority,
      task.dueDate,
      task.createdAt,
      task.updatedAt,
      task.version,
      task.raftIndex,
    ]) + '\n'
  );
}
