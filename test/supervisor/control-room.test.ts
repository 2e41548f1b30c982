/**
 * What the control room reads from the supervisor, against a real cluster (3 node processes, 3
 * managed MariaDB servers): each node's log terms in `GET /api/cluster`, and `GET /api/checksums`
 * — all replicas agreeing, a paused node listed with why, and a replica whose database was
 * changed behind Raft's back flagged as diverged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterChecksums, ClusterNode } from '../../cluster/api/control.js';
import type { LogTermRun } from '../../cluster/api/node.js';
import { withServerConnection } from '../../db/connection.js';
import { killAllOf, startCli, waitFor, type RunningCli } from './cli-harness.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-room-'));
let cli: RunningCli;

beforeAll(async () => {
  cli = startCli(['--data-dir', dataDir, '--port', '0', '--slow', '0.8', '--nodes', '3']);
  await cli.ready();
});

afterAll(async () => {
  if (cli !== undefined && cli.child.exitCode === null) await cli.stop('SIGTERM');
  killAllOf(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function termAt(runs: readonly LogTermRun[], index: number): number | undefined {
  return runs.find((r) => r.from <= index && index <= r.to)?.term;
}

/** A write, and the log index and term it committed at (the client API's answer). */
async function write(title: string): Promise<{ raftIndex: number; term: number }> {
  const w: unknown = await cli.write(title);
  return w as { raftIndex: number; term: number };
}

async function checksums(): Promise<ClusterChecksums> {
  const r = await cli.api<ClusterChecksums>('GET', '/api/checksums');
  if (r.status !== 200)
    throw new Error(`GET /api/checksums: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Checksums once every running replica reports the same applied index. */
async function settledChecksums(): Promise<ClusterChecksums> {
  return waitFor(
    async () => {
      const c = await checksums();
      const at = new Set(c.replicas.filter((r) => r.checksum !== null).map((r) => r.appliedIndex));
      return at.size === 1 ? c : undefined;
    },
    20_000,
    'every answering replica at one applied index',
  );
}

describe('the control room’s view of a real cluster', () => {
  it('reports each node’s log terms as runs that match the terms writes committed in', async () => {
    const writes: { raftIndex: number; term: number }[] = [];
    for (let i = 0; i < 5; i++) {
      writes.push(await write(`log terms ${i}`));
    }
    // A new term between writes: kill the leader, write again under the next one.
    const old = await cli.leader();
    expect((await cli.api('POST', `/api/nodes/${old.id}/kill`)).status).toBe(200);
    await cli.leader(20_000, old.id);
    for (let i = 0; i < 3; i++) {
      writes.push(await write(`after the kill ${i}`));
    }
    expect((await cli.api('POST', `/api/nodes/${old.id}/start`)).status).toBe(200);
    const last = writes[writes.length - 1] as (typeof writes)[0];

    const nodes = await waitFor(
      async () => {
        const c = await cli.cluster();
        // Runs cover the stored (persisted) log: an entry just received may be in the log but
        // not on disk for one status report, so wait for the runs themselves to reach the write.
        const caughtUp = c.nodes.every(
          (n) => n.status === 'running' && (n.logTerms.at(-1)?.to ?? 0) >= last.raftIndex,
        );
        return caughtUp ? c.nodes : undefined;
      },
      20_000,
      `every node's log to reach index ${last.raftIndex}`,
    );
    for (const n of nodes as readonly ClusterNode[]) {
      const runs = n.logTerms;
      expect(runs.length, `n${n.id}: ${JSON.stringify(runs)}`).toBeGreaterThan(1);
      // Contiguous, in order, one term per run, terms never decreasing.
      for (let i = 1; i < runs.length; i++) {
        const [a, b] = [runs[i - 1] as LogTermRun, runs[i] as LogTermRun];
        expect(b.from).toBe(a.to + 1);
        expect(b.term).toBeGreaterThan(a.term);
      }
      const stored = (runs[runs.length - 1] as LogTermRun).to;
      expect(stored).toBeLessThanOrEqual(n.lastLogIndex);
      expect((runs[0] as LogTermRun).from).toBe(Math.max(n.snapshotIndex + 1, stored - 199));
      for (const w of writes) {
        expect(termAt(runs, w.raftIndex), `n${n.id} entry ${w.raftIndex}`).toBe(w.term);
      }
    }
  });

  it('GET /api/checksums: every replica agrees at one applied index', async () => {
    await cli.write('checksummed');
    const c = await settledChecksums();
    expect(c.replicas.map((r) => r.nodeId)).toEqual([1, 2, 3]);
    expect(c.diverged).toEqual([]);
    expect(new Set(c.replicas.map((r) => r.checksum)).size).toBe(1);
    expect(c.replicas.every((r) => /^[0-9a-f]{64}$/.test(r.checksum ?? ''))).toBe(true);
    const sums = await cli.checksums();
    expect(sums.get(1)).toBe(c.replicas[0]?.checksum);
  });

  it('lists a paused node with the reason instead of waiting for it', async () => {
    const leader = await cli.leader();
    const follower = (await cli.cluster()).nodes.find((n) => n.id !== leader.id) as ClusterNode;
    expect((await cli.api('POST', `/api/nodes/${follower.id}/pause`)).status).toBe(200);
    try {
      const c = await checksums();
      expect(c.replicas.find((r) => r.nodeId === follower.id)).toEqual({
        nodeId: follower.id,
        appliedIndex: null,
        checksum: null,
        error: 'the node is paused',
      });
      expect(c.diverged).toEqual([]);
    } finally {
      await cli.api('POST', `/api/nodes/${follower.id}/resume`);
    }
  });

  it('flags a replica whose database was changed behind Raft’s back', async () => {
    await cli.write('to be tampered with');
    const before = await settledChecksums();
    expect(before.diverged).toEqual([]);
    const leader = await cli.leader();
    const victim = [1, 2, 3].find((id) => id !== leader.id) as number;
    const config = JSON.parse(
      fs.readFileSync(path.join(dataDir, 'nodes', `n${victim}`, 'node.json'), 'utf8'),
    ) as { mysql: { url: string; database: string } };
    // The node's config names the managed server's socket and password file, not a password.
    expect(config.mysql.url).toMatch(/^mysql:\/\/root@localhost\/\?socket=.*&password-file=/);
    const passwordFile = new URL(config.mysql.url).searchParams.get('password-file') ?? '';
    expect(config.mysql.url).not.toContain(fs.readFileSync(passwordFile, 'utf8').trim());
    // As the owner, through the node's URL: the socket and the root password file.
    await withServerConnection(config.mysql.url, async (conn) => {
      await conn.query(`UPDATE \`${config.mysql.database}\`.tasks SET title = 'tampered' LIMIT 1`);
    });
    const after = await settledChecksums();
    expect(after.diverged).toEqual([victim]);
    const others = after.replicas.filter((r) => r.nodeId !== victim);
    expect(new Set(others.map((r) => r.checksum)).size).toBe(1);
  });

  it('needs the token', async () => {
    const res = await fetch(`${cli.base}/api/checksums`);
    expect(res.status).toBe(401);
  });
});
