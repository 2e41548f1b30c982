/**
 * The task keys: `q` quick add, j/k move the selection through the tasks shown, x completes
 * (or reopens) the selected task, e edits it, Delete deletes it, `?` lists every shortcut.
 * Called by handleShortcut, which has already left out typing, modifiers and the task form.
 */
import type { Stores } from '../store/stores.js';

/** Another modal (a project, the shortcuts list) owns the keyboard too. */
function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

export function handleTaskKey(e: KeyboardEvent, stores: Stores): boolean {
  if (modalOpen()) return false;
  const { ui, settings, tasks } = stores;
  if (e.key === '?') {
    ui.getState().setShortcutsOpen(true);
    return true;
  }
  if (e.key === 'q') {
    settings.getState().update({ tab: 'tasks' });
    ui.getState().focusQuickAdd();
    return true;
  }
  if (settings.getState().tab !== 'tasks') return false;
  if (e.key === 'j' || e.key === 'k') {
    ui.getState().moveSelection(e.key === 'j' ? 1 : -1);
    return true;
  }
  const id = ui.getState().selectedId;
  if (id === null) return false;
  if (e.key === 'x') {
    // Done when it is not (pending changes included), otherwise back to do.
    if (tasks.getState().moveTask(id, 'done') === null) tasks.getState().moveTask(id, 'todo');
    return true;
  }
  if (e.key === 'e') {
    ui.getState().openForm({ mode: 'edit', taskId: id });
    return true;
  }
  if (e.key === 'Delete') {
    const ids = ui.getState().visibleIds;
    const at = ids.indexOf(id);
    tasks.getState().deleteTask(id);
    ui.getState().select(ids[at + 1] ?? ids[at - 1] ?? null);
    return true;
  }
  return false;
}
