/** Opens the task form the UI store asks for, filled from the task or the failed change. */
import { useStores, useTasks, useUi } from '../store/context.js';
import { overlay } from '../store/changes.js';
import { TaskForm } from './TaskForm.js';
import { EMPTY_FORM, labelled, valuesOf } from './validation.js';

export function FormHost() {
  const { tasks, ui } = useStores();
  const form = useUi((s) => s.form);
  const scope = useUi((s) => s.scope);
  const committed = useTasks((s) => s.tasks);
  const changes = useTasks((s) => s.changes);
  if (form === null) return null;
  const close = (): void => ui.getState().closeForm();

  if (form.mode === 'create') {
    return (
      <TaskForm
        heading="New task"
        submitLabel="Create task"
        initial={{
          ...EMPTY_FORM,
          // A new task goes where the user is looking.
          ...(scope.kind === 'project' ? { projectId: scope.id } : {}),
          ...(scope.kind === 'tag' ? { tags: scope.name } : {}),
        }}
        onClose={close}
        onCreate={(input) => {
          tasks.getState().createTask(input);
          close();
        }}
      />
    );
  }

  if (form.mode === 'retry') {
    const failed = changes.find((c) => c.id === form.changeId);
    if (failed === undefined || failed.kind !== 'create') return null;
    const details = failed.state.phase === 'failed' ? failed.state.error.details : undefined;
    return (
      <TaskForm
        heading="Try the new task again"
        submitLabel="Create task"
        initial={valuesOf(failed.input)}
        {...(details === undefined ? {} : { initialErrors: labelled(details) })}
        onClose={close}
        onCreate={(input) => {
          tasks.getState().dismiss(failed.id);
          tasks.getState().createTask(input);
          close();
        }}
      />
    );
  }

  // Edit what the user sees, pending changes included, so a quick second edit builds on the first.
  const task = overlay(committed, changes).find((t) => t.id === form.taskId);
  if (task === undefined) return null;
  return (
    <TaskForm
      key={task.id}
      heading={`Edit “${task.title}”`}
      submitLabel="Save changes"
      initial={valuesOf(task)}
      task={task}
      onClose={close}
      onEdit={(patch) => {
        tasks.getState().updateTask(task.id, patch);
        close();
      }}
    />
  );
}
