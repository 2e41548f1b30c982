/**
 * The format-4 reader (db/snapshot-v4.ts) on its own: pages of at most the page size, split
 * where the kind changes, lines split across chunks, and every malformed file refused.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../cluster/api/task.js';
import { StateMachineError } from '../../db/errors.js';
import type { SnapshotSession } from '../../db/snapshot-format.js';
import { SnapshotEncoder, readSnapshotV4, type SnapshotPage } from '../../db/snapshot-v4.js';
import type { ProjectRow } from '../../db/state-view.js';
import { taskId } from './helpers.js';

const when = '2026-01-01T00:00:00.000Z';

function task(n: number): Task {
  return {
    id: taskId(n),
    title: `task ${n} ✓`,
    description: 'line one\nline two',
    status: 'todo',
    priority: 'medium',
    dueDate: null,
    dueTime: null,
    projectId: null,
    tags: ['x'],
    parentId: null,
    recurrence: null,
    position: n,
    completedAt: null,
    createdAt: when,
    updatedAt: when,
    version: 1,
    raftIndex: n + 1,
  };
}

const project: ProjectRow = {
  id: '10000000-0000-4000-8000-000000000001',
  name: 'Work',
  color: null,
  position: 0,
  version: 1,
  createdAt: when,
  updatedAt: when,
  raftIndex: 1,
};

const session = (n: number): SnapshotSession => ({
  key: `k${n}`,
  raftIndex: n,
  createdAt: when,
  fingerprint: '',
  result: '{"ok":true}',
});

function encode(tasks: number): string {
  const e = new SnapshotEncoder();
  let text = e.header({ index: 9, term: 2, sessionClock: when });
  text += e.project(project);
  for (let n = 0; n < tasks; n++) text += e.task(task(n));
  for (let n = 0; n < 3; n++) text += e.session(session(n));
  return text + e.trailer().line;
}

/** The text as chunks of `size` bytes, so lines (and a multi-byte character) are split. */
async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(text: string, pageSize = 4, chunk = 7): Promise<SnapshotPage[]> {
  const pages: SnapshotPage[] = [];
  for await (const page of readSnapshotV4(chunks(text, chunk), pageSize)) pages.push(page);
  return pages;
}

describe('format-4 reader', () => {
  it('pages items by kind, at most a page at a time, across chunk boundaries', async () => {
    const pages = await read(encode(10));
    expect(pages.map((p) => (p.kind === 'header' ? 'h' : `${p.kind}:${p.items.length}`))).toEqual([
      'h',
      'projects:1',
      'tasks:4',
      'tasks:4',
      'tasks:2',
      'sessions:3',
    ]);
    const tasks = pages.flatMap((p) => (p.kind === 'tasks' ? p.items : []));
    expect(tasks).toEqual(Array.from({ length: 10 }, (_, n) => task(n)));
    expect(pages[0]).toEqual({
      kind: 'header',
      header: { index: 9, term: 2, sessionClock: when },
    });
  });

  it('refuses malformed files', async () => {
    const good = encode(5);
    const lines = good.split('\n');
    const cases: [string, string, RegExp][] = [
      ['empty', '', /empty/],
      ['no header', lines.slice(1).join('\n'), /no header/],
      ['truncated mid-line', good.slice(0, good.length - 10), /truncated/],
      ['no trailer', lines.slice(0, -2).join('\n') + '\n', /no trailer/],
      ['line after the trailer', good + lines[2] + '\n', /follows the trailer/],
      ['out of order', [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n'), /order/],
      ['a line dropped', [...lines.slice(0, 3), ...lines.slice(4)].join('\n'), /trailer counts/],
      ['an edited item', good.replace('task 3 ✓', 'task 8 ✓'), /checksum mismatch/],
      ['an invalid item', good.replace('"status":"todo"', '"status":"gone"'), /line \d+: status/],
      ['not JSON', good.replace('t {"id"', 't {id'), /not JSON/],
      ['no item', good.replace('\nt {', '\nx {'), /no item/],
    ];
    for (const [name, text, message] of cases) {
      const error = await read(text).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(StateMachineError);
      expect((error as Error).message, name).toMatch(message);
    }
  });
});
