/**
 * One toast per action still undoable (10 s): what was done, and Undo. Only the newest few show,
 * so a burst of edits does not cover the board; Ctrl+Z still walks back through all of them.
 */
import { useStore } from 'zustand';
import { useStores } from '../store/context.js';

const SHOWN = 3;

export function UndoToasts() {
  const { undo } = useStores();
  const entries = useStore(undo, (s) => s.entries).slice(-SHOWN);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {entries.map((e) => (
        <div key={e.id} className={`toast${e.phase === 'failed' ? ' toast-failed' : ''}`}>
          <span>{e.phase === 'failed' ? `Could not undo: ${e.error ?? ''}` : e.text}</span>
          {e.phase === 'failed' || e.phase === 'notice' ? (
            <button type="button" onClick={() => undo.getState().dismiss(e.id)}>
              Dismiss
            </button>
          ) : (
            <button
              type="button"
              aria-label={e.undoLabel}
              aria-keyshortcuts="Control+Z Meta+Z"
              disabled={e.phase === 'undoing'}
              onClick={() => void undo.getState().undo(e.id)}
            >
              Undo
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
