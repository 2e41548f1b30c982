import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { Project, Task } from '../../cluster/api/task.js';
import { tasksCsv } from '../../cluster/node/api/export.js';

const at = '2025-01-01T00:00:00.000Z';
function task(i: number, fields: Partial<Task>): Task {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    title: 't',
    description: '',
    status: 'todo',
    priority: 'medium',
    dueDate: null,
    dueTime: null,
    projectId: null,
    tags: [],
    parentId: null,
    recurrence: null,
    position: -5,
    completedAt: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
    raftIndex: 1,
    ...fields,
  };
}

describe('CSV export: no formula injection', () => {
  it('prefixes text cells that a spreadsheet would run as a formula', () => {
    const P = '7d3c6a51-8f3e-4c1a-9b7e-2a4b5c6d7e8f';
    const projects: Project[] = [
      { id: P, name: '=cmd', color: null, position: 1, version: 1, createdAt: at, updatedAt: at },
    ];
    const titles = ['=HYPERLINK("http://x","y")', '@SUM(1+1)', '+cmd', '-x', '\tTAB', 'plain'];
    const tasks = titles.map((title, i) =>
      task(i, { title, description: '=1+1', tags: ['=a', 'b'], projectId: P }),
    );
    const rows = Papa.parse<Record<string, string>>(tasksCsv(tasks, projects), {
      header: true,
      skipEmptyLines: true,
    }).data;
    expect(rows.map((r) => r.title)).toEqual([
      `'=HYPERLINK("http://x","y")`,
      `'@SUM(1+1)`,
      `'+cmd`,
      `'-x`,
      `'\tTAB`,
      'plain',
    ]);
    for (const r of rows) {
      expect(r.description).toBe(`'=1+1`);
      expect(r.project).toBe(`'=cmd`);
      expect(r.tags).toBe(`'=a b`);
      // Numbers are data, not text: a negative position stays a number.
      expect(r.position).toBe('-5');
    }
  });
});
