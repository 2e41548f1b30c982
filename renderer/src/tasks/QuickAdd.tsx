/**
 * The quick-add line (`q`): plain words parsed as they are typed, a chip for each field it
 * recognised, Enter creates the task. What the line does not say comes from where the user is:
 * the project or tag selected in the sidebar, Today, or the day clicked in the calendar.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { TITLE_MAX } from '../../../cluster/api/task.js';
import { useProjects, useStores, useUi } from '../store/context.js';
import type { Scope } from '../store/ui.js';
import { formatDay, type Day } from './dates.js';
import { parseQuickAdd, toTaskInput, type ChipKind, type QuickDefaults } from './quick-parse.js';
import { useTaskIndex } from './task-index.js';

const KIND_LABELS: Readonly<Record<ChipKind, string>> = {
  date: 'Due',
  time: 'At',
  recurrence: 'Repeats',
  project: 'Project',
  tag: 'Tag',
  priority: 'Priority',
  unknown: 'Ignored',
};

function defaultsFor(scope: Scope, today: Day, day: Day | null): QuickDefaults {
  return {
    ...(scope.kind === 'project' ? { projectId: scope.id } : {}),
    ...(scope.kind === 'tag' ? { tags: [scope.name] } : {}),
    ...(day !== null ? { dueDate: day } : scope.kind === 'today' ? { dueDate: today } : {}),
  };
}

export function QuickAdd() {
  const { tasks, ui } = useStores();
  const projects = useProjects((s) => s.projects);
  const scope = useUi((s) => s.scope);
  const focus = useUi((s) => s.quickAddFocus);
  const day = useUi((s) => s.quickAddDay);
  const { today } = useTaskIndex();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const chipsId = useId();

  useEffect(() => {
    if (focus > 0) input.current?.focus();
  }, [focus]);

  // Parsed against the moment of typing: "tomorrow" typed at 23:59 means the next day.
  const parsed = useMemo(
    () => parseQuickAdd(text, { now: new Date(), projects }),
    [text, projects],
  );
  const defaults = defaultsFor(scope, today, day);
  const chips = [...parsed.chips];
  if (parsed.dueDate === null && defaults.dueDate !== undefined && defaults.dueDate !== null) {
    chips.unshift({ kind: 'date', label: formatDay(defaults.dueDate), source: '' });
  }

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (parsed.title === '') return setError('Type a title for the task.');
    if ([...parsed.title].length > TITLE_MAX) {
      return setError(`The title is longer than ${TITLE_MAX} characters.`);
    }
    tasks.getState().createTask(toTaskInput(parsed, defaults));
    setText('');
    setError(null);
    if (day !== null) ui.setState({ quickAddDay: null });
  };

  return (
    <form className="quick-add" aria-label="Quick add a task" onSubmit={submit}>
      <div className="quick-add-line">
        <input
          ref={input}
          aria-label="Quick add"
          aria-keyshortcuts="q"
          aria-describedby={chipsId}
          aria-invalid={error !== null}
          placeholder="Add a task: “Water plants tomorrow 9am every week #home !high”  ( q )"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setText('');
              ui.setState({ quickAddDay: null });
              e.currentTarget.blur();
            }
          }}
        />
        <button type="submit" className="primary">
          Add
        </button>
      </div>
      <ul id={chipsId} className="quick-chips" aria-label="Recognised fields" aria-live="polite">
        {parsed.title !== '' && chips.length > 0 && (
          <li className="qchip qchip-title">
            <span className="qchip-kind">Title</span> {parsed.title}
          </li>
        )}
        {chips.map((c, i) => (
          <li key={`${c.kind}-${i}`} className={`qchip qchip-${c.kind}`}>
            <span className="qchip-kind">{KIND_LABELS[c.kind]}</span> {c.label}
          </li>
        ))}
      </ul>
      {error !== null && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
