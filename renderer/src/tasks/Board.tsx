/**
 * The board view: a column per status, each in `position` order. Cards move by HTML5 drag and
 * drop (onto a card: before or after it; onto a column: to its end), or, for keyboards and
 * screen readers, by each card's "Move to" select and Alt+ArrowUp/Down on a focused card.
 * Columns are virtualized like the list.
 */
import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { TASK_STATUSES, type Task, type TaskStatus } from '../../../cluster/api/task.js';
import type { Change } from '../store/changes.js';
import { useStores } from '../store/context.js';
import { STATUS_LABELS } from '../text/labels.js';
import { VirtualList } from '../virtual/VirtualList.js';
import { CompleteBox } from './CompleteBox.js';
import { DeleteButton, EditButton, StatusSelect } from './TaskActions.js';
import { useTaskIndex } from './task-index.js';
import { TaskMeta } from './TaskMeta.js';
import { columnOf, moveCard, nudgeCard } from './reorder.js';

export const CARD_HEIGHT = 96;
/** The drag payload's type: other drops (files, text) are not mistaken for a task. */
const DRAG_TYPE = 'application/x-raftboard-task';

function Card(props: {
  task: Task;
  change: Change | undefined;
  onDragStart: (id: string, e: DragEvent) => void;
  /** A drop on this card: the dragged one goes before it (upper half) or after it. */
  onDropOn: (target: Task, before: boolean, e: DragEvent) => void;
  onKeyDown: (task: Task, e: KeyboardEvent) => void;
}) {
  const { task } = props;
  const selected = useTaskIndex().selectedId === task.id;
  return (
    <article
      className={`card priority-${task.priority} status-${task.status}${selected ? ' selected' : ''}`}
      aria-label={task.title}
      aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
      data-task-id={task.id}
      tabIndex={0}
      draggable
      onDragStart={(e) => props.onDragStart(task.id, e)}
      onDrop={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        props.onDropOn(task, e.clientY < r.top + r.height / 2, e);
      }}
      onKeyDown={(e) => props.onKeyDown(task, e)}
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

  const byStatus = new Map<TaskStatus, Task[]>(
    TASK_STATUSES.map((s) => [s, columnOf(props.tasks, s)]),
  );

  const onDragStart = (id: string, e: DragEvent): void => {
    dragged.current = id;
    e.dataTransfer.setData(DRAG_TYPE, id);
    e.dataTransfer.effectAllowed = 'move';
  };

  const takeDragged = (e: DragEvent): string | null => {
    e.preventDefault();
    setOver(null);
    const id = e.dataTransfer.getData(DRAG_TYPE) || dragged.current;
    dragged.current = null;
    return id || null;
  };

  /** Dropped on a column's free space: to the end of that column. */
  const onDrop = (status: TaskStatus, e: DragEvent): void => {
    const id = takeDragged(e);
    if (id === null) return;
    const end = (byStatus.get(status) ?? []).filter((t) => t.id !== id).length;
    moveCard(tasks, props.tasks, id, status, end);
  };

  const onDropOn = (target: Task, before: boolean, e: DragEvent): void => {
    e.stopPropagation(); // the column's own drop would move the card to the end
    const id = takeDragged(e);
    if (id === null || id === target.id) return;
    const column = (byStatus.get(target.status) ?? []).filter((t) => t.id !== id);
    const at = column.findIndex((t) => t.id === target.id);
    moveCard(tasks, props.tasks, id, target.status, before ? at : at + 1);
  };

  const onKeyDown = (task: Task, e: KeyboardEvent): void => {
    if (!e.altKey || e.ctrlKey || e.metaKey || e.target !== e.currentTarget) return;
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    if (!nudgeCard(tasks, props.tasks, task.id, e.key === 'ArrowUp' ? -1 : 1)) return;
    // The card's row moved in the list: keep the keyboard on it.
    setTimeout(() => document.querySelector<HTMLElement>(`[data-task-id="${task.id}"]`)?.focus());
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
                <Card
                  task={t}
                  change={props.latest.get(t.id)}
                  onDragStart={onDragStart}
                  onDropOn={onDropOn}
                  onKeyDown={onKeyDown}
                />
              )}
            />
          </section>
        );
      })}
    </div>
  );
}
