/** One toast per delete still inside its undo window. */
import { useStores, useTasks } from '../store/context.js';

export function UndoToasts() {
  const { tasks } = useStores();
  const changes = useTasks((s) => s.changes);
  const scheduled = changes.filter((c) => c.kind === 'delete' && c.state.phase === 'scheduled');
  return (
    <div className="toasts" role="status" aria-live="polite">
      {scheduled.map((c) => (
        <div key={c.id} className="toast">
          <span>Deleted “{c.title}”.</span>
          <button
            type="button"
            aria-label={`Undo delete of “${c.title}”`}
            onClick={() => tasks.getState().undoDelete(c.id)}
          >
            Undo
          </button>
        </div>
      ))}
    </div>
  );
}
