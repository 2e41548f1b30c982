/** The reminders that fired in this window, each with Open and Snooze 10 min. */
import { useStore } from 'zustand';
import { useStores } from '../store/context.js';
import { dueText } from './start.js';

export function ReminderToasts() {
  const { reminders } = useStores();
  const shown = useStore(reminders, (s) => s.shown);
  if (shown.length === 0) return null;
  const r = reminders.getState();
  return (
    <div className="toasts reminder-toasts" role="alert" aria-label="Reminders">
      {shown.map((x) => (
        <div key={x.key} className="toast reminder">
          <span>
            <strong>{x.title}</strong> — {dueText(x)}
          </span>
          <button type="button" aria-label={`Open “${x.title}”`} onClick={() => r.open(x.key)}>
            Open
          </button>
          <button
            type="button"
            aria-label={`Snooze “${x.title}” 10 minutes`}
            onClick={() => r.snooze(x.key)}
          >
            Snooze 10 min
          </button>
          <button
            type="button"
            aria-label={`Dismiss reminder “${x.title}”`}
            onClick={() => r.dismiss(x.key)}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
