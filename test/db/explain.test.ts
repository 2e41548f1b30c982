/**
 * Every list query shape, and the reads a batch makes before it is planned, use an index on a
 * table of a few thousand tasks: EXPLAIN must show no full scan (type ALL) of `tasks`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskCommand } from '../../cluster/api/task.js';
import { createSequelize } from '../../db/connection.js';
import * as sql from '../../db/sql/statements.js';
import { TaskStateMachine, type ListQuery } from '../../db/statemachine.js';
import type { Sequelize } from 'sequelize';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, taskId } from './helpers.js';

const mysql = useTestMariaDb();
const TASKS = 3_000;
const PROJECTS = 30;
const projectId = (n: number) => `aaaaaaaa-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
let sm: TaskStateMachine;
let sequelize: Sequelize;
let esc: sql.Esc;

beforeAll(async () => {
  const database = mysql.freshDatabase('explain');
  sm = await TaskStateMachine.open(mysql.url, { database });
  const commands: TaskCommand[] = [];
  for (let p = 0; p < PROJECTS; p++) {
    commands.push({
      op: 'project.create',
      project: { id: projectId(p), name: `project ${p}`, color: null, position: p },
      at: at(0),
    });
  }
  for (let i = 0; i < TASKS; i++) {
    commands.push(
      create(
        taskId(i),
        {
          title: `task ${i}`,
          status: (['todo', 'in_progress', 'done'] as const)[i % 3],
          projectId: i % 10 === 0 ? null : projectId(i % PROJECTS),
          parentId: i >= 300 && i % 4 === 0 ? taskId(i % 300) : null,
          dueDate:
            i % 5 === 0
              ? null
              : `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
          tags: [`tag${i % 40}`, `tag${(i * 7) % 40}`],
        },
        at(i),
      ),
    );
  }
  for (let i = 0; i < commands.length; i += 500) {
    await sm.applyBatch(entries(i + 1, commands.slice(i, i + 500)));
  }
  sequelize = createSequelize(mysql.url, database);
  esc = (v) => (v === null ? 'NULL' : sequelize.escape(v));
  await sequelize.query('ANALYZE TABLE tasks, projects, tags, task_tags');
}, 120_000);

afterAll(async () => {
  await sm?.close();
  await sequelize?.close();
});

interface Plan {
  table: string | null;
  type: string | null;
  key: string | null;
}

async function explain(statement: string): Promise<Plan[]> {
  const [rows] = await sequelize.query(`EXPLAIN ${statement}`);
  if (process.env.EXPLAIN_DEBUG !== undefined) {
    console.log((rows as Plan[]).map((r) => `${r.table} ${r.type} ${r.key}`).join(' | '));
  }
  return rows as Plan[];
}

function noFullScanOfTasks(plan: readonly Plan[], statement: string): void {
  const scans = plan.filter(
    (row) => (row.table === 't' || row.table === 'tasks') && row.type === 'ALL',
  );
  expect(scans, `${statement}\n${JSON.stringify(plan, null, 1)}`).toEqual([]);
}

const base: ListQuery = { limit: 100, offset: 0 };
const shapes: [string, ListQuery][] = [
  ['plain list', base],
  ['by status', { ...base, status: 'todo' }],
  ['by project', { ...base, projectId: projectId(3) }],
  ['by project and status', { ...base, projectId: projectId(3), status: 'todo' }],
  ['in no project', { ...base, projectId: 'none' }],
  ['by tag', { ...base, tags: ['Tag7'] }],
  ['by two tags', { ...base, tags: ['tag7', 'tag9'] }],
  ['by parent', { ...base, parentId: taskId(16) }],
  ['top level', { ...base, parentId: 'none' }],
  ['due today', { ...base, due: { kind: 'today', today: '2025-03-03' } }],
  ['due upcoming', { ...base, due: { kind: 'upcoming', today: '2025-03-03' } }],
  ['overdue', { ...base, due: { kind: 'overdue', today: '2025-03-03' } }],
  ['no due date', { ...base, due: { kind: 'none', today: '2025-03-03' } }],
  ['a later page', { ...base, offset: 2_000 }],
];

describe('EXPLAIN', () => {
  it.each(shapes)('%s uses an index on tasks', async (_name, query) => {
    const statement = sql.listTasks(esc, query);
    noFullScanOfTasks(await explain(statement), statement);
    // And the query answers as the rules say (spot check: something comes back).
    expect((await sm.list(query)).length).toBeGreaterThan(0);
  });

  it('projects and tags use no full scan of tasks', async () => {
    for (const statement of [sql.LIST_PROJECTS, sql.LIST_TAGS]) {
      noFullScanOfTasks(await explain(statement), statement);
    }
    expect(await sm.listProjects()).toHaveLength(PROJECTS);
    expect(await sm.listTags()).toHaveLength(40);
  });

  it('the reads before a batch (ancestors, subtrees, tags) use indexes', async () => {
    for (const statement of [
      ...sql.tasksWithAncestors(esc, [taskId(1200), taskId(2400)]),
      ...sql.subtrees(esc, [taskId(17)], [projectId(5)]),
      ...sql.tagsWithUses(esc, ['tag1', 'tag2']),
      ...sql.projectsByIdOrName(esc, [projectId(1)], ['project 2']),
    ]) {
      noFullScanOfTasks(await explain(statement), statement);
    }
  });
});
