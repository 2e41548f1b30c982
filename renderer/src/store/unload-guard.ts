/**
 * Asks before the page goes while changes are unsent. Nothing would be lost (the outbox keeps
 * them), but they would wait for the next visit. Not in Electron: there, a page that refuses to
 * unload silently blocks the reload and the window's close, and the outbox covers a reload.
 */
import { hasUnsent } from './outbox.js';
import type { TasksStore } from './tasks.js';

export function guardUnload(tasks: TasksStore, target: Window = window): () => void {
  const onBeforeUnload = (e: BeforeUnloadEvent): void => {
    if (!hasUnsent(tasks.getState())) return;
    e.preventDefault();
    // Older Chromium (and so Electron's) wants returnValue set.
    e.returnValue = '';
  };
  target.addEventListener('beforeunload', onBeforeUnload);
  return () => target.removeEventListener('beforeunload', onBeforeUnload);
}
