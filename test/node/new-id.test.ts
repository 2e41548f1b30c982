/**
 * Task and project ids are UUIDv7: valid UUIDs for the contract's schema, and increasing in the
 * order they were minted, so new rows append at the end of MySQL's primary key.
 */
import { describe, expect, it } from 'vitest';
import { uuid } from '../../cluster/api/schemas.js';
import { createCommand, projectCreateCommand } from '../../cluster/node/api/commands.js';
import { createTaskSchema, createProjectSchema } from '../../cluster/api/schemas.js';

function taskId(title: string): string {
  const cmd = createCommand(createTaskSchema.parse({ title }), undefined);
  if (cmd.op !== 'create') throw new Error(`expected a create, got ${cmd.op}`);
  return cmd.task.id;
}

describe('minted ids', () => {
  it('are version-7 UUIDs the contract accepts', () => {
    const id = taskId('a');
    expect(uuid.parse(id)).toBe(id);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
  });

  it('sort in the order they were minted, within one millisecond too', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => taskId(`t${i}`));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carry the time they were minted in their first 48 bits', () => {
    const before = Date.now();
    const id = taskId('now');
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });

  it('are used for projects as well', () => {
    const cmd = projectCreateCommand(createProjectSchema.parse({ name: 'p' }), undefined);
    if (cmd.op !== 'project.create') throw new Error(`expected project.create, got ${cmd.op}`);
    expect(cmd.project.id[14]).toBe('7');
  });
});
