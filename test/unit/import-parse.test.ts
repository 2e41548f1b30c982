/**
 * Reading imports (cluster/node/api/import.ts): a Todoist CSV export (test/fixtures), its
 * natural-language dates, labels, priorities and indents; a Raftboard export's rows; ids derived
 * from the Idempotency-Key; batches that fit in a log entry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ImportedTask } from '../../cluster/api/task.js';
import {
  derivedId,
  idSource,
  importBatches,
  mapProjectsByName,
  parentsFirst,
  parseTodoistDate,
  rowsFromExport,
  rowsFromTodoistCsv,
  splitLabels,
  storableRows,
  IMPORT_CHECK_CHUNK,
  todoistPriority,
  todoistRrule,
} from '../../cluster/node/api/import.js';
import { tasksCsv } from '../../cluster/node/api/export.js';

const FIXTURE = readFileSync(new URL('../fixtures/todoist-export.csv', import.meta.url), 'utf8');
const AT = '2031-03-05T10:00:00.000Z'; // a Wednesday
const TODAY = AT.slice(0, 10);

describe('Todoist CSV', () => {
  const rows = rowsFromTodoistCsv(FIXTURE, {
    at: AT,
    today: TODAY,
    idFor: idSource('key-1'),
    project: { id: derivedId('key-1', 'project'), name: 'Todoist', create: true },
  });
  const byTitle = new Map(rows.tasks.map((t) => [t.title, t]));
  const get = (title: string): ImportedTask => {
    const t = byTitle.get(title);
    if (t === undefined) throw new Error(`no task ${title}: ${[...byTitle.keys()].join(' | ')}`);
    return t;
  };

  it('reads the task rows, leaves sections and notes out', () => {
    expect(rows.tasks.map((t) => t.title)).toEqual([
      'Pay the rent',
      'Book the dentist',
      'Find the insurance card',
      'Call the practice',
      'Water the plants',
      'Weekly review',
      "Something in Todoist's own words",
    ]);
    expect(rows.invalid).toBe(0);
    expect(rows.projects).toEqual([
      expect.objectContaining({ name: 'Todoist', id: derivedId('key-1', 'project') }),
    ]);
    expect(rows.tasks.every((t) => t.projectId === rows.projects[0]!.id)).toBe(true);
  });

  it('labels become tags, PRIORITY 1 is the highest, quotes and commas survive', () => {
    const rent = get('Pay the rent');
    expect(rent.tags).toEqual(['home', 'money']);
    expect(rent.priority).toBe('high');
    expect(rent.description).toBe('Standing order, check it "cleared"');
    expect(get('Book the dentist').priority).toBe('medium');
    expect(get('Call the practice').priority).toBe('low');
    expect(get('Weekly review').priority).toBe('low');
  });

  it('INDENT nests under the previous task of a lower indent', () => {
    const dentist = get('Book the dentist');
    const card = get('Find the insurance card');
    expect(dentist.parentId).toBeNull();
    expect(card.parentId).toBe(dentist.id);
    expect(get('Call the practice').parentId).toBe(card.id);
    expect(get('Water the plants').parentId).toBeNull();
  });

  it('dates: plain, with a time, recurring from due or completion, unreadable', () => {
    expect(get('Pay the rent')).toMatchObject({
      dueDate: '2031-04-01',
      recurrence: { rrule: 'FREQ=MONTHLY;BYMONTHDAY=1', from: 'due' },
    });
    expect(get('Book the dentist')).toMatchObject({ dueDate: '2031-03-14', dueTime: null });
    expect(get('Call the practice')).toMatchObject({ dueDate: '2031-03-10', dueTime: '09:00' });
    expect(get('Water the plants')).toMatchObject({
      dueDate: TODAY,
      recurrence: { rrule: 'FREQ=DAILY;INTERVAL=3', from: 'completion' },
    });
    expect(get('Weekly review')).toMatchObject({
      dueDate: '2031-03-07',
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'due' },
    });
    expect(get("Something in Todoist's own words")).toMatchObject({
      dueDate: null,
      recurrence: null,
    });
  });

  it('ids come from the key and the line, so a retry names the same rows', () => {
    const again = rowsFromTodoistCsv(FIXTURE, { at: AT, today: TODAY, idFor: idSource('key-1') });
    expect(again.tasks.map((t) => t.id)).toEqual(rows.tasks.map((t) => t.id));
    const other = rowsFromTodoistCsv(FIXTURE, { at: AT, today: TODAY, idFor: idSource('key-2') });
    expect(other.tasks[0]!.id).not.toBe(rows.tasks[0]!.id);
    expect(derivedId('k', 'task:2')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('refuses a CSV that is not a Todoist export', () => {
    expect(() =>
      rowsFromTodoistCsv('a,b\n1,2\n', { at: AT, today: TODAY, idFor: idSource(undefined) }),
    ).toThrow('invalid import');
  });

  it('reads the simpler "every" phrases', () => {
    expect(todoistRrule('day')).toBe('FREQ=DAILY');
    expect(todoistRrule('other week')).toBe('FREQ=WEEKLY;INTERVAL=2');
    expect(todoistRrule('2 months')).toBe('FREQ=MONTHLY;INTERVAL=2');
    expect(todoistRrule('mon, wed and fri')).toBe('FREQ=WEEKLY;BYDAY=MO,WE,FR');
    expect(todoistRrule('weekday')).toBe('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR');
    expect(todoistRrule('15th')).toBe('FREQ=MONTHLY;BYMONTHDAY=15');
    expect(todoistRrule('last day')).toBe('FREQ=MONTHLY;BYMONTHDAY=-1');
    expect(todoistRrule('third tuesday of the quarter')).toBeNull();
    expect(parseTodoistDate('every day at 7:30', TODAY)).toEqual({
      dueDate: TODAY,
      dueTime: '07:30',
      recurrence: { rrule: 'FREQ=DAILY', from: 'due' },
    });
    expect(parseTodoistDate('tomorrow', TODAY)?.dueDate).toBe('2031-03-06');
    expect(parseTodoistDate('', TODAY)).toBeNull();
  });

  it('labels and priorities', () => {
    expect(splitLabels('Buy @milk and @eggs now')).toEqual({
      title: 'Buy and now',
      tags: ['milk', 'eggs'],
    });
    expect(splitLabels('mail me@example.com')).toEqual({ title: 'mail me@example.com', tags: [] });
    expect(['1', '2', '3', '4', '', undefined].map(todoistPriority)).toEqual([
      'high',
      'medium',
      'low',
      'low',
      'medium',
      'medium',
    ]);
  });
});

describe('Raftboard export', () => {
  const task = (n: number, over: Record<string, unknown> = {}) => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    title: `t${n}`,
    description: '',
    status: 'todo',
    priority: 'medium',
    dueDate: null,
    dueTime: null,
    projectId: null,
    tags: [],
    parentId: null,
    recurrence: null,
    position: n,
    completedAt: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-02T00:00:00.000Z',
    version: 4,
    raftIndex: 99,
    ...over,
  });

  it('keeps ids, times and every field; counts invalid rows; parents first', async () => {
    const child = task(2, { parentId: task(3).id });
    const rows = await rowsFromExport({
      format: 'raftboard/1',
      exportedAt: '2025-01-03T00:00:00.000Z',
      projects: [
        {
          id: '7d3c6a51-8f3e-4c1a-9b7e-2a4b5c6d7e8f',
          name: 'P',
          color: '#112233',
          position: 1,
          version: 3,
          createdAt: '2025-01-01T00:00:00Z',
          updatedAt: '2025-01-01T00:00:00Z',
        },
        { id: 'nope', name: 'bad' },
      ],
      tasks: [
        task(1, { status: 'done', completedAt: '2025-01-02T00:00:00.000Z', tags: ['x'] }),
        child,
        task(3),
        task(4, { title: '' }),
        'junk',
      ],
    });
    expect(rows.invalid).toBe(3);
    expect(rows.projects[0]).toMatchObject({ name: 'P', version: 3 });
    expect(rows.tasks.map((t) => t.title)).toEqual(['t1', 't3', 't2']);
    expect(rows.tasks[0]).toEqual({
      ...task(1, { status: 'done', completedAt: '2025-01-02T00:00:00.000Z', tags: ['x'] }),
      version: undefined,
      raftIndex: undefined,
    });
    expect(rows.tasks[0]).not.toHaveProperty('version');
  });

  it('refuses a document of another format', async () => {
    await expect(rowsFromExport({ format: 'x', projects: [], tasks: [] })).rejects.toThrow();
    await expect(rowsFromExport([])).rejects.toThrow();
  });

  // Checking 10,000 rows in one go held the leader's event loop for ~0.3 s, past the election
  // timeout (250 ms by default): the followers elected another leader in the middle of the import.
  it('checks a large document in turns, letting the event loop run between them', async () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => task(i + 1));
    let turns = 0;
    let running = true;
    const spin = (): void => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const read = await rowsFromExport({
      format: 'raftboard/1',
      exportedAt: AT,
      projects: [],
      tasks,
    });
    const stored = await storableRows(read);
    running = false;
    expect(stored.tasks).toHaveLength(3000);
    // At least one turn per IMPORT_CHECK_CHUNK rows, in each of the two passes.
    expect(turns).toBeGreaterThanOrEqual((2 * 3000) / IMPORT_CHECK_CHUNK - 2);
  });
});

describe('projects by name', () => {
  it('sends the tasks of a project whose name exists to the existing one', () => {
    const P = (id: string, name: string) =>
      ({ id, name, color: null, position: 0, version: 1, createdAt: 'c', updatedAt: 'u' }) as const;
    const rows = {
      projects: [P('new', 'Home'), P('same', 'Work'), P('other', 'Fresh')],
      tasks: [
        { id: 't1', projectId: 'new' },
        { id: 't2', projectId: 'same' },
        { id: 't3', projectId: 'other' },
        { id: 't4', projectId: null },
      ] as unknown as ImportedTask[],
      invalid: 0,
    };
    const out = mapProjectsByName(rows, [P('old', 'home'), P('same', 'Work')]);
    expect(out.tasks.map((t) => t.projectId)).toEqual(['old', 'same', 'other', null]);
    expect(out.projects).toHaveLength(3);
  });
});

describe('batches', () => {
  it('at most 500 rows and about 256 KiB per entry, projects first', () => {
    const tasks = Array.from({ length: 1234 }, (_, i) => ({
      id: `t${i}`,
      title: 'x'.repeat(i < 600 ? 10 : 2000),
    })) as unknown as ImportedTask[];
    const batches = importBatches({ projects: [], tasks });
    expect(batches.flatMap((b) => b.tasks)).toHaveLength(1234);
    for (const b of batches) {
      expect(b.tasks.length).toBeLessThanOrEqual(500);
      expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThan(300 * 1024);
    }
    expect(importBatches({ projects: [], tasks: [] })).toEqual([]);
  });

  it('parents before children, whatever the file order', () => {
    const t = (id: string, parentId: string | null) => ({ id, parentId }) as ImportedTask;
    const ordered = parentsFirst([t('c', 'b'), t('b', 'a'), t('a', null), t('x', 'missing')]);
    expect(ordered.map((x) => x.id)).toEqual(['a', 'b', 'c', 'x']);
  });
});

describe('CSV export', () => {
  it('quotes as RFC 4180 says and joins tags with spaces', () => {
    const csv = tasksCsv(
      [
        {
          id: 'i',
          title: 'a "quoted", title',
          description: 'two\nlines',
          status: 'todo',
          priority: 'high',
          dueDate: '2025-01-01',
          dueTime: '08:00',
          projectId: 'p',
          tags: ['a', 'b'],
          parentId: null,
          recurrence: { rrule: 'FREQ=DAILY', from: 'due' },
          position: 1.5,
          completedAt: null,
          createdAt: 'c',
          updatedAt: 'u',
          version: 2,
          raftIndex: 3,
        },
      ],
      [
        {
          id: 'p',
          name: 'Home',
          color: null,
          position: 0,
          version: 1,
          createdAt: 'c',
          updatedAt: 'u',
        },
      ],
    );
    expect(csv.split('\r\n')[1]).toBe(
      'i,"a ""quoted"", title","two\nlines",todo,high,2025-01-01,08:00,p,Home,a b,,FREQ=DAILY,due,1.5,,c,u,2',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});

describe('mapProjectsByName: names that differ only in case within one file', () => {
  const at = '2025-01-01T00:00:00.000Z';
  const A = 'aaaaaaaa-0000-4000-8000-000000000001';
  const B = 'bbbbbbbb-0000-4000-8000-000000000002';
  const project = (id: string, name: string) => ({
    id,
    name,
    color: null,
    position: 1,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  const task = (n: number, projectId: string): ImportedTask => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    title: `t${n}`,
    description: '',
    status: 'todo',
    priority: 'medium',
    dueDate: null,
    dueTime: null,
    projectId,
    tags: [],
    parentId: null,
    recurrence: null,
    position: n,
    completedAt: null,
    createdAt: at,
    updatedAt: at,
  });
  const rows = {
    projects: [project(A, 'Work'), project(B, 'work')],
    tasks: [task(1, A), task(2, B), task(3, B)],
    invalid: 0,
  };

  it('the first one wins: the tasks of the second go to it', () => {
    const mapped = mapProjectsByName(rows, []);
    expect(mapped.tasks.map((t) => t.projectId)).toEqual([A, A, A]);
  });

  it('a keyed retry (the first one now exists) maps the same way', () => {
    const retry = mapProjectsByName(rows, [project(A, 'Work')]);
    expect(retry.tasks.map((t) => t.projectId)).toEqual([A, A, A]);
    // An existing project of that name still wins over both.
    const C = 'cccccccc-0000-4000-8000-000000000003';
    const existing = mapProjectsByName(rows, [project(C, 'WORK')]);
    expect(existing.tasks.map((t) => t.projectId)).toEqual([C, C, C]);
  });
});
