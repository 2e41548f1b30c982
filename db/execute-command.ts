/**
 * One command applied to the in-memory view of a batch (apply-plan.ts): pure, so every replica
 * and every store implementation computes the same rows and answers. Everything that depends
 * on the state — a project or parent that must exist, a cycle, a name taken, the subtasks a
 * delete cascades to, the next occurrence of a recurring task — is decided here, from the state
 * at the entry's index. A failed command changes nothing.
 */
import { createHash } from 'node:crypto';
import type {
  CommandFailure,
  CommandResult,
  ImportedTask,
  Task,
  TaskCommand,
} from '../cluster/api/task.js';
import { tagKey } from './command.js';
import {
  binaryCompare,
  canonicalProject,
  canonicalTask,
  toProject,
  type ProjectRow,
  type StateView,
} from './state-view.js';

type Command<Op extends TaskCommand['op']> = Extract<TaskCommand, { op: Op }>;

/** Applies `command` at log `index` to `view`; returns the domain outcome. */
export function execute(command: TaskCommand, index: number, view: StateView): CommandResult {
  switch (command.op) {
    case 'create':
      return create(command, index, view);
    case 'update':
      return update(command, index, view);
    case 'delete':
      return remove(command, view);
    case 'project.create':
      return createProject(command, index, view);
    case 'project.update':
      return updateProject(command, index, view);
    case 'project.delete':
      return deleteProject(command, index, view);
    case 'import':
      return importRows(command, index, view);
  }
}

/**
 * The id of the copy of subtask `oldId` under the next occurrence `nextId`: a UUID-shaped
 * sha256, the same on every replica.
 */
export function derivedId(nextId: string, oldId: string): string {
  const hex = createHash('sha256').update(`${nextId}:${oldId}`, 'utf8').digest('hex');
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-` +
    `${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  );
}

// --- tasks -----------------------------------------------------------------------------------

function create(command: Command<'create'>, index: number, view: StateView): CommandResult {
  const input = command.task;
  if (view.tasks.get(input.id)) return conflict(`task ${input.id} already exists`);
  const refused =
    checkProject(view, input.projectId) ??
    (input.parentId === input.id ? invalid('parentId', 'a task cannot be its own parent') : null) ??
    checkParent(view, input.id, input.parentId);
  if (refused !== null) return refused;
  const task = putTask(view, null, {
    id: input.id,
    title: input.title,
    description: input.description,
    status: input.status,
    priority: input.priority,
    dueDate: input.dueDate,
    dueTime: input.dueDate === null ? null : input.dueTime,
    projectId: input.projectId,
    tags: input.tags,
    parentId: input.parentId,
    recurrence: input.recurrence,
    position: input.position,
    completedAt: input.status === 'done' ? command.at : null,
    createdAt: command.at,
    updatedAt: command.at,
    version: 1,
    raftIndex: index,
  });
  return { ok: true, outcome: 'created', task };
}

function update(command: Command<'update'>, index: number, view: StateView): CommandResult {
  const current = view.tasks.get(command.id);
  if (!current) return notFound(`no task ${command.id}`);
  if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
    return conflict(
      `task ${command.id} is at version ${current.version}, not ${command.expectedVersion}`,
    );
  }
  const { patch } = command;
  const merged: Task = {
    ...current,
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.priority !== undefined && { priority: patch.priority }),
    ...(patch.dueDate !== undefined && { dueDate: patch.dueDate }),
    ...(patch.dueTime !== undefined && { dueTime: patch.dueTime }),
    ...(patch.projectId !== undefined && { projectId: patch.projectId }),
    ...(patch.tags !== undefined && { tags: patch.tags }),
    ...(patch.parentId !== undefined && { parentId: patch.parentId }),
    ...(patch.recurrence !== undefined && { recurrence: patch.recurrence }),
    ...(patch.position !== undefined && { position: patch.position }),
  };
  if (merged.projectId !== current.projectId) {
    const refused = checkProject(view, merged.projectId);
    if (refused !== null) return refused;
  }
  if (merged.parentId !== current.parentId) {
    const refused = checkParent(view, current.id, merged.parentId);
    if (refused !== null) return refused;
  }
  const completing = current.status !== 'done' && merged.status === 'done';
  const next = command.next;
  if (next !== undefined && next.forVersion !== current.version) {
    return conflict(
      `task ${command.id} changed while being completed (it is at version ` +
        `${current.version}, the next occurrence was computed at ${next.forVersion})`,
    );
  }
  const repeats = completing && merged.recurrence !== null;
  if (repeats && next === undefined) {
    return conflict(`task ${command.id} changed while being completed (it repeats now)`);
  }
  if (repeats && next !== undefined && view.tasks.get(next.id)) {
    return conflict(`task ${next.id} (the next occurrence) already exists`);
  }
  const task = putTask(view, current, {
    ...merged,
    dueTime: merged.dueDate === null ? null : merged.dueTime,
    // The rule moves to the next occurrence: completing this one again creates no other.
    recurrence: repeats ? null : merged.recurrence,
    completedAt: completedAt(command, current, merged),
    updatedAt: command.at,
    version: current.version + 1,
    raftIndex: index,
  });
  if (!repeats || next === undefined) return { ok: true, outcome: 'updated', task };
  const occurrence = putTask(view, null, {
    id: next.id,
    title: merged.title,
    description: merged.description,
    status: 'todo',
    priority: merged.priority,
    dueDate: next.dueDate,
    dueTime: merged.dueTime,
    projectId: merged.projectId,
    tags: merged.tags,
    parentId: merged.parentId,
    recurrence: merged.recurrence,
    position: Date.parse(command.at),
    completedAt: null,
    createdAt: command.at,
    updatedAt: command.at,
    version: 1,
    raftIndex: index,
  });
  // Its subtasks, the whole subtree, copied under the new occurrence as todo.
  for (const old of subtree(view, current.id).slice(1)) {
    putTask(view, null, {
      ...old,
      id: derivedId(next.id, old.id),
      parentId: old.parentId === current.id ? next.id : derivedId(next.id, old.parentId!),
      status: 'todo',
      completedAt: null,
      createdAt: command.at,
      updatedAt: command.at,
      version: 1,
      raftIndex: index,
    });
  }
  return { ok: true, outcome: 'updated', task, next: occurrence };
}

/**
 * A task's completion time after an update. Updates a leader built since issue 14 (`v: 2`):
 * the time it became done, kept through later edits. Older entries (no mark): `at` while the
 * task ends up done — what migration 0004 and the v1/v2 snapshot defaults (task-defaults.ts)
 * set from updated_at, so a node that applied them before upgrading and one that replays them
 * after agree.
 */
function completedAt(command: Command<'update'>, current: Task, merged: Task): string | null {
  if (merged.status !== 'done') return null;
  if (command.v !== 2) return command.at;
  return current.status !== 'done' ? command.at : current.completedAt;
}

function remove(command: Command<'delete'>, view: StateView): CommandResult {
  const current = view.tasks.get(command.id);
  if (!current) return notFound(`no task ${command.id}`);
  if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
    return conflict(
      `task ${command.id} is at version ${current.version}, not ${command.expectedVersion}`,
    );
  }
  const deletedIds = deleteTrees(view, [current.id]);
  return { ok: true, outcome: 'deleted', task: null, deletedIds };
}

// --- projects --------------------------------------------------------------------------------

function createProject(
  command: Command<'project.create'>,
  index: number,
  view: StateView,
): CommandResult {
  const input = command.project;
  if (view.projects.get(input.id)) return conflict(`project ${input.id} already exists`);
  const taken = projectNamed(view, input.name);
  if (taken !== undefined) return nameTaken(input.name, taken);
  const project: ProjectRow = {
    id: input.id,
    name: input.name,
    color: input.color,
    position: input.position,
    version: 1,
    createdAt: command.at,
    updatedAt: command.at,
    raftIndex: index,
  };
  putProject(view, project);
  return { ok: true, outcome: 'project_created', project: toProject(project) };
}

function updateProject(
  command: Command<'project.update'>,
  index: number,
  view: StateView,
): CommandResult {
  const current = view.projects.get(command.id);
  if (!current) return notFound(`no project ${command.id}`);
  if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
    return conflict(
      `project ${command.id} is at version ${current.version}, not ${command.expectedVersion}`,
    );
  }
  const { patch } = command;
  if (patch.name !== undefined) {
    const taken = projectNamed(view, patch.name);
    if (taken !== undefined && taken.id !== current.id) return nameTaken(patch.name, taken);
  }
  const project: ProjectRow = {
    ...current,
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.color !== undefined && { color: patch.color }),
    ...(patch.position !== undefined && { position: patch.position }),
    version: current.version + 1,
    updatedAt: command.at,
    raftIndex: index,
  };
  putProject(view, project);
  return { ok: true, outcome: 'project_updated', project: toProject(project) };
}

function deleteProject(
  command: Command<'project.delete'>,
  index: number,
  view: StateView,
): CommandResult {
  const current = view.projects.get(command.id);
  if (!current) return notFound(`no project ${command.id}`);
  if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
    return conflict(
      `project ${command.id} is at version ${current.version}, not ${command.expectedVersion}`,
    );
  }
  const members = liveTasks(view)
    .filter((t) => t.projectId === command.id)
    .map((t) => t.id)
    .sort(binaryCompare);
  let deletedIds: string[] = [];
  const movedIds: string[] = [];
  if (command.tasks === 'delete') {
    deletedIds = deleteTrees(view, members);
  } else {
    for (const id of members) {
      const task = view.tasks.get(id)!;
      putTask(view, task, {
        ...task,
        projectId: null,
        updatedAt: command.at,
        version: task.version + 1,
        raftIndex: index,
      });
      movedIds.push(id);
    }
  }
  view.projects.set(command.id, null);
  view.dirtyProjects.add(command.id);
  return { ok: true, outcome: 'project_deleted', project: null, deletedIds, movedIds };
}

// --- import ----------------------------------------------------------------------------------

function importRows(command: Command<'import'>, index: number, view: StateView): CommandResult {
  let projects = 0;
  let tasks = 0;
  let skipped = 0;
  const taskIds: string[] = [];
  const projectIds: string[] = [];
  /** Imported project id → the id its tasks go to (another one when the name exists). */
  const mapped = new Map<string, string>();
  for (const row of command.projects) {
    if (view.projects.get(row.id)) {
      skipped += 1;
      continue;
    }
    const taken = projectNamed(view, row.name);
    if (taken !== undefined) {
      mapped.set(row.id, taken.id);
      skipped += 1;
      continue;
    }
    putProject(view, { ...row, version: 1, raftIndex: index });
    projects += 1;
    projectIds.push(row.id);
  }
  // A row waits for its parent while the parent is still to be imported; whatever is left
  // when a pass imports nothing more (a missing parent, a cycle) is skipped.
  let pending: ImportedTask[] = [...command.tasks];
  for (;;) {
    const waiting: ImportedTask[] = [];
    const before = pending.length;
    const pendingIds = new Set(pending.map((row) => row.id));
    for (const row of pending) {
      const projectId =
        row.projectId === null ? null : (mapped.get(row.projectId) ?? row.projectId);
      if (
        view.tasks.get(row.id) ||
        (projectId !== null && !view.projects.get(projectId)) ||
        row.parentId === row.id
      ) {
        skipped += 1;
        continue;
      }
      if (row.parentId !== null && !view.tasks.get(row.parentId)) {
        if (pendingIds.has(row.parentId)) waiting.push(row);
        else skipped += 1;
        continue;
      }
      putTask(view, null, {
        ...row,
        projectId,
        dueTime: row.dueDate === null ? null : row.dueTime,
        completedAt: row.status !== 'done' ? null : (row.completedAt ?? row.updatedAt),
        version: 1,
        raftIndex: index,
      });
      tasks += 1;
      taskIds.push(row.id);
    }
    if (waiting.length === 0 || waiting.length === before) {
      skipped += waiting.length;
      break;
    }
    pending = waiting;
  }
  return { ok: true, outcome: 'imported', projects, tasks, skipped, taskIds, projectIds };
}

// --- helpers ---------------------------------------------------------------------------------

/** Writes `task` (replacing `before`, null for a new row), its tags resolved to their spelling. */
function putTask(view: StateView, before: Task | null, task: Task): Task {
  if (before !== null) releaseTags(view, before.tags);
  const tags = task.tags.map((name) => {
    const key = tagKey(name);
    const row = view.tags.get(key);
    const spelling = row !== undefined && row.uses > 0 ? row.name : name;
    view.tags.set(key, { name: spelling, uses: (row?.uses ?? 0) + 1 });
    view.dirtyTags.add(key);
    return spelling;
  });
  const stored = canonicalTask({ ...task, tags });
  view.tasks.set(task.id, stored);
  view.dirtyTasks.add(task.id);
  return stored;
}

function releaseTags(view: StateView, tags: readonly string[]): void {
  for (const name of tags) {
    const key = tagKey(name);
    const row = view.tags.get(key);
    if (row === undefined) continue; // not read: cannot happen, the store reads every tag
    view.tags.set(key, { name: row.name, uses: Math.max(0, row.uses - 1) });
    view.dirtyTags.add(key);
  }
}

function putProject(view: StateView, project: ProjectRow): void {
  view.projects.set(project.id, canonicalProject(project));
  view.dirtyProjects.add(project.id);
}

function liveTasks(view: StateView): Task[] {
  const out: Task[] = [];
  for (const task of view.tasks.values()) if (task !== null) out.push(task);
  return out;
}

/**
 * `rootId` and every task below it, breadth first, siblings by id. The store read every
 * descendant of a task the batch deletes or completes, so the view holds the whole subtree.
 */
export function subtree(view: StateView, rootId: string): Task[] {
  const children = new Map<string, Task[]>();
  for (const task of liveTasks(view)) {
    if (task.parentId === null) continue;
    const list = children.get(task.parentId) ?? [];
    list.push(task);
    children.set(task.parentId, list);
  }
  const root = view.tasks.get(rootId);
  if (!root) return [];
  const out: Task[] = [root];
  const seen = new Set([rootId]);
  for (let i = 0; i < out.length; i++) {
    const kids = (children.get(out[i]!.id) ?? []).sort((a, b) => binaryCompare(a.id, b.id));
    for (const kid of kids) {
      if (seen.has(kid.id)) continue;
      seen.add(kid.id);
      out.push(kid);
    }
  }
  return out;
}

/** Deletes the trees under `rootIds`; returns every id deleted, in the order deleted. */
function deleteTrees(view: StateView, rootIds: readonly string[]): string[] {
  const deleted: string[] = [];
  for (const rootId of rootIds) {
    for (const task of subtree(view, rootId)) {
      releaseTags(view, task.tags);
      view.tasks.set(task.id, null);
      view.dirtyTasks.add(task.id);
      view.deletedParent.set(task.id, task.parentId);
      deleted.push(task.id);
    }
  }
  return deleted;
}

function checkProject(view: StateView, projectId: string | null): CommandFailure | null {
  if (projectId === null || view.projects.get(projectId)) return null;
  return invalid('projectId', `no project ${projectId}`);
}

/** The parent must exist and must not be `taskId` or below it (the store read its ancestors). */
function checkParent(
  view: StateView,
  taskId: string,
  parentId: string | null,
): CommandFailure | null {
  if (parentId === null) return null;
  if (parentId === taskId) return invalid('parentId', 'a task cannot be its own parent');
  let at = view.tasks.get(parentId);
  if (!at) return invalid('parentId', `no task ${parentId}`);
  const seen = new Set<string>();
  while (at) {
    if (at.id === taskId) {
      return invalid(
        'parentId',
        `task ${parentId} is a subtask of ${taskId}: that would be a cycle`,
      );
    }
    if (at.parentId === null || seen.has(at.id)) break;
    seen.add(at.id);
    at = view.tasks.get(at.parentId);
  }
  return null;
}

/** The project whose name equals `name` ignoring case (the store read every such project). */
function projectNamed(view: StateView, name: string): ProjectRow | undefined {
  const key = tagKey(name);
  for (const project of view.projects.values()) {
    if (project !== null && tagKey(project.name) === key) return project;
  }
  return undefined;
}

function notFound(message: string): CommandFailure {
  return { ok: false, outcome: 'not_found', message };
}

function conflict(message: string): CommandFailure {
  return { ok: false, outcome: 'version_conflict', message };
}

function invalid(field: string, message: string): CommandFailure {
  return { ok: false, outcome: 'invalid_reference', field, message };
}

function nameTaken(name: string, taken: ProjectRow): CommandFailure {
  return invalid('name', `a project named ${JSON.stringify(taken.name)} exists already (${name})`);
}
