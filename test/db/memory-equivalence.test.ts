/**
 * The simulator's MemoryTaskStore must answer exactly as TaskStateMachine on MariaDB, or a
 * simulation proves nothing about the real node. Random command sequences (creates, updates
 * with and without expectedVersion, deletes, idempotency retries, reused keys, session expiry
 * in entries and in entry time, clocks going back, no-ops, conf and malformed entries, retried
 * batches) go through both; every answer, read, checksum and snapshot must be equal, and each
 * store's snapshot must restore into the other.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskCommand, TaskStatus } from '../../cluster/api/task.js';
import { MemoryTaskStore } from '../../db/memory-task-store.js';
import { TaskStateMachine, type ApplyEntry, type ListQuery } from '../../db/statemachine.js';
import type { TaskStore } from '../../db/task-store.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { create, remove, taskId, update } from './helpers.js';

const mysql = useTestMariaDb();

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

const step = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('cmd' as const),
      op: fc.constantFrom('create' as const, 'update' as const, 'delete' as const),
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
      const command: TaskCommand =
        s.op === 'create'
          ? create(
              id,
              {
                title: TITLES[s.title]!,
                description: TITLES[(s.title + 3) % 8]!,
                status: s.status,
                priority: s.priority,
                dueDate: s.dueDate,
              },
              when,
              key,
            )
          : s.op === 'update'
            ? update(
                id,
                // Patches leave out some fields (kept as they were).
                s.title % 2 === 0
                  ? { title: TITLES[s.title]!, status: s.status }
                  : { priority: s.priority, dueDate: s.dueDate, description: '' },
                when,
                s.expectedVersion,
                key,
              )
            : remove(id, when, s.expectedVersion, key);
      out.push({ type: 'normal', data: JSON.stringify(command) });
    }
  }
  return out;
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
  for (const id of IDS) expect(await mem.get(id)).toEqual(await sql.get(id));
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
                const kind = r === null ? 'null' : `${r.status}${r.ok ? '' : ` ${r.error}`}`;
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
    for (const kind of [
      '201',
      '200',
      '404 not_found',
      '409 version_conflict',
      '422 idempotency_key_reused',
      'from session',
      'null',
    ]) {
      expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(0);
    }
  }, 240_000);
});
