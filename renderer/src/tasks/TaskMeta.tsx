/**
 * The line under a task's title, in the list and on the board: priority, due date and time
 * (overdue and today stand out), repeat, project, tags, subtask progress, change state.
 */
import type { ReactNode } from 'react';
import type { Task } from '../../../cluster/api/task.js';
import type { Change } from '../store/changes.js';
import { PRIORITY_LABELS } from '../text/labels.js';
import { ChangeBadge } from './ChangeBadge.js';
import { describeRecurrence } from './recurrence.js';
import { dueState } from './scope.js';
import { useTaskIndex } from './task-index.js';

const DUE_WORDS = { overdue: 'overdue', today: 'today', later: 'due', none: '' } as const;

export function TaskMeta(props: { task: Task; change: Change | undefined; children?: ReactNode }) {
  const { task } = props;
  const index = useTaskIndex();
  const due = dueState(task, index.today);
  const progress = index.progress.get(task.id);
  const project = task.projectId === null ? undefined : index.projects.get(task.projectId);
  return (
    <span className="task-meta">
      <span className={`chip chip-${task.priority}`}>{PRIORITY_LABELS[task.priority]}</span>
      {task.dueDate !== null && (
        <span className={`due due-${due}`}>
          {DUE_WORDS[due]} {due === 'today' ? '' : task.dueDate}
          {task.dueTime === null ? '' : ` ${task.dueTime}`}
        </span>
      )}
      {task.recurrence !== null && (
        <span className="repeat" title={describeRecurrence(task.recurrence)}>
          <span aria-hidden>↻</span>
          <span className="visually-hidden">repeats {describeRecurrence(task.recurrence)}</span>
        </span>
      )}
      {progress !== undefined && (
        <span className="progress" title={`${progress.done} of ${progress.total} subtasks done`}>
          {progress.done}/{progress.total}
        </span>
      )}
      {project !== undefined && (
        <span className="project-chip">
          <span className="dot" style={{ background: project.color ?? undefined }} aria-hidden />
          {project.name}
        </span>
      )}
      {task.tags.map((t) => (
        <span key={t} className="tag">
          #{t}
        </span>
      ))}
      <ChangeBadge task={task} change={props.change} />
      {props.children}
    </span>
  );
}
