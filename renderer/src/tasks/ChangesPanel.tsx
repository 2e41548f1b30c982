/**
 * The user's recent changes, newest first, each with where it stands: pending (and why),
 * committed at which log index, or failed (and what can be done).
 */
import { describeChange, type Change } from '../store/changes.js';
import { useStores, useTasks } from '../store/context.js';

const SHOWN = 30;

function ChangeItem(props: { change: Change }) {
  const { tasks, ui } = useStores();
  const c = props.change;
  const name = describeChange(c);
  const s = c.state;
  return (
    <li className={`change change-${s.phase}`}>
      <span className="change-what">{name}</span>
      {s.phase === 'scheduled' && <span className="change-state">can be undone for a moment</span>}
      {s.phase === 'pending' && (
        <>
          <span className="change-state">
            pending{s.inFlight ? ' (sent)' : ''}
            {s.attempts > 1 ? `, attempt ${s.attempts}` : ''}
          </span>
          {s.message !== null && <span className="change-message">{s.message}</span>}
          {s.nextRetryAt !== null && (
            <button
              type="button"
              aria-label={`Retry now: ${name}`}
              onClick={() => tasks.getState().retryNow(c.id)}
            >
              Retry now
            </button>
          )}
        </>
      )}
      {s.phase === 'committed' && (
        <span className="change-state">
          committed at index {s.raftIndex} (term {s.term}, node {s.servedBy})
        </span>
      )}
      {s.phase === 'failed' && (
        <>
          <span className="change-state">failed</span>
          <span className="change-message">{s.error.message}</span>
          {s.error.details !== undefined && (
            <ul className="change-details">
              {Object.entries(s.error.details).map(([k, v]) => (
                <li key={k}>
                  {k}: {v}
                </li>
              ))}
            </ul>
          )}
          {c.kind === 'create' && s.error.code === 'invalid_input' ? (
            <button
              type="button"
              aria-label={`Edit and try again: ${name}`}
              onClick={() => ui.getState().openForm({ mode: 'retry', changeId: c.id })}
            >
              Edit and try again
            </button>
          ) : (
            <button
              type="button"
              aria-label={`Try again: ${name}`}
              onClick={() => tasks.getState().tryAgain(c.id)}
            >
              Try again
            </button>
          )}
          <button
            type="button"
            aria-label={`Dismiss: ${name}`}
            onClick={() => tasks.getState().dismiss(c.id)}
          >
            Dismiss
          </button>
        </>
      )}
    </li>
  );
}

export function ChangesPanel() {
  const changes = useTasks((s) => s.changes);
  const shown = changes.slice(-SHOWN).reverse();
  return (
    <aside className="changes" aria-labelledby="changes-heading">
      <h2 id="changes-heading">Changes</h2>
      {shown.length === 0 ? (
        <p className="empty">Your changes appear here with the log index they committed at.</p>
      ) : (
        <ol aria-label="Recent changes" aria-live="polite">
          {shown.map((c) => (
            <ChangeItem key={c.id} change={c} />
          ))}
        </ol>
      )}
    </aside>
  );
}
