/**
 * The simulator's MemoryTaskStore must answer exactly as TaskStateMachine on MariaDB, or a
 * simulation proves nothing about the real node. Random command sequences (creates, updates
 * with and without expectedVersion, deletes, idempotency retries, reused keys, session expiry
 * in entries and in entry time, clocks going back, no-ops, conf and malformed entries, retried
 * batches) go through both; every answer, read, checksum and snapshot must be equal, and each
 * store's snapshot (format 3, and format 4's file, byte for byte) must restore into the other. Since issue 14 the commands also use projects
 * (create, rename to a name taken in another case, delete keeping or deleting the tasks),
 * subtasks (parents that exist or not, cycles, cascading deletes), tags in several spellings,
 * recurring tasks completed with and without a (stale) next occurrence, and imports.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Recurrence, TaskCommand, TaskPatch, TaskStatus } from '../../cluster/api/task.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';
import { TaskStateMachine, type ApplyEntry, type ListQuery } from '../../db/statemachine.js';
import type { TaskStore } from '../../db/task-store.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { create, remove, taskId, update } from './helpers.js';

const mysql = useTestMariaDb();
const files = mkdtempSync(path.join(os.tmpdir(), 'raftboard-equiv-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));

const RETENTION = { sessionRetentionMs: 20_000, sessionRetentionEntries: 12 };
const IDS = [
  taskId(1),
  taskId(2),
  taskId(3),
  'abcdef00-0000-4000-8000-000000000001',
  'ABCDEF00-0000-4000-8000-000000000001', // another task under utf8mb4_bin
];
const KEYS = ['k1', 'k2', 'k3', 'a key with spaces', 'ключ'];
const FINGERPRINTS = [undefined, 'a'.repeat(64), 'b'.repeat(64)];
const TITLES = [
  'Alpha',
  'alpha É',
  'ÉCOLE',
  'straße',
  'ΣΑΣ',
  '100% _done_ !',
  'rocket 🚀',
  `q ' \\ "`,
];
const QUERIES = [undefined, '', 'a', 'É', 'é', 'ß', 'σ', '%', '_', '!', '🚀', 'SS', '\\', "'"];
const STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];
const PROJECT_IDS = [
  'aaaaaaaa-0000-4000-8000-000000000001',
  'aaaaaaaa-0000-4000-8000-000000000002',
  'aaaaaaaa-0000-4000-8000-000000000003',
];
const NEXT_IDS = [
  'bbbbbbbb-0000-4000-8000-000000000001',
  'bbbbbbbb-0000-4000-8000-000000000002',
  taskId(2),
];
const NAMES = ['Home', 'home', 'Work', 'İstanbul', 'Straße'];
const TAGS = ['Work', 'work', 'WORK', 'home', 'ß', 'SS', 'İ', 'i̇', '🚀'];
const WEEKLY: Recurrence = { rrule: 'FREQ=WEEKLY;BYDAY=FR', from: 'due' };

const step = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('cmd' as const),
      op: fc.constantFrom(
        'create' as const,
        'create' as const,
        'create' as const,
        'update' as const,
        'update' as const,
        'delete' as const,
        'complete' as const,
        'complete' as const,
        'project.create' as const,
        'project.update' as const,
        'project.delete' as const,
        'import' as const,
      ),
      // Mostly none: a task in a missing project or under a missing parent is refused.
      project: fc.integer({ min: 0, max: 8 }).map((n) => (n < PROJECT_IDS.length ? n : undefined)),
      parent: fc.integer({ min: 0, max: 12 }).map((n) => (n < IDS.length ? n : undefined)),
      tags: fc.subarray(TAGS, { maxLength: 4 }),
      recur: fc.boolean(),
      name: fc.nat(NAMES.length - 1),
      next: fc.option(fc.nat(NEXT_IDS.length - 1), { nil: undefined }),
      variant: fc.nat(3),
      id: fc.nat(IDS.length - 1),
      title: fc.nat(TITLES.length - 1),
      status: fc.constantFrom(...STATUSES),
      expectedVersion: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      key: fc.option(fc.nat(KEYS.length - 1), { nil: undefined }),
      fingerprint: fc.nat(FINGERPRINTS.length - 1),
      priority: fc.constantFrom('low' as const, 'medium' as const, 'high' as const),
      dueDate: fc.constantFrom(null, '2025-06-30', '2024-02-29'),
      dt: fc.integer({ min: -3_000, max: 9_000 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retry' as const), back: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'noop' as const }, { kind: 'conf' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bad' as const }) },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

const query = fc.record({
  status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
  projectId: fc.constantFrom(undefined, 'none', PROJECT_IDS[0]!, PROJECT_IDS[1]!),
  parentId: fc.constantFrom(undefined, 'none', IDS[0]!, IDS[1]!),
  tags: fc.constantFrom(undefined, [], ['work'], ['WORK', 'home'], ['ss']),
  due: fc.constantFrom(
    undefined,
    { kind: 'overdue' as const, today: '2025-06-30' },
    { kind: 'today' as const, today: '2025-06-30' },
    { kind: 'upcoming' as const, today: '2025-06-25' },
    { kind: 'none' as const, today: '2025-06-30' },
  ),
  q: fc.constantFrom(...QUERIES),
  limit: fc.integer({ min: 0, max: 6 }),
  offset: fc.integer({ min: 0, max: 3 }),
});

/** The entries' data, with entry time moving (and sometimes going back) by each step's dt. */
function toData(steps: readonly Step[]): { type: 'normal' | 'conf'; data: string }[] {
  let time = Date.UTC(2025, 0, 1);
  const out: { type: 'normal' | 'conf'; data: string }[] = [];
  for (const s of steps) {
    if (s.kind === 'noop') out.push({ type: 'normal', data: '' });
    else if (s.kind === 'conf') out.push({ type: 'conf', data: '{"voters":[1]}' });
    else if (s.kind === 'bad') out.push({ type: 'normal', data: '{"op":"explode"}' });
    else if (s.kind === 'retry') {
      const earlier = out.filter((d) => d.data.startsWith('{"op"'));
      const again = earlier[earlier.length - 1 - (s.back % Math.max(1, earlier.length))];
      out.push(again ?? { type: 'normal', data: '' });
    } else {
      time += s.dt;
      const when = new Date(time).toISOString();
      const id = IDS[s.id]!;
      const fingerprint = FINGERPRINTS[s.fingerprint];
      const key =
        s.key === undefined
          ? undefined
          : { key: KEYS[s.key]!, ...(fingerprint !== undefined && { fingerprint }) };
      if (s.op === 'complete' && s.variant < 2) {
        // Most completions follow the creation of a recurring task (with or without subtasks
        // created before), so next occurrences and their copied subtasks are common.
        const recurring = create(id, { title: 'repeat', recurrence: WEEKLY, tags: s.tags }, when);
        out.push({ type: 'normal', data: JSON.stringify(recurring) });
        if (s.parent !== undefined && IDS[s.parent] !== id) {
          const sub = create(IDS[s.parent]!, { title: 'sub', parentId: id }, when);
          out.push({ type: 'normal', data: JSON.stringify(sub) });
        }
      }
      if (s.op === 'project.create' && s.variant === 3) {
        // Another project took the name first, in another case.
        const other: TaskCommand = {
          op: 'project.create',
          project: {
            id: PROJECT_IDS[((s.project ?? 0) + 1) % PROJECT_IDS.length]!,
            name: NAMES[s.name]!.toUpperCase(),
            color: null,
            position: 0,
          },
          at: when,
        };
        out.push({ type: 'normal', data: JSON.stringify(other) });
      }
      if (s.op === 'project.delete' && s.variant < 2) {
        // Most project deletes follow its creation and a task in it (with a subtask).
        const project = PROJECT_IDS[s.project ?? 0]!;
        const made: TaskCommand = {
          op: 'project.create',
          project: { id: project, name: `p ${s.title}`, color: null, position: 0 },
          at: when,
        };
        out.push({ type: 'normal', data: JSON.stringify(made) });
        const member = create(id, { title: 'member', projectId: project }, when);
        out.push({ type: 'normal', data: JSON.stringify(member) });
      }
      if (s.op === 'delete' && s.variant < 2) {
        // Most deletes follow the creation of the task, often with a subtask: cascades.
        const parent = create(id, { title: 'parent', tags: s.tags }, when);
        out.push({ type: 'normal', data: JSON.stringify(parent) });
        if (s.parent !== undefined && IDS[s.parent] !== id) {
          const sub = create(IDS[s.parent]!, { title: 'sub', parentId: id, tags: ['work'] }, when);
          out.push({ type: 'normal', data: JSON.stringify(sub) });
        }
      }
      const command = commandOf(s, id, when, key);
      out.push({ type: 'normal', data: JSON.stringify(command) });
    }
  }
  return out;
}

type CmdStep = Extract<Step, { kind: 'cmd' }>;

function commandOf(
  s: CmdStep,
  id: string,
  when: string,
  key: { key: string; fingerprint?: string } | undefined,
): TaskCommand {
  const projectId = s.project === undefined ? null : PROJECT_IDS[s.project]!;
  const parentId = s.parent === undefined ? null : IDS[s.parent]!;
  const session = key === undefined ? {} : { session: key };
  switch (s.op) {
    case 'create':
      return create(
        id,
        {
          title: TITLES[s.title]!,
          description: TITLES[(s.title + 3) % 8]!,
          status: s.status,
          priority: s.priority,
          dueDate: s.dueDate,
          dueTime: s.dueDate !== null && s.variant === 0 ? '09:30' : null,
          projectId,
          tags: s.tags,
          parentId,
          recurrence: s.recur ? WEEKLY : null,
          ...(s.variant === 1 && { position: -s.title / 3 }),
        },
        when,
        key,
      );
    case 'update': {
      // Patches leave out some fields (kept as they were).
      const patches: TaskPatch[] = [
        { title: TITLES[s.title]!, status: s.status },
        { priority: s.priority, dueDate: s.dueDate, description: '', tags: s.tags },
        { parentId, projectId },
        { recurrence: s.recur ? WEEKLY : null, position: s.title * 0.1, dueTime: '23:59' },
      ];
      return update(id, patches[s.variant]!, when, s.expectedVersion, key);
    }
    case 'complete':
      return {
        op: 'update',
        id,
        patch: { status: 'done' },
        ...(s.expectedVersion !== undefined && { expectedVersion: s.expectedVersion }),
        ...(s.next !== undefined && {
          next: {
            id: NEXT_IDS[s.next]!,
            dueDate: '2025-07-04',
            forVersion: s.expectedVersion ?? (s.variant < 2 ? 1 : s.variant),
          },
        }),
        at: when,
        ...session,
      };
    case 'delete':
      return remove(id, when, s.expectedVersion, key);
    case 'project.create':
      return {
        op: 'project.create',
        project: {
          id: PROJECT_IDS[s.project ?? 0]!,
          name: NAMES[s.name]!,
          color: s.variant === 0 ? null : '#a0B0c0',
          position: s.variant,
        },
        at: when,
        ...session,
      };
    case 'project.update':
      return {
        op: 'project.update',
        id: PROJECT_IDS[s.project ?? 0]!,
        patch: s.variant === 0 ? { position: s.title } : { name: NAMES[s.name]! },
        ...(s.expectedVersion !== undefined && { expectedVersion: s.expectedVersion }),
        at: when,
        ...session,
      };
    case 'project.delete':
      return {
        op: 'project.delete',
        id: PROJECT_IDS[s.project ?? 0]!,
        tasks: s.recur ? 'keep' : 'delete',
        ...(s.expectedVersion !== undefined && { expectedVersion: s.expectedVersion }),
        at: when,
        ...session,
      };
    case 'import': {
      const project = {
        id: PROJECT_IDS[s.project ?? 1]!,
        name: NAMES[s.name]!,
        color: null,
        position: 1,
        version: 3,
        createdAt: when,
        updatedAt: when,
      };
      const row = (taskIdx: number, parent: string | null) => ({
        id: IDS[taskIdx]!,
        title: TITLES[(s.title + taskIdx) % TITLES.length]!,
        description: '',
        status: s.status,
        priority: s.priority,
        dueDate: s.dueDate,
        dueTime: null,
        projectId: project.id,
        tags: s.tags,
        parentId: parent,
        recurrence: null,
        position: taskIdx,
        completedAt: s.status === 'done' && s.variant === 0 ? when : null,
        createdAt: when,
        updatedAt: when,
      });
      const a = (s.parent ?? 0) % IDS.length;
      const b = (a + 1 + s.variant) % IDS.length;
      return {
        op: 'import',
        projects: [project],
        // The child first: it waits for its parent, imported after it.
        tasks: [row(b, IDS[a]!), row(a, parentId)],
        at: when,
        ...session,
      };
    }
  }
}

async function bothStores(): Promise<{
  sql: TaskStateMachine;
  mem: MemoryTaskStore;
  logs: string[][];
}> {
  const logs: string[][] = [[], []];
  const sql = await TaskStateMachine.open(mysql.url, {
    ...RETENTION,
    database: mysql.freshDatabase('equiv'),
    log: (l) => logs[0]!.push(l),
  });
  const mem = new MemoryTaskStore({ ...RETENTION, log: (l) => logs[1]!.push(l) });
  return { sql, mem, logs };
}

async function sameReads(
  sql: TaskStore,
  mem: TaskStore,
  queries: readonly ListQuery[],
): Promise<void> {
  expect(await mem.appliedIndex()).toEqual(await sql.appliedIndex());
  expect(await mem.checksum()).toEqual(await sql.checksum());
  for (const id of [...IDS, ...NEXT_IDS]) expect(await mem.get(id)).toEqual(await sql.get(id));
  for (const id of PROJECT_IDS) expect(await mem.getProject(id)).toEqual(await sql.getProject(id));
  expect(await mem.listProjects()).toEqual(await sql.listProjects());
  expect(await mem.listTags()).toEqual(await sql.listTags());
  for (const q of queries) {
    expect(await mem.list(q)).toEqual(await sql.list(q));
  }
}

/** Each run opens two databases: shrinking (slow) only when asked, with EQUIV_SHRINK=1. */
function shrinking<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return process.env.EQUIV_SHRINK === undefined ? fc.noShrink(arbitrary) : arbitrary;
}

describe('MemoryTaskStore and TaskStateMachine (MariaDB)', () => {
  it('give the same answers, reads, checksums and snapshots for random command sequences', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        shrinking(
          fc.tuple(
            fc.array(step, { minLength: 10, maxLength: 45 }),
            fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 45, maxLength: 45 }),
            fc.array(fc.boolean(), { minLength: 45, maxLength: 45 }),
            fc.array(query, { minLength: 3, maxLength: 3 }),
          ),
        ),
        async ([steps, sizes, replays, queries]) => {
          const { sql, mem, logs } = await bothStores();
          try {
            const all: ApplyEntry[] = toData(steps).map((d, i) => ({
              index: i + 1,
              term: 1 + (i >> 4),
              ...d,
            }));
            const batches: ApplyEntry[][] = [];
            for (let at = 0, k = 0; at < all.length; k++) {
              batches.push(all.slice(at, at + sizes[k]!));
              at += sizes[k]!;
            }
            for (const [k, batch] of batches.entries()) {
              // Sometimes a batch is retried with the one before it (answered from the sessions).
              const input = replays[k] && k > 0 ? [...batches[k - 1]!, ...batch] : batch;
              const results = await sql.applyBatch(input);
              expect(await mem.applyBatch(input)).toEqual(results);
              results.forEach((r, i) => {
                const kind =
                  r === null
                    ? 'null'
                    : r.ok && r.outcome === 'updated' && r.next !== undefined
                      ? 'next'
                      : r.ok || r.outcome !== 'invalid_reference'
                        ? r.outcome
                        : `invalid ${r.field}`;
                seen.set(kind, (seen.get(kind) ?? 0) + 1);
                // An answer stored with another entry: a retry answered from its session.
                if (r !== null && 'entry' in r && r.entry?.index !== input[i]!.index) {
                  seen.set('from session', (seen.get('from session') ?? 0) + 1);
                }
              });
              if (k % 3 === 2) await sameReads(sql, mem, queries);
            }
            await sameReads(sql, mem, queries);
            expect(logs[1]).toEqual(logs[0]!.filter((l) => l.includes('ignored')));
            const snap = await sql.snapshot();
            expect((await mem.snapshot()).data).toBe(snap.data);

            // Each store's snapshot restores into the other kind.
            const mem2 = new MemoryTaskStore(RETENTION);
            await mem2.restore(snap.index, snap.term, snap.data);
            expect(await mem2.snapshot()).toEqual(snap);
            const sql2 = await TaskStateMachine.open(mysql.url, {
              ...RETENTION,
              database: mysql.freshDatabase('equiv'),
            });
            try {
              await sql2.restore(snap.index, snap.term, (await mem.snapshot()).data);
              expect(await sql2.snapshot()).toEqual(snap);
              expect(await sql2.checksum()).toEqual(await mem2.checksum());

              // Format 4 files: the same bytes from both, each restoring into the other kind.
              const sqlFile = path.join(files, 'sql.snap');
              const memFile = path.join(files, 'mem.snap');
              await sql.snapshotToFile(sqlFile);
              await mem.snapshotToFile(memFile);
              expect(readFileSync(memFile, 'utf8')).toBe(readFileSync(sqlFile, 'utf8'));
              const mem3 = new MemoryTaskStore(RETENTION);
              await mem3.restoreFromFile(snap.index, snap.term, sqlFile);
              expect(await mem3.snapshot()).toEqual(snap);
              await sql2.restoreFromFile(snap.index, snap.term, memFile);
              expect(await sql2.snapshot()).toEqual(snap);
            } finally {
              await sql2.close();
            }
          } finally {
            await sql.close();
          }
        },
      ),
      {
        numRuns: Number(process.env.EQUIV_RUNS ?? 25),
        seed: Number(process.env.EQUIV_SEED ?? 20261207),
      },
    );
    // The runs covered every kind of answer (else the comparison proves little).
    if (process.env.EQUIV_DEBUG !== undefined) console.log(seen);
    for (const kind of [
      'created',
      'updated',
      'next',
      'deleted',
      'project_created',
      'project_updated',
      'project_deleted',
      'imported',
      'not_found',
      'version_conflict',
      'key_reused',
      'invalid parentId',
      'invalid projectId',
      'invalid name',
      'from session',
      'null',
    ]) {
      expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(0);
    }
  }, 240_000);
});
