/** The line under a task's title, in the list and on the board: priority, due date, change state. */
import type { ReactNode } from 'react';
import type { Task } from '../../../cluster/api/task.js';
import type { Change } from '../store/changes.js';
import { PRIORITY_LABELS } from '../text/labels.js';
import { ChangeBadge } from './ChangeBadge.js';

export function TaskMeta(props: { task: Task; change: Change | undefined; children?: ReactNode }) {
  const { task } = props;
  return (
    <span className="task-meta">
      <span className={`chip chip-${task.priority}`}>{PRIORITY_LABELS[task.priority]}</span>
      {task.dueDate !== null && <span className="due">due {task.dueDate}</span>}
      <ChangeBadge task={task} change={props.change} />
      {props.children}
    </span>
  );
}
