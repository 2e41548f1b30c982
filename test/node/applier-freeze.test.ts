/**
 * The applier against a frozen MySQL (SIGSTOP of a real mariadbd: connections stay open and
 * nothing answers, nothing errors). The watchdog reports `stalled` while the batch hangs, the
 * statement's time limit then drops the connection (`down`), close() returns although MySQL
 * never will, and after SIGCONT the applier reconnects and applies what it kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MySqlStatus } from '../../cluster/api/node.js';
import { Applier } from '../../cluster/node/applier.js';
import type { Logger } from '../../cluster/node/log.js';
import type { Entry, Snapshot } from '../../cluster/raft/index.js';
import { MySqlUnavailableError } from '../../db/errors.js';
import { TaskStateMachine } from '../../db/statemachine.js';
import { startMariaDb, type MariaDbInstance } from '../../db/provision/mariadb.js';
import { sleep, waitFor, within } from '../cluster/harness/poll.js';
import { mariaDbMissing } from '../cluster/harness/own-mariadb.js';
import { at, create, taskId } from '../db/helpers.js';

const missing = mariaDbMissing();
if (missing !== undefined) {
  process.stderr.write(
    `applier-freeze tests skipped: they need a MariaDB server binary. ${missing}\n`,
  );
}

let dir: string | undefined;
let db: MariaDbInstance | undefined;
let databases = 0;

beforeAll(async () => {
  if (missing !== undefined) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-applier-freeze-'));
  db = await startMariaDb({ dataDir: dir, port: 0 });
});

afterAll(async () => {
  if (db !== undefined) signal(db.pid, 'SIGCONT');
  await db?.stop();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

function signal(pid: number, sig: 'SIGSTOP' | 'SIGCONT'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const NO_SNAPSHOT: Snapshot = {
  metadata: { index: 0, term: 0, conf: { voters: [1], learners: [] } },
  data: '',
};

function entry(n: number): Entry {
  return {
    index: n,
    term: 1,
    type: 'normal',
    data: JSON.stringify(create(taskId(n), { title: `t${n}` }, at(n))),
  };
}

/** An applier on a fresh database, with every status it reported. */
function newApplier(): { applier: Applier; statuses: MySqlStatus[]; applied: () => number } {
  const statuses: MySqlStatus[] = [];
  let applied = 0;
  const database = `rb_applier_freeze_${process.pid}_${++databases}`;
  const applier = new Applier({
    openStore: (o) =>
      TaskStateMachine.open(db!.url, {
        database,
        identity: o.identity,
        verifyApplied: o.verifyApplied,
        queryTimeoutMs: 2_000,
        log: o.log,
      }),
    database,
    log: quiet,
    diskSnapshot: () => NO_SNAPSHOT,
    onApplied: () => undefined,
    onProgress: (i) => {
      applied = i;
    },
    onStatus: (s) => statuses.push(s),
    identity: { clusterId: 'applier-freeze-test', nodeId: 1 },
    // The entries are applied as they come: the log holds everything up to them.
    raftLog: () => ({ lastIndex: Number.MAX_SAFE_INTEGER, termAt: () => undefined }),
    onFatal: (e) => {
      throw e;
    },
    stalledAfterMs: 300,
  });
  return { applier, statuses, applied: () => applied };
}

describe.skipIf(missing !== undefined)('the applier and a frozen MySQL', () => {
  it('reports stalled, then down; after SIGCONT it applies what it kept', async () => {
    const { applier, statuses, applied } = newApplier();
    const pid = db!.pid;
    applier.start();
    try {
      await waitFor(() => applier.status === 'up', 30_000, 'MySQL up');
      applier.enqueueEntries([entry(1)]);
      await waitFor(() => applied() >= 1, 10_000, 'entry 1 applied');

      signal(pid, 'SIGSTOP');
      try {
        applier.enqueueEntries([entry(2)]);
        await waitFor(() => applier.status === 'stalled', 10_000, "status 'stalled'");
        // Reads are refused at once rather than sent to a server that does not answer.
        expect(() => applier.stateMachine()).toThrow(MySqlUnavailableError);
        // The batch's statement runs out of time: its connection is dropped.
        await waitFor(
          () => applier.status === 'down',
          20_000,
          "status 'down' after the time limit",
        );
        expect(applied()).toBe(1);
      } finally {
        signal(pid, 'SIGCONT');
      }
      await waitFor(
        () => applier.status === 'up' && applied() >= 2,
        30_000,
        'entry 2 applied after SIGCONT',
      );
      expect(statuses).toContain('stalled');
      expect(statuses).toContain('down');
      const sum = await applier.stateMachine().checksum();
      expect(sum.appliedIndex).toBe(2);
    } finally {
      signal(pid, 'SIGCONT');
      await applier.close();
    }
  });

  it('an idle applier notices too: its ping stalls, then runs out of time on the pool', async () => {
    const { applier, statuses } = newApplier();
    const pid = db!.pid;
    applier.start();
    try {
      await waitFor(() => applier.status === 'up', 30_000, 'MySQL up');
      signal(pid, 'SIGSTOP');
      try {
        await waitFor(() => applier.status === 'stalled', 10_000, "status 'stalled' (ping)");
        await waitFor(
          () => applier.status === 'down',
          20_000,
          "status 'down' (pool query timeout)",
        );
        // The ping's pooled connection ran out of time (or a new one could not connect).
        expect(applier.error).toMatch(/inactivity timeout|ETIMEDOUT/);
      } finally {
        signal(pid, 'SIGCONT');
      }
      await waitFor(() => applier.status === 'up', 30_000, "status 'up' after SIGCONT");
      expect(statuses).toEqual(expect.arrayContaining(['stalled', 'down', 'up']));
    } finally {
      signal(pid, 'SIGCONT');
      await applier.close();
    }
  });

  it('close() returns while MySQL is frozen', async () => {
    const { applier, applied } = newApplier();
    const pid = db!.pid;
    applier.start();
    let closed = false;
    try {
      await waitFor(() => applier.status === 'up', 30_000, 'MySQL up');
      // The applier's own connection is open (a frozen server would refuse a new one in time).
      applier.enqueueEntries([entry(1)]);
      await waitFor(() => applied() >= 1, 10_000, 'entry 1 applied');
      signal(pid, 'SIGSTOP');
      applier.enqueueEntries([entry(2)]);
      // Time for the batch to reach the frozen server (its answer never comes).
      await sleep(500);
      // Generous: close() gives the work in flight and the connections a few seconds each.
      closed = await within(applier.close(), 15_000);
    } finally {
      signal(pid, 'SIGCONT');
      if (!closed) await applier.close();
    }
    expect(closed, 'close() returned while MySQL was frozen').toBe(true);
  });
});
