/**
 * Window-wide keys: `n` opens the new-task form, `/` goes to search, and the task keys of
 * task-keys.ts (q, j, k, x, e, Delete, ?). Ignored while typing in a field or with a modifier
 * held, so they never eat a character or a browser shortcut.
 */
import { useEffect } from 'react';
import type { Stores } from '../store/stores.js';
import { handleTaskKey } from './task-keys.js';

const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'range']);

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  // A checkbox or a button takes no text: j/k still work after a click on one.
  if (tag === 'INPUT' && NOT_TEXT.has((target as HTMLInputElement).type)) return false;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

export function handleShortcut(e: KeyboardEvent, stores: Stores): boolean {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return false;
  const { ui, settings } = stores;
  // An open dialog owns the keyboard.
  if (ui.getState().form !== null) return false;
  if (e.key === 'n') {
    settings.getState().update({ tab: 'tasks' });
    ui.getState().openForm({ mode: 'create' });
    return true;
  }
  if (e.key === '/') {
    settings.getState().update({ tab: 'tasks' });
    ui.getState().focusSearch();
    return true;
  }
  return handleTaskKey(e, stores);
}

export function useShortcuts(stores: Stores): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (handleShortcut(e, stores)) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [stores]);
}
