// @vitest-environment jsdom
/**
 * The control room's drawings and panels over the fake API: log strips coloured by term, the
 * election-timer rings, the message flow fed by `message` events, the link matrix, the replica
 * checksums, adding and removing nodes, and the timeline's filters. Everything is found by role
 * and accessible name, as a screen reader finds it.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../cluster/api/control.js';
import { linkState, familyOf } from '../../renderer/src/cluster/flow.js';
import { linksFromCells } from '../../renderer/src/cluster/links.js';
import { stripSegments, stripWindow } from '../../renderer/src/cluster/strip.js';
import { timerText } from '../../renderer/src/cluster/TimerRing.js';
import { FLIGHT_MS, createClusterStore } from '../../renderer/src/store/cluster.js';
import { FakeApi, makeCluster, makeNode } from './fake-api.js';
import { renderApp } from './setup.js';

afterEach(() => {
  cleanup();
  delete (window as { matchMedia?: unknown }).matchMedia;
});

const at = '2026-01-01T00:00:00.000Z';
let seq = 1000;
function message(from: number, to: number, kind: string, entries?: number): ClusterEvent {
  return entries === undefined
    ? { type: 'message', seq: seq++, at, from, to, kind, term: 3 }
    : { type: 'message', seq: seq++, at, from, to, kind, term: 3, entries };
}

function card(id: number): HTMLElement {
  return screen.getByRole('article', { name: `Node ${id}` });
}

describe('log strip', () => {
  it('splits a log into snapshot, applied, committed and dashed uncommitted blocks per term', () => {
    const n = makeNode(2, {
      snapshotIndex: 10,
      appliedIndex: 25,
      commitIndex: 33,
      lastLogIndex: 42,
      logTerms: [
        { term: 2, from: 11, to: 30 },
        { term: 3, from: 31, to: 42 },
      ],
    });
    const w = stripWindow([n, makeNode(1, { lastLogIndex: 50 })]);
    expect(w).toEqual({ first: 1, last: 50 });
    expect(stripSegments(n, w)).toEqual([
      { kind: 'snapshot', term: 0, from: 1, to: 10 },
      { kind: 'applied', term: 2, from: 11, to: 25 },
      { kind: 'committed', term: 2, from: 26, to: 30 },
      { kind: 'committed', term: 3, from: 31, to: 33 },
      { kind: 'uncommitted', term: 3, from: 34, to: 42 },
    ]);
  });

  it('shows only the newest 200 entries, with older unreported ones as untold', () => {
    const n = makeNode(1, {
      snapshotIndex: 0,
      appliedIndex: 500,
      commitIndex: 500,
      lastLogIndex: 500,
      logTerms: [{ term: 7, from: 351, to: 500 }],
    });
    const w = stripWindow([n]);
    expect(w).toEqual({ first: 301, last: 500 });
    expect(stripSegments(n, w)).toEqual([
      { kind: 'untold', term: 0, from: 301, to: 350 },
      { kind: 'applied', term: 7, from: 351, to: 500 },
    ]);
  });

  it('is drawn in each card with the uncommitted tail dashed and the commit marker', async () => {
    await renderApp(new FakeApi(), { settings: { tab: 'cluster' } });
    const strip = within(card(2)).getByRole('img', { name: /^Log of node 2:/ });
    const tail = strip.querySelector('.seg-uncommitted');
    expect(tail?.getAttribute('data-term')).toBe('3');
    expect(strip.querySelectorAll('.seg-applied')).toHaveLength(2);
    expect(strip.querySelector('.commit-marker')).not.toBeNull();
  });
});

describe('election timer ring', () => {
  it('says how far the timer has run, in ticks and milliseconds', async () => {
    const api = new FakeApi();
    api.cluster = makeCluster({
      nodes: [
        makeNode(1),
        makeNode(2, { electionElapsed: 4, electionTimeout: 10, tickMs: 100 }),
        makeNode(3, { status: 'stopped' }),
      ],
    });
    await renderApp(api, { settings: { tab: 'cluster' } });
    expect(
      within(card(2)).getByRole('img', {
        name: 'Election timer of node 2: 4 of 10 ticks (400 of 1000 ms)',
      }),
    ).toBeTruthy();
    expect(
      within(card(1)).getByRole('img', {
        name: 'Election timer of node 1: leader, sends heartbeats instead',
      }),
    ).toBeTruthy();
    expect(within(card(3)).getByRole('img', { name: /node 3: not running$/ })).toBeTruthy();
    expect(timerText(makeNode(2, { electionElapsed: 9, electionTimeout: 10 })).state).toBe('late');
  });
});

describe('slow motion in the control room', () => {
  it('the cluster view has the slow-motion slider, and it slows the real timers', async () => {
    const api = new FakeApi();
    await renderApp(api, { settings: { tab: 'cluster' } });
    const slider = screen.getByRole('slider', { name: 'Slow motion' });
    fireEvent.change(slider, { target: { value: '3' } });
    await waitFor(() => expect(api.callsOf('setSlow').map((c) => c.args[0])).toEqual([10]));
  });
});

describe('message flow', () => {
  it('draws the real messages by family, counts them, and keeps them out of the timeline', async () => {
    const { stores } = await renderApp(new FakeApi(), { settings: { tab: 'cluster' } });
    act(() => {
      for (const e of [
        message(1, 2, 'heartbeat'),
        message(2, 1, 'heartbeatResp'),
        message(1, 3, 'app', 4),
        message(3, 1, 'vote'),
        message(1, 2, 'snap'),
      ])
        stores.events.getState().push(e);
    });
    const flow = screen.getByRole('img', { name: /^Message flow between 3 nodes: 5 messages/ });
    expect(flow.querySelectorAll('.msg-heartbeat')).toHaveLength(2);
    expect(flow.querySelectorAll('.msg-heartbeat.msg-resp')).toHaveLength(1);
    expect(flow.querySelectorAll('.msg-append')).toHaveLength(1);
    expect(flow.querySelectorAll('.msg-vote')).toHaveLength(1);
    expect(flow.querySelectorAll('.msg-snapshot')).toHaveLength(1);
    expect(flow.querySelectorAll('.msg-fly')).toHaveLength(5);
    const legend = screen.getByRole('list', { name: 'Messages seen since the view opened' });
    expect(within(legend).getByText(/^Heartbeats:/).textContent).toBe('Heartbeats: 2');
    expect(within(legend).getByText(/^Appends:/).textContent).toBe('Appends: 1');
    expect(within(legend).getByText(/^Votes:/).textContent).toBe('Votes: 1');
    expect(stores.events.getState().recent.some((e) => e.type === 'message')).toBe(false);
  });

  it('with reduced motion, marks the message on its link instead of moving it', async () => {
    Object.defineProperty(window, 'matchMedia', {
      configurable: true,
      value: (q: string) => ({
        matches: q.includes('reduce'),
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
      }),
    });
    const { stores } = await renderApp(new FakeApi(), { settings: { tab: 'cluster' } });
    act(() => stores.events.getState().push(message(1, 2, 'app', 1)));
    const flow = screen.getByRole('img', { name: /^Message flow/ });
    expect(flow.querySelectorAll('.msg-fly')).toHaveLength(0);
    expect(flow.querySelectorAll('.msg-still.msg-append')).toHaveLength(1);
  });

  it('forgets messages once they have flown', () => {
    let t = 0;
    const store = createClusterStore(new FakeApi(), () => t);
    store.getState().addMessages([message(1, 2, 'heartbeat'), message(1, 3, 'heartbeat')]);
    t = FLIGHT_MS / 2;
    store.getState().addMessages([message(2, 1, 'voteResp')]);
    expect(store.getState().flights).toHaveLength(3);
    t = FLIGHT_MS + 1;
    store.getState().addMessages([]);
    expect(store.getState().flights.map((f) => f.kind)).toEqual(['voteResp']);
    expect(store.getState().messageTotals).toMatchObject({ heartbeat: 2, vote: 1 });
  });

  it('names message families and marks cut and faulty links', () => {
    expect(familyOf('preVoteResp')).toEqual({ family: 'vote', response: true });
    expect(familyOf('app')).toEqual({ family: 'append', response: false });
    expect(familyOf('timeoutNow')).toEqual({ family: 'other', response: false });
    const s = makeCluster({
      network: { partitions: [[1, 2], [3]], links: [{ from: 2, to: 1, delayMs: 50 }] },
    });
    expect(linkState(s, 1, 3)).toBe('cut');
    expect(linkState(s, 1, 2)).toBe('faulty');
    const dropped = makeCluster({
      network: { partitions: [], links: [{ from: 3, to: 2, drop: 1 }] },
    });
    expect(linkState(dropped, 2, 3)).toBe('cut');
    expect(linkState(dropped, 1, 2)).toBe('ok');
  });
});

describe('link matrix', () => {
  it('sends drop % and delay per directed link, and clears them', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    await renderApp(api, { settings: { tab: 'cluster' } });
    const matrix = screen.getByRole('region', { name: 'Link faults' });
    await user.type(
      within(matrix).getByRole('textbox', { name: 'Drop % from node 1 to node 2' }),
      '50',
    );
    await user.type(
      within(matrix).getByRole('textbox', { name: 'Delay ms from node 2 to node 3' }),
      '200',
    );
    await user.click(within(matrix).getByRole('button', { name: 'Apply link faults' }));
    await waitFor(() => expect(api.callsOf('setNetwork')).toHaveLength(1));
    expect(api.callsOf('setNetwork')[0]?.args[0]).toEqual({
      links: [
        { from: 1, to: 2, drop: 0.5 },
        { from: 2, to: 3, delayMs: 200 },
      ],
    });
    await user.click(within(matrix).getByRole('button', { name: 'Clear link faults' }));
    await waitFor(() => expect(api.callsOf('setNetwork')).toHaveLength(2));
    expect(api.callsOf('setNetwork')[1]?.args[0]).toEqual({ links: [] });
  });

  it('refuses a bad value with a message and shows the live faults', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.cluster = makeCluster({
      network: { partitions: [], links: [{ from: 3, to: 1, drop: 0.25, delayMs: 80 }] },
    });
    await renderApp(api, { settings: { tab: 'cluster' } });
    const matrix = screen.getByRole('region', { name: 'Link faults' });
    expect(
      (
        within(matrix).getByRole('textbox', {
          name: 'Drop % from node 3 to node 1',
        }) as HTMLInputElement
      ).value,
    ).toBe('25');
    expect(within(matrix).getByText('1 faulty link')).toBeTruthy();
    const drop = within(matrix).getByRole('textbox', { name: 'Drop % from node 2 to node 1' });
    await user.type(drop, '150');
    expect(within(matrix).getByRole('alert').textContent).toBe(
      'node 2 → node 1: drop must be a percent from 0 to 100',
    );
    expect(drop.getAttribute('aria-invalid')).toBe('true');
    expect(
      (within(matrix).getByRole('button', { name: 'Apply link faults' }) as HTMLButtonElement)
        .disabled,
    ).toBe(true);
    expect(() => linksFromCells([1, 2], { '1->2': { drop: '', delay: '1.5' } })).toThrow(
      /whole milliseconds/,
    );
  });
});

describe('replica checksums', () => {
  it('says all replicas agree', async () => {
    const api = new FakeApi();
    await renderApp(api, { settings: { tab: 'cluster' } });
    const panel = screen.getByRole('region', { name: 'Replica checksums' });
    await waitFor(() =>
      expect(within(panel).getByRole('status', { name: 'Checksum verdict' }).textContent).toBe(
        'All 3 replicas agree at index 40.',
      ),
    );
    expect(within(panel).getAllByText('agrees')).toHaveLength(3);
  });

  it('highlights a diverged replica, and reads again on demand', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.checksums = {
      replicas: [
        { nodeId: 1, appliedIndex: 40, checksum: 'aaaa' },
        { nodeId: 2, appliedIndex: 40, checksum: 'bbbb' },
        { nodeId: 3, appliedIndex: 40, checksum: 'aaaa' },
        { nodeId: 4, appliedIndex: null, checksum: null, error: 'the node is paused' },
      ],
      diverged: [2],
    };
    await renderApp(api, { settings: { tab: 'cluster' } });
    const panel = screen.getByRole('region', { name: 'Replica checksums' });
    const verdict = await within(panel).findByRole('status', { name: 'Checksum verdict' });
    expect(verdict.textContent).toBe(
      'Diverged: node 2 differs from the majority at the same applied index.',
    );
    const row = within(panel).getByRole('row', { name: /^Node 2 / });
    expect(row.className).toBe('diverged');
    expect(within(row).getByText('DIVERGED')).toBeTruthy();
    expect(within(panel).getByText('the node is paused')).toBeTruthy();
    const before = api.callsOf('getChecksums').length;
    await user.click(within(panel).getByRole('button', { name: 'Compare checksums' }));
    await waitFor(() => expect(api.callsOf('getChecksums')).toHaveLength(before + 1));
  });
});

describe('membership and timeline', () => {
  it('adds a node and removes one', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    await renderApp(api, { settings: { tab: 'cluster' } });
    await user.click(screen.getByRole('button', { name: 'Add node' }));
    await waitFor(() => expect(api.callsOf('addNode')).toHaveLength(1));
    // Removal deletes the node's data: it asks first, and "Keep it" changes nothing.
    await user.click(within(card(3)).getByRole('button', { name: 'Remove node 3' }));
    await user.click(within(card(3)).getByRole('button', { name: 'Keep it' }));
    expect(within(card(3)).queryByRole('group', { name: 'Confirm removal of node 3' })).toBeNull();
    await user.click(within(card(3)).getByRole('button', { name: 'Remove node 3' }));
    expect(api.callsOf('removeNode')).toHaveLength(0);
    const confirm = within(card(3)).getByRole('group', { name: 'Confirm removal of node 3' });
    await user.click(within(confirm).getByRole('button', { name: 'Yes, remove node 3' }));
    await waitFor(() => expect(api.callsOf('removeNode')).toHaveLength(1));
    expect(api.callsOf('removeNode')[0]?.args).toEqual([3]);
  });

  it('filters the timeline by kind of event', async () => {
    const user = userEvent.setup();
    const { stores } = await renderApp(new FakeApi(), { settings: { tab: 'cluster' } });
    act(() => {
      stores.events
        .getState()
        .push({ type: 'commit', seq: 1, at, leaderId: 1, term: 3, from: 4, to: 9 });
      stores.events
        .getState()
        .push({ type: 'fault', seq: 2, at, action: 'kill', nodeId: 2, ok: true });
      stores.events
        .getState()
        .push({ type: 'election', seq: 3, at, leaderId: 1, term: 3, durationMs: 300 });
    });
    const timeline = screen.getByRole('list', { name: 'Event timeline' });
    expect(within(timeline).getAllByRole('listitem')).toHaveLength(3);
    await user.click(screen.getByRole('checkbox', { name: 'Commits' }));
    expect(within(timeline).queryByText(/commit index 4 → 9/)).toBeNull();
    expect(within(timeline).getAllByRole('listitem')).toHaveLength(2);
    await user.click(screen.getByRole('checkbox', { name: 'Faults' }));
    await user.click(screen.getByRole('checkbox', { name: 'Elections and roles' }));
    expect(screen.getByText('No events of the kinds shown.')).toBeTruthy();
    await user.click(screen.getByRole('checkbox', { name: 'Commits' }));
    expect(screen.getByText(/commit index 4 → 9/)).toBeTruthy();
  });
});
