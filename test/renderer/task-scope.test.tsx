// The pure parts behind the views: scopes and counts, the month grid, project reordering.
import { describe, expect, it } from 'vitest';
import { positionAfterMove } from '../../renderer/src/store/projects.js';
import { monthGrid, tasksByDay } from '../../renderer/src/tasks/calendar.js';
import { inScope, scopeCounts, subtaskProgress } from '../../renderer/src/tasks/scope.js';
import { makeProject, makeTask } from './fake-api.js';

const today = '2026-12-07';

describe('scopes', () => {
  const tasks = [
    makeTask(1, { dueDate: '2026-12-06' }),
    makeTask(2, { dueDate: '2026-12-06', status: 'done' }),
    makeTask(3, { dueDate: today, projectId: 'p1', tags: ['Home'] }),
    makeTask(4, { dueDate: '2026-12-08', tags: ['home', 'car'] }),
    makeTask(5, { dueDate: '2026-12-14' }),
    makeTask(6, { dueDate: '2026-12-15', projectId: 'p1' }),
    makeTask(7, { parentId: makeTask(3).id, tags: ['car'] }),
  ];
  const ids = (kind: Parameters<typeof inScope>[1]): number[] =>
    tasks.filter((t) => inScope(t, kind, today)).map((t) => Number(t.id.slice(-2)));

  it('filter as the API does: today exactly, upcoming the next 7 days, overdue open only', () => {
    expect(ids({ kind: 'overdue' })).toEqual([1]);
    expect(ids({ kind: 'today' })).toEqual([3]);
    expect(ids({ kind: 'upcoming' })).toEqual([4, 5]);
    expect(ids({ kind: 'project', id: 'p1' })).toEqual([3, 6]);
    expect(ids({ kind: 'inbox' })).toEqual([1, 2, 4, 5, 7]);
    expect(ids({ kind: 'tag', name: 'HOME' })).toEqual([3, 4]);
  });

  it('counts open top-level tasks per scope in one pass; tags count every task', () => {
    const c = scopeCounts(tasks, today);
    expect(c).toMatchObject({ all: 5, inbox: 3, today: 1, upcoming: 2, overdue: 1 });
    expect(c.byProject.get('p1')).toBe(2);
    expect(c.tags).toEqual([
      { name: 'car', count: 2 },
      { name: 'Home', count: 2 },
    ]);
  });

  it('subtask progress per parent', () => {
    const p = subtaskProgress([
      ...tasks,
      makeTask(8, { parentId: makeTask(3).id, status: 'done' }),
    ]);
    expect(p.get(makeTask(3).id)).toEqual({ done: 1, total: 2 });
    expect(p.size).toBe(1);
  });

  it('10,000 tasks are counted and scoped in well under a frame budget each', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      makeTask(i + 1, {
        dueDate: `2026-12-${String((i % 28) + 1).padStart(2, '0')}`,
        tags: i % 3 === 0 ? ['a'] : [],
        projectId: i % 2 === 0 ? 'p1' : null,
      }),
    );
    const start = performance.now();
    scopeCounts(many, today);
    many.filter((t) => inScope(t, { kind: 'tag', name: 'a' }, today));
    expect(performance.now() - start).toBeLessThan(200);
  });
});

describe('month grid', () => {
  it('whole weeks from the Monday on or before the 1st', () => {
    const weeks = monthGrid('2026-12');
    expect(weeks).toHaveLength(5);
    expect(weeks[0]?.[0]).toBe('2026-11-30');
    expect(weeks[4]?.[6]).toBe('2027-01-03');
    expect(monthGrid('2021-02')).toHaveLength(4); // starts on a Monday, 28 days
    expect(monthGrid('2026-11')).toHaveLength(6); // starts on a Sunday, 30 days
  });

  it('tasks by day, timed ones in time order after the untimed', () => {
    const by = tasksByDay([
      makeTask(1, { title: 'b', dueDate: today, dueTime: '09:00' }),
      makeTask(2, { title: 'a', dueDate: today, dueTime: '08:00' }),
      makeTask(3, { title: 'c', dueDate: today }),
      makeTask(4, { title: 'none' }),
    ]);
    expect(by.get(today)?.map((t) => t.title)).toEqual(['c', 'a', 'b']);
    expect(by.size).toBe(1);
  });
});

describe('project order', () => {
  const list = [makeProject(1), makeProject(2), makeProject(3)];
  it('a move goes halfway between the neighbours it lands between', () => {
    expect(positionAfterMove(list, makeProject(3).id, -1)).toBe(1.5);
    expect(positionAfterMove(list, makeProject(2).id, -1)).toBe(0);
    expect(positionAfterMove(list, makeProject(1).id, 1)).toBe(2.5);
    expect(positionAfterMove(list, makeProject(2).id, 1)).toBe(4);
    expect(positionAfterMove(list, makeProject(1).id, -1)).toBeNull();
    expect(positionAfterMove(list, makeProject(3).id, 1)).toBeNull();
  });
});
