/**
 * Recording a live session and checking it (issue 6 §5) through the control API of a real
 * headless cluster (3 node processes, 3 managed MariaDB servers): what the window does through
 * `/api/tasks` and what background clients do is recorded; the check says linearizable for a
 * healthy cluster — and, on a cluster with the planted local-reads bug whose follower is cut
 * off, not linearizable, with a counterexample drawn in the recording's own time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryCheckResult, HistoryRecording } from '../../cluster/api/history.js';
import type { WriteResponse } from '../../cluster/api/node.js';
import { killAllOf, sleep, startCli, waitFor, type RunningCli } from '../supervisor/cli-harness.js';

const dirs: string[] = [];
const clis: RunningCli[] = [];

afterAll(async () => {
  for (const c of clis) if (c.child.exitCode === null) await c.stop('SIGTERM');
  for (const d of dirs) {
    killAllOf(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

async function cluster(env: NodeJS.ProcessEnv = {}): Promise<RunningCli> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-history-'));
  dirs.push(dataDir);
  const cli = startCli(
    ['--data-dir', dataDir, '--port', '0', '--slow', '0.8', '--nodes', '3'],
    env,
  );
  clis.push(cli);
  await cli.ready();
  return cli;
}

async function recording(cli: RunningCli): Promise<HistoryRecording> {
  const r = await cli.api<HistoryRecording>('GET', '/api/history');
  expect(r.status).toBe(200);
  return r.body;
}

describe('live-session history (GET/POST /api/history, POST /api/history/check)', () => {
  it('records the window and background clients; a healthy cluster is linearizable', async () => {
    const cli = await cluster();
    expect(await recording(cli)).toEqual({
      recording: false,
      startedAt: null,
      operations: 0,
      clients: 0,
    });

    // A task from before the recording: its state comes from the recording's first list read.
    const before = await cli.api<WriteResponse>(
      'POST',
      '/api/tasks',
      { title: 'from before' },
      { 'idempotency-key': 'k-before' },
    );
    expect(before.status).toBe(201);
    const oldId = before.body.task!.id;

    // Bad bodies are refused and change nothing.
    for (const bad of [{ record: 'yes' }, { record: true, clients: 17 }, { record: true, x: 1 }]) {
      const r = await cli.api<{ error: string }>('POST', '/api/history', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error).toBe('invalid_input');
    }
    expect((await recording(cli)).recording).toBe(false);

    const started = await cli.api<HistoryRecording>('POST', '/api/history', {
      record: true,
      clients: 3,
    });
    expect(started.status).toBe(200);
    expect(started.body.recording).toBe(true);
    expect(started.body.clients).toBe(3);
    expect(Date.parse(started.body.startedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // What the window does, through the proxy.
    const patched = await cli.api<WriteResponse>(
      'PATCH',
      `/api/tasks/${oldId}`,
      { status: 'done' },
      { 'idempotency-key': 'k-patch', 'if-match': '1' },
    );
    expect(patched.status).toBe(200);
    expect((await cli.api('GET', `/api/tasks/${oldId}`)).status).toBe(200);
    const created = await cli.api<WriteResponse>(
      'POST',
      '/api/tasks',
      { title: 'during' },
      { 'idempotency-key': 'k-during' },
    );
    expect(created.status).toBe(201);
    // The same key again is the same operation (a retry), not a second create.
    const retried = await cli.api<WriteResponse>(
      'POST',
      '/api/tasks',
      { title: 'during' },
      { 'idempotency-key': 'k-during' },
    );
    expect(retried.body.task?.id).toBe(created.body.task?.id);
    expect((await cli.api('GET', '/api/tasks')).status).toBe(200);
    expect((await cli.api('DELETE', `/api/tasks/${created.body.task!.id}`)).status).toBe(200);
    expect((await cli.api('GET', `/api/tasks/${created.body.task!.id}`)).status).toBe(404);

    await waitFor(
      async () => (await recording(cli)).operations >= 150,
      60_000,
      '150 recorded operations',
    );
    const check = await cli.api<HistoryCheckResult>('POST', '/api/history/check');
    expect(check.status).toBe(200);
    expect(check.body.verdict, check.body.summary).toBe('linearizable');
    expect(check.body.operations).toBeGreaterThanOrEqual(150);
    expect(check.body.tasks).toBeGreaterThanOrEqual(3);
    expect(check.body.startedAt).toBe(started.body.startedAt);
    expect(check.body.summary).toMatch(/operations on \d+ tasks are linearizable \(checked in/);
    expect(check.body.counterexample).toBeUndefined();

    const stopped = await cli.api<HistoryRecording>('POST', '/api/history', { record: false });
    expect(stopped.body).toMatchObject({ recording: false, clients: 0 });
    const frozen = stopped.body.operations;
    await cli.api('POST', '/api/tasks', { title: 'after' }, { 'idempotency-key': 'k-after' });
    await sleep(500);
    expect((await recording(cli)).operations).toBe(frozen);

    // Starting again drops the last recording.
    const again = await cli.api<HistoryRecording>('POST', '/api/history', { record: true });
    expect(again.body).toMatchObject({ recording: true, operations: 0, clients: 0 });
    await cli.api('POST', '/api/history', { record: false });
  });

  it('with the planted local-reads bug and a follower cut off, shows a counterexample', async () => {
    const cli = await cluster({ RAFTBOARD_PLANTED_BUG: 'local-reads' });
    const c = await cli.cluster();
    const follower = c.nodes.find((n) => n.id !== c.leaderId)!.id;
    const others = c.nodes.map((n) => n.id).filter((id) => id !== follower);
    const start = await cli.api('POST', '/api/history', { record: true, clients: 6 });
    expect(start.status).toBe(200);
    await waitFor(async () => (await recording(cli)).operations >= 40, 30_000, '40 operations');
    // The cut-off follower keeps answering "linearizable" reads from its own, frozen database
    // while the majority goes on writing: the background clients read from every node.
    expect(
      (await cli.api('PUT', '/api/network', { partitions: [[follower], others] })).status,
    ).toBe(200);
    const result = await waitFor(
      async () => {
        const r = await cli.api<HistoryCheckResult>('POST', '/api/history/check');
        return r.body.verdict === 'not-linearizable' ? r.body : undefined;
      },
      60_000,
      'the check to find the stale reads',
    );
    await cli.api('DELETE', '/api/network');
    await cli.api('POST', '/api/history', { record: false });
    const ce = result.counterexample!;
    expect(ce.ops.length).toBeGreaterThanOrEqual(2);
    expect(ce.ops.some((op) => op.f === 'read')).toBe(true);
    expect(ce.explanation).toContain(ce.taskId);
    expect(result.summary).toContain('NOT linearizable');
    // Times are milliseconds since the recording started: small, non-negative numbers.
    for (const op of ce.ops) {
      expect(op.call).toBeGreaterThanOrEqual(0);
      expect(op.call).toBeLessThan(5 * 60_000);
    }
  });
});
