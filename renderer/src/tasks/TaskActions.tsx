/** The per-task controls shared by list rows and board cards, each named after its task. */
import { TASK_STATUSES, type Task, type TaskStatus } from '../../../cluster/api/task.js';
import { useStores } from '../store/context.js';
import { STATUS_LABELS } from '../text/labels.js';

export function StatusSelect(props: { task: Task; label: string }) {
  const { tasks } = useStores();
  return (
    <select
      aria-label={`${props.label} “${props.task.title}”`}
      value={props.task.status}
      onChange={(e) => tasks.getState().moveTask(props.task.id, e.target.value as TaskStatus)}
    >
      {TASK_STATUSES.map((s) => (
        <option key={s} value={s}>
          {STATUS_LABELS[s]}
        </option>
      ))}
    </select>
  );
}

export function EditButton(props: { task: Task }) {
  const { ui } = useStores();
  return (
    <button
      type="button"
      aria-label={`Edit “${props.task.title}”`}
      onClick={() => ui.getState().openForm({ mode: 'edit', taskId: props.task.id })}
    >
      Edit
    </button>
  );
}

export function DeleteButton(props: { task: Task }) {
  const { tasks } = useStores();
  return (
    <button
      type="button"
      className="danger"
      aria-label={`Delete “${props.task.title}”`}
      onClick={() => tasks.getState().deleteTask(props.task.id)}
    >
      Delete
    </button>
  );
}
