/** The words the window uses for the contract's enums, in one place. */
import type { TaskPriority, TaskStatus } from '../../../cluster/api/task.js';

export const STATUS_LABELS: Readonly<Record<TaskStatus, string>> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
};

export const PRIORITY_LABELS: Readonly<Record<TaskPriority, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};

/** Field names as the form shows them, for the schema's per-field messages. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  dueDate: 'Due date',
  dueTime: 'Due time',
  projectId: 'Project',
  tags: 'Tags',
  recurrence: 'Repeat',
};
