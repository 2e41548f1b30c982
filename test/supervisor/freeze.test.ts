/**
 * Pause where SIGSTOP does not exist (Windows): the supervisor asks the node to freeze its Raft
 * member in process. Forced here with `pauseMode: 'freeze'`, on an external-mode cluster (the
 * throwaway MariaDB of this file), the classic pause lesson must still hold: the others elect a
 * new leader and keep writing, and the old leader, thawed, follows the new term.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../cluster/supervisor/supervisor.js';
import { withDatabase } from '../../db/connection.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { killAllOf, waitFor } from './cli-harness.js';

const db = useTestMariaDb();
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) {
    killAllOf(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

describe('pause by in-process freeze', () => {
  it('a frozen leader is replaced; thawed, it follows the new leader', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-freeze-'));
    dirs.push(dataDir);
    const s = new Supervisor({
      dataDir,
      nodes: 3,
      mysqlMode: 'external',
      mysqlUrls: [withDatabase(db.url, `${db.freshDatabase('frz')}_{node}`)],
      slow: 0.4,
      pauseMode: 'freeze',
    });
    try {
      await s.start();
      const before = s.status();
      const old = before.leaderId;
      expect(old).toBeGreaterThan(0);
      const paused = await s.nodeAction(old, 'pause');
      expect(paused.message).toContain('frozen in process');
      const next = await waitFor(
        () => {
          const c = s.status();
          return c.leaderId !== 0 && c.leaderId !== old && c.term > before.term ? c : undefined;
        },
        15_000,
        'a new leader while the old one is frozen',
      );
      expect(next.nodes.find((n) => n.id === old)?.status).toBe('paused');
      // The frozen node's process still runs (it is not SIGSTOPped), but it takes no part.
      await s.nodeAction(old, 'resume');
      const after = await waitFor(
        () => {
          const n = s.status().nodes.find((x) => x.id === old);
          return n?.role === 'follower' && n.term >= next.term ? n : undefined;
        },
        15_000,
        'the thawed old leader following the new term',
      );
      expect(after.status).toBe('running');
    } finally {
      await s.shutdown();
    }
  });
});
