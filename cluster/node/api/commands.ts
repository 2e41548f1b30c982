/**
 * Building the TaskCommand that goes into the log. Only the node that proposes (the leader)
 * calls these: the id and the timestamp are chosen once, here, and carried in the entry so every
 * replica stores the same bytes (docs/architecture.md §3).
 */
import { randomUUID } from 'node:crypto';
import type { CreateTaskBody, PatchTaskBody } from '../../api/schemas.js';
import type { SessionRef, TaskCommand, TaskPatch } from '../../api/task.js';

function sessionOf(session: SessionRef | undefined): { session?: SessionRef } {
  return session === undefined ? {} : { session };
}

function versionOf(expectedVersion: number | undefined): { expectedVersion?: number } {
  return expectedVersion === undefined ? {} : { expectedVersion };
}

export function createCommand(body: CreateTaskBody, session: SessionRef | undefined): TaskCommand {
  return {
    op: 'create',
    task: {
      id: randomUUID(),
      title: body.title,
      description: body.description,
      status: body.status,
      priority: body.priority,
      dueDate: body.dueDate,
    },
    at: new Date().toISOString(),
    ...sessionOf(session),
  };
}

export function updateCommand(
  id: string,
  body: PatchTaskBody,
  expectedVersion: number | undefined,
  session: SessionRef | undefined,
): TaskCommand {
  // Only the fields the client gave: an absent field must stay "unchanged", not become undefined
  // in the entry (and `dueDate: null` is a real change: it clears the date).
  const patch: { -readonly [K in keyof TaskPatch]: TaskPatch[K] } = {};
  if (body.title !== undefined) patch.title = body.title;
  if (body.description !== undefined) patch.description = body.description;
  if (body.status !== undefined) patch.status = body.status;
  if (body.priority !== undefined) patch.priority = body.priority;
  if (body.dueDate !== undefined) patch.dueDate = body.dueDate;
  return {
    op: 'update',
    id,
    patch,
    ...versionOf(expectedVersion),
    at: new Date().toISOString(),
    ...sessionOf(session),
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
