// @vitest-environment jsdom
/**
 * The Lessons tab over a toy cluster: choose a lesson, do its steps with the buttons, see what it
 * waits for and what happened (with the real node ids), finish it and see what was put back.
 */
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/src/App.js';
import { ModelCluster } from './lessons-model.js';
import { testStores } from './setup.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function open(model: ModelCluster) {
  const stores = testStores(model, { settings: { tab: 'lessons' } });
  await stores.cluster.getState().refresh();
  // The window's event stream: each status the model pushes reaches the cluster store.
  model.listeners.add((s) => stores.cluster.getState().setStatus(s));
  render(<App stores={stores} />);
  return { stores, user: userEvent.setup() };
}

const progress = () => screen.getByRole('status', { name: 'Lesson progress' });
const step = () => screen.getByRole('region', { name: 'Lesson step' });

describe('the Lessons view', () => {
  it('lists the lessons and the live nodes', async () => {
    await open(new ModelCluster());
    const list = screen.getByRole('list', { name: 'Lessons to choose' });
    const names = within(list)
      .getAllByRole('button')
      .map((b) => b.textContent);
    expect(names).toEqual([
      'Leader election',
      'Log replication',
      'Leader crash and recovery',
      'Partition: no split brain',
      'Figure 8: replicated is not committed',
    ]);
    const table = screen.getByRole('table', { name: 'Live cluster' });
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(within(table).getByRole('row', { name: /^1 running leader 3 40/ })).toBeTruthy();
  });

  it('runs the leader election lesson with the buttons, to the end', async () => {
    const model = new ModelCluster();
    const { user } = await open(model);
    await user.click(screen.getByRole('button', { name: 'Leader election' }));
    expect(screen.getByText('Step 1 of 3')).toBeTruthy();
    expect(within(step()).getByLabelText('What happened').textContent).toMatch(
      /^Node 1 is the leader of term 3/,
    );
    await user.click(screen.getByRole('button', { name: 'Next' }));

    // Hold the election back: the window first sees node 1 paused and nobody leading.
    const realSettle = model.settle.bind(model);
    model.settle = () => undefined;
    await user.click(screen.getByRole('button', { name: 'Pause node 1' }));
    expect(model.callsOf('nodeAction').map((c) => c.args)).toEqual([[1, 'pause']]);
    act(() => void model.push());
    expect(progress().textContent).toBe(
      'Waiting for a node other than 1 to win an election in a term above 3',
    );
    expect(screen.getByRole('button', { name: 'Next' })).toHaveProperty('disabled', true);
    model.settle = realSettle;
    model.settle();
    act(() => void model.push());
    expect(progress().textContent).toBe('Done.');
    expect(within(step()).getByLabelText('What happened').textContent).toMatch(
      /^Node 2 won term 4/,
    );

    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Resume node 1' }));
    act(() => void model.push());
    expect(within(step()).getByLabelText('What happened').textContent).toMatch(
      /^Node 1 learned term 4 from node 2/,
    );
    await user.click(screen.getByRole('button', { name: 'Finish' }));
    expect(screen.getByRole('status', { name: 'Lesson finished' }).textContent).toMatch(
      /Lesson complete\. Nothing needed putting back\./,
    );
    // What the lesson did, in words.
    const log = screen.getByText(/What this lesson did to the cluster/).closest('details');
    expect(log?.textContent).toMatch(/n1 paused.*n1 resumed/s);
  });

  it('Leave lesson puts back what it did and shows the list again', async () => {
    const model = new ModelCluster();
    const { user } = await open(model);
    await user.click(screen.getByRole('button', { name: 'Partition: no split brain' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Isolate node 1' }));
    expect(model.callsOf('setNetwork')[0]?.args).toEqual([{ partitions: [[2, 3], [1]] }]);
    await user.click(screen.getByRole('button', { name: 'Leave lesson' }));
    expect(model.callsOf('healNetwork')).toHaveLength(1);
    expect(await screen.findByText('Put back: healed the network.')).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Lessons to choose' })).toBeTruthy();
  });

  it('shows a failed action and lets the user try again', async () => {
    const model = new ModelCluster();
    const { user } = await open(model);
    model.nodeAction = async () => {
      throw new Error('n1 is stopped: cannot pause it');
    };
    await user.click(screen.getByRole('button', { name: 'Leader election' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Pause node 1' }));
    expect(screen.getByRole('alert').textContent).toBe('n1 is stopped: cannot pause it');
    expect(screen.getByRole('button', { name: 'Try again: Pause node 1' })).toBeTruthy();
  });

  it('keeps the lesson going while another tab is shown', async () => {
    const model = new ModelCluster();
    const { stores, user } = await open(model);
    await user.click(screen.getByRole('button', { name: 'Log replication' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    act(() => stores.settings.getState().update({ tab: 'cluster' }));
    expect(screen.queryByRole('region', { name: 'Lesson step' })).toBeNull();
    act(() => stores.settings.getState().update({ tab: 'lessons' }));
    expect(within(step()).getByRole('heading').textContent).toBe('Write a task');
  });

  it('says what usually holds a step up after 30 s of waiting', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const model = new ModelCluster();
    await open(model);
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.click(screen.getByRole('button', { name: 'Leader election' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    model.settle = () => undefined; // nobody gets elected
    await user.click(screen.getByRole('button', { name: 'Pause node 1' }));
    act(() => void model.push());
    expect(progress().textContent).toMatch(/^Waiting for/);
    expect(screen.queryByText(/This is taking a while/)).toBeNull();
    act(() => void vi.advanceTimersByTime(30_000));
    expect(screen.getByText(/This is taking a while/).textContent).toMatch(
      /a majority of nodes running/,
    );
  });
});
