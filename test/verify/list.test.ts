import { describe, expect, it } from 'vitest';
import {
  attributeCreates,
  checkHistory,
  splitListRead,
  type CreateOp,
  type Op,
} from '../../cluster/verify/index.js';
import { create, task } from './builders.js';

describe('splitListRead', () => {
  const a = task('a', 2, { title: 'A' });
  const b = task('b', 1, { title: 'B' });

  it('a complete list: a found read per task shown, a 404 per known task missing', () => {
    const { reads, unknownIds } = splitListRead(
      { client: 'c1', call: 10, ret: 20, tasks: [a, b], complete: true },
      ['a', 'gone'],
    );
    expect(unknownIds).toEqual(['b']);
    expect(reads).toEqual([
      { f: 'read', client: 'c1', taskId: 'a', call: 10, ret: 20, out: { status: 200, task: a } },
      { f: 'read', client: 'c1', taskId: 'b', call: 10, ret: 20, out: { status: 200, task: b } },
      { f: 'read', client: 'c1', taskId: 'gone', call: 10, ret: 20, out: { status: 404 } },
    ]);
  });

  it('a filtered or truncated list says nothing about what it leaves out', () => {
    const { reads } = splitListRead(
      { client: 'c1', call: 10, ret: 20, tasks: [a], complete: false },
      ['a', 'other'],
    );
    expect(reads.map((r) => r.taskId)).toEqual(['a']);
  });
});

describe('attributeCreates', () => {
  const lost = (client: string, call: number, title: string): CreateOp => ({
    f: 'create',
    client,
    call,
    input: { title },
    ret: null,
    out: null,
  });

  it('gives a lost create the id of the task later seen with its fields', () => {
    const c = lost('c1', 0, 'unique-1');
    const list = splitListRead(
      {
        client: 'c2',
        call: 50,
        ret: 60,
        tasks: [task('x', 1, { title: 'unique-1' })],
        complete: true,
      },
      [],
    );
    const history: Op[] = [c, ...list.reads];
    // Without the id, the read is of a task nobody created.
    expect(checkHistory(history).ok).toBe(false);
    const fixed = attributeCreates(history);
    expect(fixed[0]).toEqual({ ...c, taskId: 'x' });
    expect(fixed[1]).toBe(history[1]);
    expect(checkHistory(fixed).ok).toBe(true);
  });

  it('leaves ambiguous matches and creates called after the sighting alone', () => {
    const twins = [lost('c1', 0, 'same'), lost('c2', 1, 'same')];
    const late = lost('c3', 100, 'late');
    const seen = (id: string, title: string): Op => ({
      f: 'read',
      client: 'r',
      taskId: id,
      call: 40,
      ret: 50,
      out: { status: 200, task: task(id, 1, { title }) },
    });
    const history: Op[] = [...twins, late, seen('x', 'same'), seen('y', 'late')];
    expect(attributeCreates(history)).toEqual(history);
  });

  it('does not touch tasks whose create is known', () => {
    const history: Op[] = [
      create('c0', [0, 1], 'x', { title: 'T' }),
      lost('c1', 0, 'T'),
      {
        f: 'read',
        client: 'r',
        taskId: 'x',
        call: 5,
        ret: 6,
        out: { status: 200, task: task('x', 1, { title: 'T' }) },
      },
    ];
    expect(attributeCreates(history)).toEqual(history);
  });
});
