// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeApi, makeCluster, makeNode } from './fake-api.js';
import { renderApp } from './setup.js';

afterEach(cleanup);

function card(id: number): HTMLElement {
  return screen.getByRole('article', { name: `Node ${id}` });
}

describe('cluster view', () => {
  it('shows each node’s Raft state, process and MySQL', async () => {
    const api = new FakeApi();
    api.cluster = makeCluster({
      nodes: [
        makeNode(1),
        makeNode(2, { status: 'paused', commitIndex: 35 }),
        makeNode(3, {
          status: 'crashed',
          role: 'follower',
          mysql: { mode: 'managed', status: 'down', server: 'stopped' },
          lastLines: ['panic: WAL corrupted at offset 4096'],
        }),
      ],
    });
    await renderApp(api, { settings: { tab: 'cluster' } });
    expect(within(card(1)).getByText(/leader/)).toBeTruthy();
    expect(within(card(2)).getByText('paused')).toBeTruthy();
    expect(within(card(2)).getByText('35')).toBeTruthy();
    expect(within(card(3)).getByText(/down \(managed, server stopped\)/)).toBeTruthy();
    expect(within(card(3)).getByText(/WAL corrupted/)).toBeTruthy();
    expect(
      within(card(1)).getByRole('img', {
        name:
          'Log of node 1: last index 42, commit 40, applied 40, snapshot 10, term 3; ' +
          'terms: 2 for 11–30, 3 for 31–42',
      }),
    ).toBeTruthy();
  });

  it('node buttons call the API, and only the ones that make sense are enabled', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.cluster = makeCluster({
      nodes: [makeNode(1), makeNode(2, { status: 'paused' }), makeNode(3)],
    });
    await renderApp(api, { settings: { tab: 'cluster' } });

    await user.click(screen.getByRole('button', { name: 'Kill node 1' }));
    await user.click(screen.getByRole('button', { name: 'Resume node 2' }));
    await user.click(screen.getByRole('button', { name: 'Pause node 3' }));
    await user.click(screen.getByRole('button', { name: 'Restart node 3' }));
    await user.click(screen.getByRole('button', { name: 'Stop MySQL on node 3' }));
    await waitFor(() => expect(api.callsOf('mysqlAction')).toHaveLength(1));

    expect(api.callsOf('nodeAction').map((c) => c.args)).toEqual([
      [1, 'kill'],
      [2, 'resume'],
      [3, 'pause'],
      [3, 'restart'],
    ]);
    expect(api.callsOf('mysqlAction')[0]?.args).toEqual([3, 'stop']);
    expect(
      (screen.getByRole('button', { name: 'Pause node 2' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(
      (screen.getByRole('button', { name: 'Start MySQL on node 1' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    await waitFor(() => expect(screen.getByText('node 3: MySQL stop done')).toBeTruthy());
  });

  it('pauses and resumes a node’s MySQL, only where that makes sense', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.cluster = makeCluster({
      nodes: [
        makeNode(1),
        makeNode(2, { mysql: { mode: 'managed', status: 'stalled', server: 'paused' } }),
        makeNode(3, { mysql: { mode: 'external', status: 'up', server: 'external' } }),
      ],
    });
    await renderApp(api, { settings: { tab: 'cluster' } });
    const button = (name: string): HTMLButtonElement =>
      screen.getByRole('button', { name }) as HTMLButtonElement;

    expect(within(card(2)).getByText(/stalled \(managed, server paused\)/)).toBeTruthy();
    await user.click(button('Pause MySQL on node 1'));
    await user.click(button('Resume MySQL on node 2'));
    await waitFor(() => expect(api.callsOf('mysqlAction')).toHaveLength(2));
    expect(api.callsOf('mysqlAction').map((c) => c.args)).toEqual([
      [1, 'pause'],
      [2, 'resume'],
    ]);

    expect(button('Resume MySQL on node 1').disabled).toBe(true);
    expect(button('Pause MySQL on node 2').disabled).toBe(true);
    // A paused server is resumed, not started; it can still be stopped.
    expect(button('Start MySQL on node 2').disabled).toBe(true);
    expect(button('Stop MySQL on node 2').disabled).toBe(false);
    for (const name of ['Pause MySQL on node 3', 'Resume MySQL on node 3']) {
      expect(button(name).disabled).toBe(true);
      expect(button(name).title).toMatch(/external MySQL server/);
    }
    await waitFor(() => expect(screen.getByText('node 2: MySQL resume done')).toBeTruthy());
  });

  it('applies a partition from the group editor, and heals it', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    await renderApp(api, { settings: { tab: 'cluster' } });

    await user.click(screen.getByRole('radio', { name: 'Node 3 in group B' }));
    expect(screen.getByText('{1, 2} | {3}')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Apply partition' }));
    await waitFor(() => expect(api.callsOf('setNetwork')).toHaveLength(1));
    expect(api.callsOf('setNetwork')[0]?.args[0]).toEqual({ partitions: [[1, 2], [3]] });

    await user.click(screen.getByRole('button', { name: 'Heal network' }));
    await waitFor(() => expect(api.callsOf('healNetwork')).toHaveLength(1));
  });

  it('follows status and election events from the stream', async () => {
    const api = new FakeApi();
    const { stores } = await renderApp(api, { settings: { tab: 'cluster' } });
    // The stream is wired by startSync in the app; here the test feeds the events store itself.
    const at = new Date().toISOString();
    act(() => {
      stores.events.getState().push({
        type: 'status',
        seq: 1,
        at,
        cluster: makeCluster({
          leaderId: 2,
          term: 4,
          nodes: [
            makeNode(1, { status: 'stopped', role: 'follower' }),
            makeNode(2, { role: 'leader', term: 4 }),
            makeNode(3, { term: 4 }),
          ],
        }),
      });
      stores.events.getState().push({
        type: 'election',
        seq: 2,
        at,
        leaderId: 2,
        term: 4,
        durationMs: 420,
      });
    });
    expect(screen.getByRole('status', { name: 'Cluster summary' }).textContent).toMatch(
      /^Leader: node 2, term 4\./,
    );
    expect(within(card(1)).getByText('stopped')).toBeTruthy();
    expect(screen.getByText(/node 2 elected leader of term 4 after 420 ms/)).toBeTruthy();
  });
});
