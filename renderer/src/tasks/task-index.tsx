/**
 * What every row, card and calendar cell needs to know beyond its own task: today's date, the
 * subtask progress of each parent, the projects by id, the selected task. Given once by the
 * tasks view through context, so the list and the board keep their props.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import type { Project } from '../../../cluster/api/task.js';
import { localDay, type Day } from './dates.js';
import type { SubtaskProgress } from './scope.js';

export interface TaskIndex {
  readonly today: Day;
  readonly progress: ReadonlyMap<string, SubtaskProgress>;
  readonly projects: ReadonlyMap<string, Project>;
  readonly selectedId: string | null;
}

export const TaskIndexContext = createContext<TaskIndex>({
  today: localDay(new Date()),
  progress: new Map(),
  projects: new Map(),
  selectedId: null,
});

export function useTaskIndex(): TaskIndex {
  return useContext(TaskIndexContext);
}

/** Today's local date, moving on at midnight (looked at once a minute). */
export function useToday(): Day {
  const [today, setToday] = useState(() => localDay(new Date()));
  useEffect(() => {
    const h = setInterval(() => setToday(localDay(new Date())), 60_000);
    return () => clearInterval(h);
  }, []);
  return today;
}
