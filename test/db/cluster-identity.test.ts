/**
 * Review H4: a database is tied to the cluster and the node that applied to it. A database
 * another cluster (or another node) applied to is refused with a message naming both and the
 * database; a database of the older version, which has no stamp, is stamped once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkAppliedAgainstLog } from '../../cluster/node/applied-check.js';
import { createSequelize, withServerConnection } from '../../db/connection.js';
import { ClusterIdentityError } from '../../db/errors.js';
import { migrate } from '../../db/migrate.js';
import { MIGRATIONS } from '../../db/migrations/index.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { useTestMariaDb } from '../support/mariadb.js';
import { at, create, entries, taskId, workload } from './helpers.js';

const mysql = useTestMariaDb();
const open: TaskStateMachine[] = [];

const CLUSTER_A = '6f1c2a52-0b6e-4c1e-9d38-1d2f8a0e4a11';
const CLUSTER_B = 'c0ffee00-1234-4abc-8def-0123456789ab';

async function openSm(
  database: string,
  identity: { clusterId: string; nodeId: number } | undefined,
  log?: (line: string) => void,
): Promise<TaskStateMachine> {
  const sm = await TaskStateMachine.open(mysql.url, { database, identity, log });
  open.push(sm);
  return sm;
}

afterEach(async () => {
  for (const sm of open.splice(0)) await sm.close();
});

describe('a database tied to its cluster and node', () => {
  it('refuses a database another cluster applied to, naming both clusters and the database', async () => {
    const database = mysql.freshDatabase('id');
    const first = await openSm(database, { clusterId: CLUSTER_A, nodeId: 1 });
    await first.applyBatch(entries(1, workload(50)));
    expect((await first.appliedIndex()).index).toBe(50);
    await first.close();

    const error = await openSm(database, { clusterId: CLUSTER_B, nodeId: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClusterIdentityError);
    const message = (error as Error).message;
    expect(message).toContain(database);
    expect(message).toContain(CLUSTER_A);
    expect(message).toContain(CLUSTER_B);

    // Nothing was changed: the cluster that owns it opens it as before.
    const again = await openSm(database, { clusterId: CLUSTER_A, nodeId: 1 });
    expect(await again.appliedIndex()).toEqual({ index: 50, term: 1 });
  });

  it('refuses a database another node of the same cluster applied to', async () => {
    const database = mysql.freshDatabase('id');
    const first = await openSm(database, { clusterId: CLUSTER_A, nodeId: 1 });
    await first.applyBatch(entries(1, [create(taskId(1), { title: 'n1' }, at(1))]));
    await first.close();

    const error = await openSm(database, { clusterId: CLUSTER_A, nodeId: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClusterIdentityError);
    expect((error as Error).message).toMatch(/node 1\b/);
    expect((error as Error).message).toMatch(/node 2\b/);
    expect((error as Error).message).toContain(database);
  });

  it('stamps a database of the older version (no cluster id) once, and says so', async () => {
    const database = mysql.freshDatabase('id');
    // The older version: only the first migration, and entries applied without a stamp.
    const { ensureDatabase } = await import('../../db/connection.js');
    await ensureDatabase(mysql.url, database);
    const sequelize = createSequelize(mysql.url, database);
    await migrate(sequelize, { migrations: MIGRATIONS.slice(0, 1) });
    await sequelize.close();

    const lines: string[] = [];
    const sm = await openSm(database, { clusterId: CLUSTER_A, nodeId: 3 }, (l) => lines.push(l));
    expect(lines.filter((l) => l.includes('stamped'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('stamped'))).toContain(CLUSTER_A);
    await sm.close();

    const stamp = await withServerConnection(mysql.url, async (c) => {
      const [rows] = await c.query(
        `SELECT cluster_id AS clusterId, node_id AS nodeId FROM \`${database}\`.raft_meta`,
      );
      return rows as { clusterId: string; nodeId: number }[];
    });
    expect(stamp).toEqual([{ clusterId: CLUSTER_A, nodeId: 3 }]);

    const quiet: string[] = [];
    await openSm(database, { clusterId: CLUSTER_A, nodeId: 3 }, (l) => quiet.push(l));
    expect(quiet.filter((l) => l.includes('stamped'))).toEqual([]);
    await expect(openSm(database, { clusterId: CLUSTER_B, nodeId: 3 })).rejects.toThrow(
      ClusterIdentityError,
    );
  });

  it('leaves an unstamped database unstamped when its applied index is not in the log', async () => {
    const database = mysql.freshDatabase('id');
    // Applied to without an identity (as the older version did): 50 entries, no stamp.
    const older = await openSm(database, undefined);
    await older.applyBatch(entries(1, workload(50)));
    await older.close();

    // A node whose log is empty (a new data dir) must not adopt it.
    const error = await TaskStateMachine.open(mysql.url, {
      database,
      identity: { clusterId: CLUSTER_B, nodeId: 1 },
      verifyApplied: (applied) =>
        checkAppliedAgainstLog(database, applied, { lastIndex: 0, termAt: () => undefined }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterIdentityError);
    expect((error as Error).message).toMatch(
      new RegExp(`${database} has applied index 50 .*log ends at index 0`),
    );
    const stamp = await withServerConnection(mysql.url, async (c) => {
      const [rows] = await c.query(`SELECT cluster_id AS clusterId FROM \`${database}\`.raft_meta`);
      return rows as { clusterId: string | null }[];
    });
    expect(stamp).toEqual([{ clusterId: null }]);
  });
});
