// @vitest-environment jsdom
/**
 * "Check the cluster yourself": start and stop a recording with background clients, check it,
 * read the verdict, and on failure the counterexample on a timeline. Also the HTTP calls the
 * panel's API methods make, and the timeline's layout.
 */
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryCheckResult } from '../../cluster/api/history.js';
import type { Op } from '../../cluster/verify/history.js';
import { App } from '../../renderer/src/App.js';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import { createHttpApi } from '../../renderer/src/api/http.js';
import { layoutOps } from '../../renderer/src/verify/timeline.js';
import { FakeApi, makeTask } from './fake-api.js';
import { testStores } from './setup.js';

afterEach(cleanup);

const TASK = '00000000-0000-4000-8000-000000000007';

/** A write that returned, then a read that came later and missed it: no order explains both. */
const STALE_READ: Op[] = [
  {
    client: 'window',
    f: 'update',
    taskId: TASK,
    patch: { status: 'done' },
    call: 100,
    ret: 180,
    out: { status: 200, task: makeTask(7, { status: 'done', version: 2 }) },
  },
  {
    client: 'bg-1',
    f: 'read',
    taskId: TASK,
    call: 250,
    ret: 300,
    out: { status: 200, task: makeTask(7, { status: 'todo', version: 1 }) },
  },
  {
    client: 'bg-2',
    f: 'update',
    taskId: TASK,
    patch: { title: 'Renamed' },
    call: 120,
    ret: null,
    out: null,
  },
];

const FAILED: HistoryCheckResult = {
  verdict: 'not-linearizable',
  summary: '57 operations on 9 tasks are not linearizable (checked in 12 ms)',
  operations: 57,
  tasks: 9,
  checkMs: 12,
  startedAt: '2025-01-01T00:00:00.000Z',
  counterexample: {
    taskId: TASK,
    ops: STALE_READ,
    explanation: 'the read at 250 ms saw version 1 after the update to version 2 had returned',
    minimal: true,
  },
};

async function open(api: FakeApi) {
  const stores = testStores(api, { settings: { tab: 'lessons' } });
  await stores.cluster.getState().refresh();
  render(<App stores={stores} />);
  const panel = screen.getByRole('region', { name: 'Check the cluster yourself' });
  return { panel, user: userEvent.setup() };
}

const recordingLine = () => screen.getByRole('status', { name: 'Recording' });

describe('the check panel', () => {
  it('records with the chosen number of background clients, shows the count growing, stops', async () => {
    const api = new FakeApi();
    const { panel, user } = await open(api);
    await waitFor(() =>
      expect(recordingLine().textContent).toBe('Not recording. Nothing recorded yet.'),
    );
    expect(within(panel).getByRole('button', { name: 'Check linearizability' })).toHaveProperty(
      'disabled',
      true,
    );
    const clients = within(panel).getByLabelText('Background clients');
    await user.clear(clients);
    await user.type(clients, '3');
    await user.click(within(panel).getByRole('button', { name: 'Start recording' }));
    expect(api.callsOf('recordHistory').map((c) => c.args)).toEqual([
      [{ record: true, clients: 3 }],
    ]);
    expect(recordingLine().textContent).toBe(
      'Recording: 0 operations so far, 3 background clients.',
    );
    expect(clients).toHaveProperty('disabled', true);

    // The panel polls while it records.
    api.history = { ...api.history, operations: 42 };
    await waitFor(
      () =>
        expect(recordingLine().textContent).toBe(
          'Recording: 42 operations so far, 3 background clients.',
        ),
      { timeout: 3000 },
    );
    await user.click(within(panel).getByRole('button', { name: 'Stop recording' }));
    expect(api.callsOf('recordHistory').at(-1)?.args).toEqual([{ record: false }]);
    expect(recordingLine().textContent).toBe(
      'Not recording. The last recording holds 42 operations.',
    );
  });

  it('keeps the number of clients within 0–16', async () => {
    const api = new FakeApi();
    const { panel, user } = await open(api);
    const clients = within(panel).getByLabelText('Background clients');
    await user.clear(clients);
    await user.type(clients, '99');
    expect(clients).toHaveProperty('value', '16');
    await user.click(within(panel).getByRole('button', { name: 'Start recording' }));
    expect(api.callsOf('recordHistory')[0]?.args).toEqual([{ record: true, clients: 16 }]);
  });

  it('shows the verdict line of a linearizable history', async () => {
    const api = new FakeApi();
    api.checkResult = {
      verdict: 'linearizable',
      summary: '1,234 operations on 87 tasks are linearizable (checked in 41 ms)',
      operations: 1234,
      tasks: 87,
      checkMs: 41,
      startedAt: '2025-01-01T00:00:00.000Z',
    };
    const { panel, user } = await open(api);
    await user.click(within(panel).getByRole('button', { name: 'Start recording' }));
    await user.click(within(panel).getByRole('button', { name: 'Check linearizability' }));
    expect(screen.getByRole('status', { name: 'Verdict' }).textContent).toBe(
      'Linearizable. 1,234 operations on 87 tasks are linearizable (checked in 41 ms)',
    );
    expect(within(panel).queryByRole('img')).toBeNull();
  });

  it('draws the counterexample of a failed check on a timeline, one row per client', async () => {
    const api = new FakeApi();
    api.checkResult = FAILED;
    const { panel, user } = await open(api);
    await user.click(within(panel).getByRole('button', { name: 'Start recording' }));
    await user.click(within(panel).getByRole('button', { name: 'Check linearizability' }));
    expect(screen.getByRole('status', { name: 'Verdict' }).textContent).toMatch(
      /^Not linearizable! 57 operations on 9 tasks are not linearizable/,
    );
    expect(panel.textContent).toContain(
      `Task ${TASK}: the read at 250 ms saw version 1 after the update to version 2 had returned (a minimal set of operations)`,
    );
    const svg = within(panel).getByRole('img', { name: 'Timeline of 3 operations by 3 clients' });
    expect([...svg.querySelectorAll('.tl-client')].map((t) => t.textContent)).toEqual([
      'bg-1',
      'bg-2',
      'window',
    ]);
    expect(svg.querySelectorAll('rect.tl-bar')).toHaveLength(3);
    expect(svg.querySelectorAll('rect.tl-bar.open')).toHaveLength(1);
    const items = within(
      within(panel).getByRole('list', { name: 'Operations that cannot be ordered' }),
    )
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([
      'window: update status="done" → 200 v2 “Task 7” done (100 ms–180 ms)',
      'bg-1: read → 200 v1 “Task 7” todo (250 ms–300 ms)',
      'bg-2: update title="Renamed" → no answer (may have taken effect) (from 120 ms, open-ended)',
    ]);
  });

  it('keeps the checker’s own lines and does not name the task twice', async () => {
    const api = new FakeApi();
    const explanation = `Task ${TASK}: no order of these 2 operations respects real time.\n  #1 read\n  #2 read`;
    api.checkResult = {
      ...FAILED,
      counterexample: { taskId: TASK, ops: STALE_READ.slice(0, 2), explanation, minimal: false },
    };
    const { panel, user } = await open(api);
    await user.click(within(panel).getByRole('button', { name: 'Start recording' }));
    await user.click(within(panel).getByRole('button', { name: 'Check linearizability' }));
    const p = await within(panel).findByText(/no order of these 2 operations/);
    expect(p.textContent).toBe(explanation);
  });

  it('says why when the check cannot run, and an unknown verdict’s reason', async () => {
    const api = new FakeApi();
    api.checkResult = new ApiRequestError(409, 'version_conflict', 'nothing has been recorded');
    const { panel, user } = await open(api);
    await user.click(within(panel).getByRole('button', { name: 'Start recording' }));
    await user.click(within(panel).getByRole('button', { name: 'Check linearizability' }));
    expect(within(panel).getByRole('alert').textContent).toBe('nothing has been recorded');

    api.checkResult = {
      ...FAILED,
      verdict: 'unknown',
      summary: '90,000 operations could not be checked',
      counterexample: undefined,
      reason: 'the check ran out of its 10 s budget',
    } as HistoryCheckResult;
    await user.click(within(panel).getByRole('button', { name: 'Check linearizability' }));
    expect(within(panel).queryByRole('alert')).toBeNull();
    expect(screen.getByRole('status', { name: 'Verdict' }).textContent).toBe(
      'Unknown. 90,000 operations could not be checked',
    );
    expect(panel.textContent).toContain('the check ran out of its 10 s budget');
  });
});

describe('the timeline layout', () => {
  it('puts each client on its own row and leaves unanswered operations open-ended', () => {
    const l = layoutOps(STALE_READ, 460);
    expect(l.clients).toEqual(['bg-1', 'bg-2', 'window']);
    expect(l.from).toBe(100);
    const [w, r, open] = l.bars;
    expect(w).toMatchObject({ row: 2, x: 0 });
    expect(r?.row).toBe(0);
    expect(r!.x).toBeGreaterThan(w!.x + w!.width!); // the read starts after the write returned
    expect(open).toMatchObject({ row: 1, width: null });
    expect(r!.x + r!.width!).toBeLessThan(460); // room after the last answer for the open end
  });
});

describe('the HTTP calls', () => {
  it('GET /api/history, POST /api/history with the body, POST /api/history/check, with the token', async () => {
    const sent: { url: string; method: string; auth: string; body: unknown }[] = [];
    const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const headers = init?.headers as Record<string, string>;
      sent.push({
        url: String(input),
        method: init?.method ?? 'GET',
        auth: headers['authorization'] ?? '',
        body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
      });
      return Promise.resolve(new Response(JSON.stringify({ recording: false }), { status: 200 }));
    };
    const api = createHttpApi({ baseUrl: 'http://127.0.0.1:7070/', token: 't0k', fetch });
    await api.getHistory();
    await api.recordHistory({ record: true, clients: 2 });
    await api.checkHistory();
    expect(sent).toEqual([
      {
        url: 'http://127.0.0.1:7070/api/history',
        method: 'GET',
        auth: 'Bearer t0k',
        body: undefined,
      },
      {
        url: 'http://127.0.0.1:7070/api/history',
        method: 'POST',
        auth: 'Bearer t0k',
        body: { record: true, clients: 2 },
      },
      {
        url: 'http://127.0.0.1:7070/api/history/check',
        method: 'POST',
        auth: 'Bearer t0k',
        body: undefined,
      },
    ]);
  });

  it('turns a refusal into an ApiRequestError with the server’s code', async () => {
    const fetch = () =>
      Promise.resolve(
        new Response(JSON.stringify({ error: 'invalid_input', message: 'clients: at most 16' }), {
          status: 400,
        }),
      );
    const api = createHttpApi({ baseUrl: 'http://x', token: 't', fetch });
    await expect(api.recordHistory({ record: true, clients: 17 })).rejects.toMatchObject({
      status: 400,
      code: 'invalid_input',
      message: 'clients: at most 16',
    });
  });
});
