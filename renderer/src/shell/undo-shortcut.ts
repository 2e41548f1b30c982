/**
 * Ctrl+Z (Cmd+Z on macOS) undoes the newest undoable action. Inside a text field the key keeps
 * its usual meaning (undo typing), so it is left to the field.
 */
import { useEffect } from 'react';
import type { Stores } from '../store/stores.js';
import { typingIn } from './typing.js';

export function isMacPlatform(): boolean {
  return /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '');
}

export function isUndoKey(e: KeyboardEvent, mac = isMacPlatform()): boolean {
  const primary = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  return primary && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'z';
}

export function handleUndoKey(e: KeyboardEvent, stores: Stores): boolean {
  if (e.defaultPrevented || !isUndoKey(e) || typingIn(e.target)) return false;
  if (stores.ui.getState().form !== null) return false;
  return stores.undo.getState().undoLast();
}

export function useUndoShortcut(stores: Stores): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (handleUndoKey(e, stores)) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [stores]);
}
