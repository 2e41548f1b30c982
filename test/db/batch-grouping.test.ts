/**
 * Every replica must reach the same state from the same log whatever way its entries are
 * grouped into batches: the leader applies them one by one, a follower replaying after a
 * restart applies many at once. A batch reads only the rows its commands may reach
 * (apply-plan.ts `batchReads`), so a move earlier in the batch (a task re-parented under a
 * task the batch then deletes or completes, a task moved into a project the batch then
 * deletes) must not hide rows from a later command.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandResult, Recurrence, TaskCommand } from '../../cluster/api/task.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';
import { TaskStateMachine, type ApplyEntry } from '../../db/statemachine.js';
import type { TaskStore } from '../../db/task-store.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, remove, taskId, update } from './helpers.js';

const mysql = useTestMariaDb();

const WEEKLY: Recurrence = { rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'due' };
const P = 'aaaaaaaa-0000-4000-8000-000000000001';
const NEXT = 'bbbbbbbb-0000-4000-8000-000000000001';
const [A, D, E, R, X] = [1, 2, 3, 4, 5].map(taskId) as [string, string, string, string, string];

/** Applies `log` in the batches of the given sizes; returns every answer in log order. */
async function applyIn(
  store: TaskStore,
  log: readonly ApplyEntry[],
  sizes: readonly number[],
): Promise<(CommandResult | null)[]> {
  const out: (CommandResult | null)[] = [];
  for (let at = 0, k = 0; at < log.length; k++) {
    const size = Math.max(1, sizes[k % Math.max(1, sizes.length)] ?? 1);
    out.push(...(await store.applyBatch(log.slice(at, at + size))));
    at += size;
  }
  return out;
}

async function openSql(): Promise<TaskStateMachine> {
  return TaskStateMachine.open(mysql.url, { database: mysql.freshDatabase('group') });
}

/**
 * `setup` applied entry by entry, then `batch` applied one by one and all in one batch, on
 * both stores: the same answers, checksum and tags everywhere.
 */
async function sameWhateverTheGrouping(
  setup: readonly ApplyEntry[],
  batch: readonly ApplyEntry[],
): Promise<void> {
  const log = [...setup, ...batch];
  const oneByOne = setup.map(() => 1).concat(batch.map(() => 1));
  const grouped = setup.map(() => 1).concat([batch.length]);
  const one = new MemoryTaskStore();
  const expected = await applyIn(one, log, oneByOne);
  const checksum = await one.checksum();
  const all = new MemoryTaskStore();
  expect(await applyIn(all, log, grouped)).toEqual(expected);
  expect(await all.checksum()).toEqual(checksum);
  expect(await all.listTags()).toEqual(await one.listTags());
  for (const sizes of [oneByOne, grouped]) {
    const sql = await openSql();
    try {
      expect(await applyIn(sql, log, sizes)).toEqual(expected);
      expect(await sql.checksum()).toEqual(checksum);
      expect(await sql.listTags()).toEqual(await one.listTags());
    } finally {
      await sql.close();
    }
  }
}

function complete(id: string, when: string, forVersion: number): TaskCommand {
  return {
    op: 'update',
    id,
    patch: { status: 'done' },
    next: { id: NEXT, dueDate: '2025-07-04', forVersion },
    at: when,
  };
}

describe('a batch gives the state of its entries applied one by one', () => {
  it('copies the subtasks of a task moved under a recurring task in the same batch', async () => {
    const setup = entries(1, [
      create(R, { title: 'repeat', recurrence: WEEKLY, dueDate: '2025-06-27' }, at(1)),
      create(D, { title: 'moved' }, at(2)),
      create(E, { title: 'below moved', parentId: D }, at(3)),
    ]);
    const batch = entries(4, [update(D, { parentId: R }, at(4)), complete(R, at(5), 1)]);
    await sameWhateverTheGrouping(setup, batch);
  });

  it('deletes the subtasks of a task moved under a deleted task in the same batch', async () => {
    const log = entries(1, [
      create(A, { title: 'a' }, at(1)),
      create(D, { title: 'd' }, at(2)),
      create(E, { title: 'e', parentId: D, tags: ['Foo'] }, at(3)),
    ]);
    const batch = entries(4, [
      update(D, { parentId: A }, at(4)),
      remove(A, at(5)),
      create(X, { title: 'x', tags: ['FOO'] }, at(6)),
    ]);
    await sameWhateverTheGrouping(log, batch);
  });

  it('deletes the subtasks of a task moved into a deleted project in the same batch', async () => {
    const log = entries(1, [
      { op: 'project.create', project: { id: P, name: 'P', color: null, position: 0 }, at: at(1) },
      create(D, { title: 'd' }, at(2)),
      create(E, { title: 'e', parentId: D, tags: ['Foo'] }, at(3)),
    ]);
    const batch = entries(4, [
      update(D, { projectId: P }, at(4)),
      { op: 'project.delete', id: P, tasks: 'delete', at: at(5) },
      create(X, { title: 'x', tags: ['FOO'] }, at(6)),
    ]);
    await sameWhateverTheGrouping(log, batch);
  });

  it('follows chains of moves and creates under moved tasks within one batch', async () => {
    const log = entries(1, [
      create(A, { title: 'a' }, at(1)),
      create(D, { title: 'd' }, at(2)),
      create(E, { title: 'e', parentId: D, tags: ['Foo'] }, at(3)),
      create(R, { title: 'r' }, at(4)),
    ]);
    const batch = entries(5, [
      update(D, { parentId: R }, at(5)),
      create(X, { title: 'x', parentId: D, tags: ['foo'] }, at(6)),
      update(R, { parentId: A }, at(7)),
      remove(A, at(8)),
      create(taskId(9), { title: 'y', tags: ['FOO'] }, at(9)),
    ]);
    await sameWhateverTheGrouping(log, batch);
  });

  // --- random logs, random groupings ---------------------------------------------------------

  const IDS = [1, 2, 3, 4, 5, 6, 7, 8].map(taskId);
  const PROJECTS = [P, 'aaaaaaaa-0000-4000-8000-000000000002'];
  const NEXTS = ['bbbbbbbb-0000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000002'];
  const TAGS = ['Foo', 'FOO', 'foo', 'Bar'];
  const step = fc.record({
    op: fc.constantFrom(
      'create',
      'create',
      'create',
      'parent',
      'parent',
      'project',
      'delete',
      'project.create',
      'project.delete',
      'complete',
      'recur',
      'tags',
    ),
    id: fc.nat(IDS.length - 1),
    other: fc.option(fc.nat(IDS.length - 1), { nil: undefined }),
    project: fc.option(fc.nat(PROJECTS.length - 1), { nil: undefined }),
    tags: fc.subarray(TAGS, { maxLength: 2 }),
    next: fc.nat(NEXTS.length - 1),
    keep: fc.boolean(),
    version: fc.integer({ min: 1, max: 4 }),
  });
  type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

  function commandOf(s: Step, i: number): TaskCommand {
    const when = at(i);
    const id = IDS[s.id]!;
    const other = s.other === undefined ? null : IDS[s.other]!;
    const project = s.project === undefined ? null : PROJECTS[s.project]!;
    switch (s.op) {
      case 'create':
        return create(
          id,
          { title: `t${i}`, parentId: other, projectId: project, tags: s.tags },
          when,
        );
      case 'parent':
        return update(id, { parentId: other }, when);
      case 'project':
        return update(id, { projectId: project }, when);
      case 'delete':
        return remove(id, when);
      case 'project.create':
        return {
          op: 'project.create',
          project: { id: PROJECTS[s.project ?? 0]!, name: `p${i}`, color: null, position: 0 },
          at: when,
        };
      case 'project.delete':
        return {
          op: 'project.delete',
          id: PROJECTS[s.project ?? 0]!,
          tasks: s.keep ? 'keep' : 'delete',
          at: when,
        };
      case 'recur':
        return update(id, { recurrence: WEEKLY, status: 'todo', dueDate: '2025-06-27' }, when);
      case 'tags':
        return update(id, { tags: s.tags }, when);
      case 'complete':
        return {
          op: 'update',
          id,
          patch: { status: 'done' },
          next: {
            id: `${NEXTS[s.next]!.slice(0, -1)}${i % 10}`,
            dueDate: '2025-07-04',
            forVersion: s.version,
          },
          at: when,
        };
    }
  }

  // A forest to start from (each task under an earlier one or none, in a project or none),
  // then random commands over it.
  const forest = fc.array(
    fc.record({
      parent: fc.option(fc.nat(IDS.length - 1), { nil: undefined }),
      project: fc.option(fc.nat(PROJECTS.length - 1), { nil: undefined }),
      tags: fc.subarray(TAGS, { maxLength: 2 }),
      recur: fc.boolean(),
    }),
    { minLength: IDS.length, maxLength: IDS.length },
  );
  const logs = fc
    .tuple(forest, fc.array(step, { minLength: 3, maxLength: 30 }))
    .map(([trees, steps]) => {
      const commands: TaskCommand[] = PROJECTS.map((id, i) => ({
        op: 'project.create',
        project: { id, name: `project ${i}`, color: null, position: i },
        at: at(0),
      }));
      trees.forEach((t, i) => {
        const parent = t.parent !== undefined && t.parent < i ? IDS[t.parent]! : null;
        const project = t.project === undefined ? null : PROJECTS[t.project]!;
        commands.push(
          create(
            IDS[i]!,
            {
              title: `t${i}`,
              parentId: parent,
              projectId: project,
              tags: t.tags,
              ...(t.recur && { recurrence: WEEKLY, dueDate: '2025-06-27' }),
            },
            at(1 + i),
          ),
        );
      });
      return entries(1, [...commands, ...steps.map((s, i) => commandOf(s, 20 + i))]);
    });
  const groupings = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 50 });

  it('random logs: the memory store gives the same answers and checksum in any batches', async () => {
    await fc.assert(
      fc.asyncProperty(logs, groupings, async (log, sizes) => {
        const one = new MemoryTaskStore();
        const expected = await applyIn(one, log, [1]);
        const grouped = new MemoryTaskStore();
        expect(await applyIn(grouped, log, sizes)).toEqual(expected);
        expect(await grouped.checksum()).toEqual(await one.checksum());
        expect(await grouped.listTags()).toEqual(await one.listTags());
      }),
      {
        numRuns: Number(process.env.GROUPING_RUNS ?? 1500),
        seed: Number(process.env.GROUPING_SEED ?? 20261207),
      },
    );
  }, 120_000);

  it('random logs: MariaDB gives the same answers and checksum in any batches', async () => {
    await fc.assert(
      fc.asyncProperty(logs, groupings, async (log, sizes) => {
        const one = new MemoryTaskStore();
        const expected = await applyIn(one, log, [1]);
        // MariaDB entry by entry (as a leader) and in the random batches (as a follower).
        for (const grouping of [[1], sizes]) {
          const sql = await openSql();
          try {
            expect(await applyIn(sql, log, grouping)).toEqual(expected);
            expect(await sql.checksum()).toEqual(await one.checksum());
            expect(await sql.listTags()).toEqual(await one.listTags());
          } finally {
            await sql.close();
          }
        }
      }),
      {
        numRuns: Number(process.env.GROUPING_SQL_RUNS ?? 60),
        seed: Number(process.env.GROUPING_SEED ?? 20261207),
      },
    );
  }, 240_000);
});
