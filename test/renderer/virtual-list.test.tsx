// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LIST_ROW_HEIGHT } from '../../renderer/src/tasks/TaskList.js';
import { rowWindow } from '../../renderer/src/virtual/window.js';
import { FakeApi, makeTask } from './fake-api.js';
import { renderApp } from './setup.js';

afterEach(cleanup);

describe('virtualized task list', () => {
  it('renders only a window of 10,000 tasks, and follows the scroll', async () => {
    const api = new FakeApi(Array.from({ length: 10_000 }, (_, i) => makeTask(i + 1)));
    const { stores } = await renderApp(api);
    // Title order with numeric collation: row i holds "Task i+1".
    act(() => stores.ui.getState().setFilter({ sort: 'title' }));

    const list = await screen.findByRole('list', { name: 'Tasks' });
    // The filter is applied through useDeferredValue, so the new order may land a render later.
    await waitFor(() => expect(within(list).getByText('Task 1')).toBeTruthy());
    const rows = (): HTMLElement[] => within(list).getAllByRole('listitem');
    expect(screen.getByText('10000 tasks')).toBeTruthy();
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThan(40);
    expect(rows()[0]?.getAttribute('aria-setsize')).toBe('10000');
    // The scroll height is the whole list's, so the scrollbar is honest.
    expect(list.style.height).toBe(`${10_000 * LIST_ROW_HEIGHT}px`);
    expect(within(list).getByText('Task 1')).toBeTruthy();

    const viewport = screen.getByTestId('virtual-viewport');
    fireEvent.scroll(viewport, { target: { scrollTop: 5000 * LIST_ROW_HEIGHT } });
    expect(within(list).queryByText('Task 1')).toBeNull();
    expect(within(list).getByText('Task 5001')).toBeTruthy();
    expect(rows().length).toBeLessThan(40);
    const first = rows()[0];
    expect(Number(first?.getAttribute('aria-posinset'))).toBeGreaterThan(4990);
  });

  it('computes the window with overscan and clamps it to the list', () => {
    expect(rowWindow(0, 560, 56, 10_000, 5)).toEqual({ start: 0, end: 16 });
    expect(rowWindow(56 * 100, 560, 56, 10_000, 5)).toEqual({ start: 95, end: 116 });
    expect(rowWindow(56 * 20_000, 560, 56, 10_000, 5)).toEqual({ start: 9994, end: 10_000 });
    expect(rowWindow(0, 560, 56, 0, 5)).toEqual({ start: 0, end: 0 });
  });
});
