/**
 * The calendar: a month of days with the tasks due on each. ‹ › move by a month; a day's number
 * opens quick add with that date; a task opens its editor.
 */
import { useId, useMemo, useState } from 'react';
import type { Task } from '../../../cluster/api/task.js';
import { useStores } from '../store/context.js';
import { monthGrid, tasksByDay, WEEKDAY_NAMES } from './calendar.js';
import { addMonths, formatDay, formatDayMonth, formatMonth } from './dates.js';
import { useTaskIndex } from './task-index.js';

function CalendarTask(props: { task: Task; selected: boolean }) {
  const { ui } = useStores();
  const t = props.task;
  return (
    <li>
      <button
        type="button"
        className={`cal-task priority-${t.priority} status-${t.status}${props.selected ? ' selected' : ''}`}
        aria-label={`Edit “${t.title}”${t.status === 'done' ? ' (done)' : ''}`}
        title={t.title}
        onClick={() => ui.getState().openForm({ mode: 'edit', taskId: t.id })}
      >
        {t.dueTime !== null && <span className="cal-time">{t.dueTime}</span>}
        <span className="task-title">{t.title}</span>
      </button>
    </li>
  );
}

export function CalendarView(props: { tasks: readonly Task[] }) {
  const { ui } = useStores();
  const { today, selectedId } = useTaskIndex();
  const [month, setMonth] = useState(today.slice(0, 7));
  const headingId = useId();
  const byDay = useMemo(() => tasksByDay(props.tasks), [props.tasks]);
  const weeks = monthGrid(month);

  return (
    <section className="calendar" aria-labelledby={headingId}>
      <div className="calendar-nav">
        <button
          type="button"
          aria-label="Previous month"
          onClick={() => setMonth((m) => addMonths(m, -1))}
        >
          ‹
        </button>
        <h3 id={headingId} aria-live="polite">
          {formatMonth(month)}
        </h3>
        <button
          type="button"
          aria-label="Next month"
          onClick={() => setMonth((m) => addMonths(m, 1))}
        >
          ›
        </button>
        <button type="button" onClick={() => setMonth(today.slice(0, 7))}>
          This month
        </button>
      </div>
      <table className="calendar-grid" aria-labelledby={headingId}>
        <thead>
          <tr>
            {WEEKDAY_NAMES.map((d) => (
              <th key={d} scope="col" abbr={d}>
                {d.slice(0, 3)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]}>
              {week.map((day) => {
                const due = byDay.get(day) ?? [];
                const outside = day.slice(0, 7) !== month;
                return (
                  <td
                    key={day}
                    className={`cal-day${outside ? ' outside' : ''}${day === today ? ' today' : ''}${day < today ? ' past' : ''}`}
                    aria-current={day === today ? 'date' : undefined}
                  >
                    <button
                      type="button"
                      className="day-add"
                      aria-label={`Add a task on ${formatDayMonth(day)}`}
                      onClick={() => ui.getState().focusQuickAdd(day)}
                    >
                      {Number(day.slice(8))}
                    </button>
                    {due.length > 0 && (
                      <ul aria-label={`Due ${formatDay(day)}`}>
                        {due.map((t) => (
                          <CalendarTask key={t.id} task={t} selected={t.id === selectedId} />
                        ))}
                      </ul>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
