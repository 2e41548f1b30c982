// @vitest-environment jsdom
// The Metrics tab over a fake API: the summaries beside the charts follow the event stream and
// this window's writes, and the slow-motion slider asks the cluster and shows what it answers.
// jsdom has no canvas, so the charts themselves are drawn and checked in test/e2e/metrics.test.ts.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult, ClusterEvent } from '../../cluster/api/control.js';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import { App } from '../../renderer/src/App.js';
import { SlowMotionControl, nearestStep } from '../../renderer/src/shell/SlowMotion.js';
import { StoresProvider } from '../../renderer/src/store/context.js';
import { FakeApi } from './fake-api.js';
import { testStores } from './setup.js';

beforeAll(() => {
  // jsdom would log "not implemented" for every canvas; say plainly there is none.
  HTMLCanvasElement.prototype.getContext = () => null;
});
afterEach(cleanup);

let seq = 1000;
function event(body: Record<string, unknown>, agoMs: number): ClusterEvent {
  return { seq: ++seq, at: new Date(Date.now() - agoMs).toISOString(), ...body } as ClusterEvent;
}

function summaryOf(title: string): string {
  const fig = screen.getByRole('figure', { name: title });
  return fig.querySelector('.metric-summary')?.textContent ?? '';
}

async function openMetrics(api: FakeApi) {
  const stores = testStores(api, { settings: { tab: 'metrics' } });
  await stores.cluster.getState().refresh();
  stores.events.getState().setConnection('open');
  const unsubscribe = api.subscribeEvents({ onEvent: (e) => stores.events.getState().push(e) });
  const view = render(<App stores={stores} />);
  return { stores, unsubscribe, ...view };
}

function slowApi(api: FakeApi, answer: (factor: number) => Promise<ActionResult>): number[] {
  const asked: number[] = [];
  api.setSlow = (factor) => {
    asked.push(factor);
    return answer(factor);
  };
  return asked;
}

describe('metrics view', () => {
  it('says in words what each chart shows: throughput and elections from the events', async () => {
    const api = new FakeApi();
    const { stores } = await openMetrics(api);
    expect(screen.getByRole('region', { name: 'Metrics' })).toBeTruthy();
    expect(summaryOf('Throughput')).toMatch(
      /^0 entries\/s .*; 0 entries committed in the last 2 min\.$/,
    );
    expect(summaryOf('Elections')).toMatch(/0 elections in the last 2 min\.$/);

    act(() => {
      api.eventHandlers?.onEvent(
        event({ type: 'election', leaderId: 2, term: 7, durationMs: 640 }, 2500),
      );
      api.eventHandlers?.onEvent(
        event({ type: 'commit', leaderId: 2, term: 7, from: 40, to: 52 }, 2000),
      );
      api.eventHandlers?.onEvent(
        event({ type: 'commit', leaderId: 2, term: 7, from: 52, to: 55 }, 1500),
      );
      stores.metrics.getState().tick();
    });
    expect(summaryOf('Throughput')).toMatch(
      /^3 entries\/s committed \(average of the last 5 s\); 15 entries committed in the last 2 min\.$/,
    );
    expect(summaryOf('Elections')).toMatch(
      /^Term 7, leader node 2\. 1 election in the last 2 min; the last: node 2 became leader of term 7 at \d\d:\d\d:\d\d after 640 ms without a leader\.$/,
    );
    // The figure is described by its summary, so a screen reader reads the numbers with it.
    const fig = screen.getByRole('figure', { name: 'Throughput' });
    expect(fig.getAttribute('aria-describedby')).toBe(
      fig.querySelector('.metric-summary')?.getAttribute('id'),
    );
    expect(within(fig).getByText(/charts/)).toBeTruthy(); // no canvas here: said so
  });

  it('times this window’s own writes from pending to committed', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    const { stores } = await openMetrics(api);
    expect(summaryOf('Commit latency')).toMatch(/^No write from this window committed/);

    act(() => stores.ui.getState().openForm({ mode: 'create' }));
    // The form lives on the tasks tab; writing from there is what the user does.
    act(() => stores.settings.getState().update({ tab: 'tasks' }));
    api.holding = true;
    await user.type(screen.getByLabelText('Title'), 'Measured');
    await user.click(screen.getByRole('button', { name: 'Create task' }));
    await new Promise((r) => setTimeout(r, 120));
    act(() => api.release());
    await waitFor(() => expect(stores.tasks.getState().changes[0]?.state.phase).toBe('committed'));
    act(() => stores.settings.getState().update({ tab: 'metrics' }));
    // The second it committed in must be over before it is charted; the view ticks each second.
    await waitFor(() => expect(summaryOf('Commit latency')).toMatch(/over 1 write /), {
      timeout: 3000,
    });
    const m = /^Median (\d+) ms, max (\d+) ms/.exec(summaryOf('Commit latency'));
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(100);
    expect(m?.[2]).toBe(m?.[1]);
  });

  it('the slow-motion slider asks once the user settles, then shows what the cluster reports', async () => {
    const api = new FakeApi();
    const asked = slowApi(api, (factor) => {
      api.cluster = { ...api.cluster, slow: factor };
      return Promise.resolve({ ok: true, action: 'slow', message: `slow ${factor}` });
    });
    await openMetrics(api);
    const slider = screen.getByRole('slider', { name: 'Slow motion' });
    expect(slider.getAttribute('aria-valuetext')).toBe('1× (normal speed)');
    expect(screen.getByText('Raft timers 1× (normal speed)')).toBeTruthy();

    // Moving through 2× to 5× sends one request, for where the slider stopped.
    fireEvent.change(slider, { target: { value: '1' } });
    fireEvent.change(slider, { target: { value: '2' } });
    expect(slider.getAttribute('aria-valuetext')).toBe('5× slower');
    await waitFor(() => expect(screen.getByText('Raft timers 5× slower')).toBeTruthy());
    expect(asked).toEqual([5]);
    expect(slider.getAttribute('aria-valuetext')).toBe('5× slower');
  });

  it('a refused slow-motion change says why and the slider goes back to the cluster’s factor', async () => {
    const api = new FakeApi();
    api.cluster = { ...api.cluster, slow: 2 };
    const asked = slowApi(api, () =>
      Promise.reject(
        new ApiRequestError(409, 'conflict' as never, 'a membership change is running'),
      ),
    );
    await openMetrics(api);
    const slider = screen.getByRole('slider', { name: 'Slow motion' });
    expect(slider.getAttribute('aria-valuetext')).toBe('2× slower');
    fireEvent.change(slider, { target: { value: '4' } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'Could not set slow motion to 20×: a membership change is running',
    );
    expect(asked).toEqual([20]);
    expect(slider.getAttribute('aria-valuetext')).toBe('2× slower');
    expect(screen.getByText('Raft timers 2× slower')).toBeTruthy();
  });

  it('the slider stands alone for other views, and places odd factors at the nearest step', async () => {
    const api = new FakeApi();
    api.cluster = { ...api.cluster, slow: 0.4 };
    const stores = testStores(api);
    await stores.cluster.getState().refresh();
    render(
      <StoresProvider stores={stores}>
        <SlowMotionControl />
      </StoresProvider>,
    );
    expect(screen.getByRole('group', { name: 'Slow motion' })).toBeTruthy();
    expect(screen.getByText('Raft timers 0.4× (faster than normal)')).toBeTruthy();
    const slider = screen.getByRole('slider', { name: 'Slow motion' }) as HTMLInputElement;
    expect(slider.value).toBe('0');
    expect(slider.getAttribute('aria-valuetext')).toBe('0.4× (faster than normal)');
    expect([0.4, 1, 1.6, 3, 8, 12, 30].map(nearestStep)).toEqual([0, 0, 1, 1, 3, 3, 4]);
  });
});
