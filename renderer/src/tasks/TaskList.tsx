/** The list view: one fixed-height row per task, virtualized. */
import type { Task } from '../../../cluster/api/task.js';
import type { Change } from '../store/changes.js';
import { useStores, useUi } from '../store/context.js';
import { VirtualList } from '../virtual/VirtualList.js';
import { CompleteBox } from './CompleteBox.js';
import { dueState } from './scope.js';
import { DeleteButton, EditButton, StatusSelect } from './TaskActions.js';
import { useTaskIndex } from './task-index.js';
import { TaskMeta } from './TaskMeta.js';

export const LIST_ROW_HEIGHT = 56;

function TaskRow(props: { task: Task; change: Change | undefined }) {
  const { task } = props;
  const { ui } = useStores();
  const { today, selectedId } = useTaskIndex();
  const due = dueState(task, today);
  const selected = selectedId === task.id;
  return (
    <div
      className={`task-row priority-${task.priority} status-${task.status} due-row-${due}${selected ? ' selected' : ''}${due === 'overdue' ? ' overdue' : ''}`}
      aria-current={selected ? 'true' : undefined}
      // A click selects the row too, so j/k go on from there.
      onClick={() => ui.getState().select(task.id)}
    >
      <CompleteBox task={task} />
      <div className="task-main">
        <span className="task-title" title={task.title}>
          {task.title}
        </span>
        <TaskMeta task={task} change={props.change}>
          {task.description !== '' && <span className="task-desc">{task.description}</span>}
        </TaskMeta>
      </div>
      <div className="task-controls">
        <StatusSelect task={task} label="Status of" />
        <EditButton task={task} />
        <DeleteButton task={task} />
      </div>
    </div>
  );
}

export function TaskList(props: {
  tasks: readonly Task[];
  latest: ReadonlyMap<string, Change>;
  fallbackHeight?: number;
}) {
  const selectedId = useUi((s) => s.selectedId);
  const selectedAt = selectedId === null ? -1 : props.tasks.findIndex((t) => t.id === selectedId);
  return (
    <VirtualList
      items={props.tasks}
      {...(selectedAt < 0 ? {} : { scrollToIndex: selectedAt })}
      rowHeight={LIST_ROW_HEIGHT}
      label="Tasks"
      className="task-list"
      getKey={(t) => t.id}
      fallbackHeight={props.fallbackHeight ?? 600}
      empty={<p className="empty">No tasks match. Press “n” to add one.</p>}
      renderRow={(t) => <TaskRow task={t} change={props.latest.get(t.id)} />}
    />
  );
}
