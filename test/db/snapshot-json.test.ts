import { describe, expect, it } from 'vitest';
import { snapshotJson } from '../../db/snapshot-json.js';

const task = (i: number): object => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  title: `täsk "${i}" \u2028 ${'\ud83d\ude00'}`,
  description: i % 3 === 0 ? 'line\nbreak\\' : '',
  status: 'todo',
  priority: 'medium',
  dueDate: i % 2 === 0 ? '2026-01-31' : null,
  version: i + 1,
  raftIndex: i,
});

describe('snapshotJson', () => {
  it.each([0, 1, 2, 1_999, 2_000, 2_001, 4_500])(
    'is byte for byte JSON.stringify of the same document (%i tasks)',
    async (n) => {
      const tasks = Array.from({ length: n }, (_, i) => task(i));
      const sessions = tasks.slice(0, Math.ceil(n / 2)).map((t, i) => ({
        key: `k${i}`,
        raftIndex: i,
        createdAt: '2026-01-01T00:00:00.000Z',
        result: JSON.stringify({ ok: true, task: t }),
      }));
      const body = { format: 'raftboard-tasks/1', index: n + 7, term: 3, tasks, sessions };
      expect(await snapshotJson(body)).toBe(JSON.stringify(body));
    },
  );
});
