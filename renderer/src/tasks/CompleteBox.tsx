/** The one-click "done" checkbox of a row, a card or a subtask; unchecking reopens the task. */
import type { Task } from '../../../cluster/api/task.js';
import { useStores } from '../store/context.js';

export function CompleteBox(props: { task: Task; label?: string }) {
  const { tasks } = useStores();
  const done = props.task.status === 'done';
  return (
    <input
      type="checkbox"
      className="complete-box"
      checked={done}
      aria-label={`${props.label ?? 'Complete'} “${props.task.title}”`}
      onChange={() => tasks.getState().moveTask(props.task.id, done ? 'todo' : 'done')}
    />
  );
}
