/**
 * Building the TaskCommand that goes into the log. Only the node that proposes (the leader)
 * calls these: ids, timestamps, default positions and the next occurrence of a recurring task
 * are chosen once, here, and carried in the entry so every replica stores the same bytes
 * (docs/architecture.md §3).
 */
import { newId } from './new-id.js';
import type {
  CreateProjectBody,
  CreateTaskBody,
  PatchProjectBody,
  PatchTaskBody,
} from '../../api/schemas.js';
import {
  TASK_INPUT_FIELDS,
  type ImportedTask,
  type NextOccurrence,
  type Project,
  type ProjectFields,
  type SessionRef,
  type TaskCommand,
  type TaskPatch,
} from '../../api/task.js';

function sessionOf(session: SessionRef | undefined): { session?: SessionRef } {
  return session === undefined ? {} : { session };
}

function versionOf(expectedVersion: number | undefined): { expectedVersion?: number } {
  return expectedVersion === undefined ? {} : { expectedVersion };
}

/** The default position of a new task or project: the entry's time, so it goes to the end. */
function positionAt(at: string): number {
  return Date.parse(at);
}

export function createCommand(
  body: CreateTaskBody,
  session: SessionRef | undefined,
  id: string = newId(),
): TaskCommand {
  const at = new Date().toISOString();
  return {
    op: 'create',
    task: {
      id,
      title: body.title,
      description: body.description,
      status: body.status,
      priority: body.priority,
      dueDate: body.dueDate,
      dueTime: body.dueTime,
      projectId: body.projectId,
      tags: body.tags,
      parentId: body.parentId,
      recurrence: body.recurrence,
      position: body.position ?? positionAt(at),
    },
    at,
    ...sessionOf(session),
  };
}

export function taskPatchOf(body: PatchTaskBody): TaskPatch {
  // Only the fields the client gave: an absent field must stay "unchanged", not become undefined
  // in the entry (and `dueDate: null` is a real change: it clears the date).
  const patch: Record<string, unknown> = {};
  for (const f of TASK_INPUT_FIELDS) if (body[f] !== undefined) patch[f] = body[f];
  return patch as TaskPatch;
}

export function updateCommand(
  id: string,
  body: PatchTaskBody,
  expectedVersion: number | undefined,
  session: SessionRef | undefined,
  next?: NextOccurrence,
  at: string = new Date().toISOString(),
): TaskCommand {
  return {
    op: 'update',
    id,
    patch: taskPatchOf(body),
    ...versionOf(expectedVersion),
    ...(next === undefined ? {} : { next }),
    at,
    ...sessionOf(session),
    // Keep completedAt through later edits (db/execute-command.ts; unmarked: legacy rule).
    v: 2,
  };
}

export function deleteCommand(
  id: string,
  expectedVersion: number | undefined,
  session: SessionRef | undefined,
): TaskCommand {
  return {
    op: 'delete',
    id,
    ...versionOf(expectedVersion),
    at: new Date().toISOString(),
    ...sessionOf(session),
  };
}

export function projectCreateCommand(
  body: CreateProjectBody,
  session: SessionRef | undefined,
): TaskCommand {
  const at = new Date().toISOString();
  return {
    op: 'project.create',
    project: {
      id: newId(),
      name: body.name,
      color: body.color,
      position: body.position ?? positionAt(at),
    },
    at,
    ...sessionOf(session),
  };
}

export function projectUpdateCommand(
  id: string,
  body: PatchProjectBody,
  expectedVersion: number | undefined,
  session: SessionRef | undefined,
): TaskCommand {
  const patch: { -readonly [K in keyof ProjectFields]?: ProjectFields[K] } = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.color !== undefined) patch.color = body.color;
  if (body.position !== undefined) patch.position = body.position;
  return {
    op: 'project.update',
    id,
    patch,
    ...versionOf(expectedVersion),
    at: new Date().toISOString(),
    ...sessionOf(session),
  };
}

export function projectDeleteCommand(
  id: string,
  tasks: 'keep' | 'delete',
  expectedVersion: number | undefined,
  session: SessionRef | undefined,
): TaskCommand {
  return {
    op: 'project.delete',
    id,
    tasks,
    ...versionOf(expectedVersion),
    at: new Date().toISOString(),
    ...sessionOf(session),
  };
}

export function importCommand(
  projects: readonly Project[],
  tasks: readonly ImportedTask[],
  session: SessionRef | undefined,
  at: string = new Date().toISOString(),
): TaskCommand {
  return { op: 'import', projects, tasks, at, ...sessionOf(session) };
}
