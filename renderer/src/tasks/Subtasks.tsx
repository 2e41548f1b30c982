/**
 * A task's subtasks as a checklist in its editor: add, check, remove. Subtasks are tasks with
 * the parent's id; each action is a change of its own, sent at once (not on Save), and shows in
 * the changes panel like any other.
 */
import { useMemo, useRef, useState } from 'react';
import { TITLE_MAX, type Task } from '../../../cluster/api/task.js';
import { LOCAL_ID_PREFIX, overlay } from '../store/changes.js';
import { useStores, useTasks } from '../store/context.js';
import { CompleteBox } from './CompleteBox.js';

export function Subtasks(props: { parent: Task }) {
  const { tasks } = useStores();
  const committed = useTasks((s) => s.tasks);
  const changes = useTasks((s) => s.changes);
  const [title, setTitle] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const { parent } = props;
  const subtasks = useMemo(
    () =>
      overlay(committed, changes)
        .filter((t) => t.parentId === parent.id)
        .sort((a, b) => a.position - b.position || a.createdAt.localeCompare(b.createdAt)),
    [committed, changes, parent.id],
  );
  const done = subtasks.filter((t) => t.status === 'done').length;
  if (parent.id.startsWith(LOCAL_ID_PREFIX)) {
    return <p className="hint">Subtasks can be added once the task is committed.</p>;
  }

  const add = (e: { preventDefault(): void; stopPropagation(): void }): void => {
    // A form inside the task form: its Enter must not save the task.
    e.preventDefault();
    e.stopPropagation();
    const t = title.trim();
    if (t === '' || [...t].length > TITLE_MAX) return;
    tasks.getState().createTask({ title: t, parentId: parent.id, projectId: parent.projectId });
    setTitle('');
  };

  return (
    <section className="subtasks" aria-labelledby="subtasks-heading">
      <h3 id="subtasks-heading">
        Subtasks{' '}
        <span className="count">
          {done}/{subtasks.length}
        </span>
      </h3>
      {subtasks.length > 0 && (
        <ul aria-label="Subtasks">
          {subtasks.map((t) => (
            <li key={t.id} className={t.status === 'done' ? 'done' : ''}>
              <CompleteBox task={t} label="Complete subtask" />
              <span className="subtask-title" title={t.title}>
                {t.title}
              </span>
              <button
                type="button"
                className="danger"
                aria-label={`Remove subtask “${t.title}”`}
                onClick={() => {
                  tasks.getState().deleteTask(t.id);
                  // The button goes with its row: keep the focus (and Escape) in the dialog.
                  input.current?.focus();
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="subtask-add">
        <input
          ref={input}
          aria-label="New subtask"
          placeholder="Add a subtask"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') add(e);
          }}
        />
        <button type="button" onClick={add}>
          Add subtask
        </button>
      </div>
    </section>
  );
}
