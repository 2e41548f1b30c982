/**
 * Rows as the SQL below selects them, and their mapping to the contract's types. Every column
 * is selected under its camelCase name; dates come back as text (`CAST(... AS CHAR)`), so no
 * driver date parsing is involved.
 */
import type { Task, TaskPriority, TaskStatus } from '../../cluster/api/task.js';
import type { ProjectRow } from '../state-view.js';

export interface TaskSqlRow {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: string | null;
  dueTime: string | null;
  projectId: string | null;
  tags: string;
  parentId: string | null;
  recurrenceRule: string | null;
  recurrenceFrom: 'due' | 'completion' | null;
  position: number | string;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number | string;
  raftIndex: number | string;
}

export interface ProjectSqlRow {
  id: string;
  name: string;
  color: string | null;
  position: number | string;
  version: number | string;
  createdAt: string;
  updatedAt: string;
  raftIndex: number | string;
}

export function toTask(row: TaskSqlRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    dueDate: row.dueDate ?? null,
    dueTime: row.dueTime ?? null,
    projectId: row.projectId ?? null,
    tags: JSON.parse(row.tags) as string[],
    parentId: row.parentId ?? null,
    recurrence:
      row.recurrenceRule === null || row.recurrenceFrom === null
        ? null
        : { rrule: row.recurrenceRule, from: row.recurrenceFrom },
    position: Number(row.position),
    completedAt: row.completedAt ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: Number(row.version),
    raftIndex: Number(row.raftIndex),
  };
}

export function toProjectRow(row: ProjectSqlRow): ProjectRow {
  return {
    id: row.id,
    name: row.name,
    color: row.color ?? null,
    position: Number(row.position),
    version: Number(row.version),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    raftIndex: Number(row.raftIndex),
  };
}
