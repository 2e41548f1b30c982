/**
 * The state checksum: sha256 over every column of every task (its tags in order and spelling
 * included), ordered by id, then every project, ordered by id. Both stores feed the same lines
 * in the same order, so equal states have equal digests. (The tags table is derived from the
 * tasks' tags, so it needs no line of its own.)
 */
import { createHash } from 'node:crypto';
import type { Task } from '../cluster/api/task.js';
import type { ProjectRow } from './state-view.js';

export class StateHasher {
  private readonly hash = createHash('sha256');
  private projectsStarted = false;

  /** Tasks first, by id. */
  task(task: Task): void {
    this.hash.update(taskLine(task), 'utf8');
  }

  /** Then projects, by id. */
  project(project: ProjectRow): void {
    if (!this.projectsStarted) {
      this.hash.update('projects\n', 'utf8');
      this.projectsStarted = true;
    }
    this.hash.update(projectLine(project), 'utf8');
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export function taskLine(task: Task): string {
  return (
    JSON.stringify([
      task.id,
      task.title,
      task.description,
      task.status,
      task.priority,
      task.dueDate,
      task.dueTime,
      task.projectId,
      task.tags,
      task.parentId,
      task.recurrence === null ? null : [task.recurrence.rrule, task.recurrence.from],
      task.position,
      task.completedAt,
      task.createdAt,
      task.updatedAt,
      task.version,
      task.raftIndex,
    ]) + '\n'
  );
}

export function projectLine(project: ProjectRow): string {
  return (
    JSON.stringify([
      project.id,
      project.name,
      project.color,
      project.position,
      project.version,
      project.createdAt,
      project.updatedAt,
      project.raftIndex,
    ]) + '\n'
  );
}
