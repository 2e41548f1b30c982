/**
 * The board view: a column per status. Cards move by HTML5 drag and drop, or, for keyboards
 * and screen readers, by each card's "Move to" select. Columns are virtualized like the list.
 */
import { useRef, useState, type DragEvent } from 'react';
import { TASK_STATUSES, type Task, type TaskStatus } from '../../../cluster/api/task.js';
import type { Change } from '../store/changes.js';
import { useStores } from '../store/context.js';
import { STATUS_LABELS } from '../text/labels.js';
import { VirtualList } from '../virtual/VirtualList.js';
import { CompleteBox } from './CompleteBox.js';
import { DeleteButton, EditButton, StatusSelect } from './TaskActions.js';
import { useTaskIndex } from './task-index.js';
import { TaskMeta } from './TaskMeta.js';

export const CARD_HEIGHT = 96;
/** The drag payload's type: other drops (files, text) are not mistaken for a task. */
const DRAG_TYPE = 'application/x-raftboard-task';

function Card(props: {
  task: Task;
  change: Change | undefined;
  onDragStart: (id: string, e: DragEvent) => void;
}) {
  const { task } = props;
  const selected = useTaskIndex().selectedId === task.id;
  return (
    <article
      className={`card priority-${task.priority} status-${task.status}${selected ? ' selected' : ''}`}
      aria-label={task.title}
      draggable
      onDragStart={(e) => props.onDragStart(task.id, e)}
    >
      <span className="task-head">
        <CompleteBox task={task} />
        <span className="task-title" title={task.title}>
          {task.title}
        </span>
      </span>
      <TaskMeta task={task} change={props.change} />
      <span className="task-controls">
        <StatusSelect task={task} label="Move" />
        <EditButton task={task} />
        <DeleteButton task={task} />
      </span>
    </article>
  );
}

export function Board(props: {
  tasks: readonly Task[];
  latest: ReadonlyMap<string, Change>;
  fallbackHeight?: number;
}) {
  const { tasks } = useStores();
  // The dragged id also lives here: some environments hide dataTransfer data until drop.
  const dragged = useRef<string | null>(null);
  const [over, setOver] = useState<TaskStatus | null>(null);

  const byStatus = new Map<TaskStatus, Task[]>(TASK_STATUSES.map((s) => [s, []]));
  for (const t of props.tasks) byStatus.get(t.status)?.push(t);

  const onDragStart = (id: string, e: DragEvent): void => {
    dragged.current = id;
    e.dataTransfer.setData(DRAG_TYPE, id);
    e.dataTransfer.effectAllowed = 'move';
  };

  const onDrop = (status: TaskStatus, e: DragEvent): void => {
    e.preventDefault();
    setOver(null);
    const id = e.dataTransfer.getData(DRAG_TYPE) || dragged.current;
    dragged.current = null;
    if (id) tasks.getState().moveTask(id, status);
  };

  return (
    <div className="board">
      {TASK_STATUSES.map((status) => {
        const column = byStatus.get(status) ?? [];
        const headingId = `column-${status}`;
        return (
          <section
            key={status}
            className={`board-column${over === status ? ' drop-target' : ''}`}
            aria-labelledby={headingId}
            data-testid={`column-${status}`}
            onDragOver={(e) => {
              e.preventDefault(); // allows the drop
              e.dataTransfer.dropEffect = 'move';
              setOver(status);
            }}
            onDragLeave={() => setOver((o) => (o === status ? null : o))}
            onDrop={(e) => onDrop(status, e)}
          >
            <h3 id={headingId}>
              {STATUS_LABELS[status]} <span className="count">{column.length}</span>
            </h3>
            <VirtualList
              items={column}
              rowHeight={CARD_HEIGHT}
              label={`${STATUS_LABELS[status]} tasks`}
              getKey={(t) => t.id}
              fallbackHeight={props.fallbackHeight ?? 500}
              empty={<p className="empty">Drop a task here</p>}
              renderRow={(t) => (
                <Card task={t} change={props.latest.get(t.id)} onDragStart={onDragStart} />
              )}
            />
          </section>
        );
      })}
    </div>
  );
}
