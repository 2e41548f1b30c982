/** Completing a recurring task created its next occurrence: say when it is due. */
import { useStores, useTasks } from '../store/context.js';
import { formatDay } from './dates.js';

export function NextNotice() {
  const { tasks } = useStores();
  const next = useTasks((s) => s.nextOccurrence);
  return (
    <div className="next-notice" role="status" aria-live="polite">
      {next !== null && (
        <>
          <span>
            Next: “{next.title}”{next.dueDate === null ? '' : ` due ${formatDay(next.dueDate)}`}
            {next.dueTime === null ? '' : ` at ${next.dueTime}`}
          </span>
          <button
            type="button"
            aria-label="Dismiss the next occurrence notice"
            onClick={() => tasks.setState({ nextOccurrence: null })}
          >
            OK
          </button>
        </>
      )}
    </div>
  );
}
