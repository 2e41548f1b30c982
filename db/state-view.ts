/**
 * The in-memory view a batch is applied to (apply-plan.ts, execute-command.ts): the rows the
 * store read before planning, changed in place as the batch's commands apply. A row absent
 * from a map was not read and is not in the database; `null` is a row deleted in this batch.
 */
import type { Project, Task } from '../cluster/api/task.js';

/** A project as stored: the contract's Project and the entry that last wrote it. */
export interface ProjectRow extends Project {
  readonly raftIndex: number;
}

/** A tag in the `tags` table (key: its lowercased name) and how many tasks carry it. */
export interface TagRow {
  /** The first spelling, the one every task's `tags` shows. */
  readonly name: string;
  readonly uses: number;
}

export interface StateView {
  readonly tasks: Map<string, Task | null>;
  readonly projects: Map<string, ProjectRow | null>;
  /** Keyed by `tagKey(name)`. */
  readonly tags: Map<string, TagRow>;
  readonly dirtyTasks: Set<string>;
  readonly dirtyProjects: Set<string>;
  readonly dirtyTags: Set<string>;
  /** The parent a task had when this batch deleted it: deletes are written leaves first. */
  readonly deletedParent: Map<string, string | null>;
}

export function emptyView(): StateView {
  return {
    tasks: new Map(),
    projects: new Map(),
    tags: new Map(),
    dirtyTasks: new Set(),
    dirtyProjects: new Set(),
    dirtyTags: new Set(),
    deletedParent: new Map(),
  };
}

/** The contract's Project (without the stored raftIndex). */
export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    position: row.position,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A task with its keys in the one canonical order (snapshots and stored answers compare as text). */
export function canonicalTask(task: Task): Task {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    dueDate: task.dueDate,
    dueTime: task.dueTime,
    projectId: task.projectId,
    tags: [...task.tags],
    parentId: task.parentId,
    recurrence:
      task.recurrence === null
        ? null
        : { rrule: task.recurrence.rrule, from: task.recurrence.from },
    position: task.position,
    completedAt: task.completedAt,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    version: task.version,
    raftIndex: task.raftIndex,
  };
}

export function canonicalProject(row: ProjectRow): ProjectRow {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    position: row.position,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    raftIndex: row.raftIndex,
  };
}

/** Orders UTF-8 strings as MariaDB's utf8mb4_bin does (code points, not UTF-16 units). */
export function binaryCompare(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The SQL list order: position, then created_at, then id. */
export function taskOrder(a: Task, b: Task): number {
  return (
    a.position - b.position || binaryCompare(a.createdAt, b.createdAt) || binaryCompare(a.id, b.id)
  );
}

/** Projects by position, then name, then id. */
export function projectOrder(a: Project, b: Project): number {
  return a.position - b.position || binaryCompare(a.name, b.name) || binaryCompare(a.id, b.id);
}

/**
 * Tasks ordered so that every parent comes before its children (among the given rows), ties
 * by id: the order multi-row INSERTs need under the parent_id foreign key.
 */
export function parentsFirst<T extends { readonly id: string; readonly parentId: string | null }>(
  rows: readonly T[],
): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const depth = new Map<string, number>();
  const depthOf = (row: T): number => {
    const known = depth.get(row.id);
    if (known !== undefined) return known;
    let d = 0;
    const seen = new Set<string>([row.id]);
    let parent = row.parentId === null ? undefined : byId.get(row.parentId);
    while (parent !== undefined && !seen.has(parent.id)) {
      seen.add(parent.id);
      d += 1;
      parent = parent.parentId === null ? undefined : byId.get(parent.parentId);
    }
    depth.set(row.id, d);
    return d;
  };
  return [...rows].sort((a, b) => depthOf(a) - depthOf(b) || binaryCompare(a.id, b.id));
}
