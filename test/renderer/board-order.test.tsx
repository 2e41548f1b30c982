// @vitest-environment jsdom
import { cleanup, createEvent, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { isStorablePosition, type Task } from '../../cluster/api/task.js';
import { POSITION_STEP, byPosition, placeAt, tooClose } from '../../renderer/src/tasks/order.js';
import { FakeApi, makeTask } from './fake-api.js';
import { renderApp } from './setup.js';

afterEach(cleanup);

const at = (n: number, position: number, over: Partial<Task> = {}): Task =>
  makeTask(n, { position, ...over });

describe('card order', () => {
  it('puts a card at the midpoint of its neighbours, or a step past either end', () => {
    const column = [at(1, 100), at(2, 200), at(3, 300)];
    expect(placeAt(column, 1)).toEqual({ position: 150, renumber: [] });
    expect(placeAt(column, 0)).toEqual({ position: 100 - POSITION_STEP, renumber: [] });
    expect(placeAt(column, 3)).toEqual({ position: 300 + POSITION_STEP, renumber: [] });
    expect(placeAt([], 0)).toEqual({ position: POSITION_STEP, renumber: [] });
  });

  it('renumbers the column when there is no room left between two cards', () => {
    const a = 1;
    const b = a + Number.EPSILON; // the next double after 1: no midpoint exists
    expect(tooClose(a, b)).toBe(true);
    const column = [at(1, a), at(2, b), at(3, 5)];
    const { position, renumber } = placeAt(column, 1);
    expect(position).toBe(2 * POSITION_STEP);
    expect(renumber).toEqual([
      { id: makeTask(1).id, position: POSITION_STEP },
      { id: makeTask(2).id, position: 3 * POSITION_STEP },
      { id: makeTask(3).id, position: 4 * POSITION_STEP },
    ]);
  });

  it('never places a card at a position the nodes refuse (near 0, or past 1e15)', () => {
    // Halving towards a card at 0 would reach denormal-like values under 1e-9.
    const near = placeAt([at(1, 0), at(2, 1e-11), at(3, 5)], 1);
    expect(isStorablePosition(near.position)).toBe(true);
    for (const r of near.renumber) expect(isStorablePosition(r.position)).toBe(true);
    const end = placeAt([at(1, 1e15 - 1)], 1);
    expect(isStorablePosition(end.position)).toBe(true);
    for (const r of end.renumber) expect(isStorablePosition(r.position)).toBe(true);
  });

  it('keeps halving for a long time before renumbering', () => {
    let lo = 0;
    const hi = POSITION_STEP;
    let n = 0;
    while (!tooClose(lo, hi)) {
      lo = placeAt([at(1, lo), at(2, hi)], 1).position;
      n++;
    }
    expect(n).toBeGreaterThan(30);
  });

  it('orders by position, then by creation', () => {
    const tasks = [at(3, 5), at(1, 7), at(2, 5)];
    expect(tasks.sort(byPosition).map((t) => t.title)).toEqual(['Task 2', 'Task 3', 'Task 1']);
  });
});

function cardTitles(region: HTMLElement): string[] {
  return within(region)
    .queryAllByRole('article')
    .map((a) => a.getAttribute('aria-label') ?? '');
}

/** jsdom has no DragEvent, so clientY must be put on the event by hand. */
function dropAt(target: HTMLElement, dataTransfer: ReturnType<typeof dragData>, clientY: number) {
  const event = createEvent.drop(target, { dataTransfer });
  Object.defineProperty(event, 'clientY', { value: clientY });
  fireEvent(target, event);
}

function dragData() {
  const data = new Map<string, string>();
  return {
    setData: (k: string, v: string) => data.set(k, v),
    getData: (k: string) => data.get(k) ?? '',
    effectAllowed: 'all',
    dropEffect: 'none',
  };
}

describe('board ordering', () => {
  it('shows each column in position order and reorders by drag and drop', async () => {
    const api = new FakeApi([at(1, 300), at(2, 100), at(3, 200)]);
    await renderApp(api, { settings: { view: 'board' } });
    const todo = screen.getByRole('region', { name: /To do/ });
    expect(cardTitles(todo)).toEqual(['Task 2', 'Task 3', 'Task 1']);

    // Task 1 dropped on the upper half of Task 3 (jsdom's rects are all zero: clientY -1 is above
    // the middle): between Task 2 and Task 3.
    const dataTransfer = dragData();
    fireEvent.dragStart(within(todo).getByRole('article', { name: 'Task 1' }), { dataTransfer });
    dropAt(within(todo).getByRole('article', { name: 'Task 3' }), dataTransfer, -1);
    expect(cardTitles(todo)).toEqual(['Task 2', 'Task 1', 'Task 3']);
    await waitFor(() => expect(api.tasks.get(makeTask(1).id)?.position).toBe(150));
    expect(api.callsOf('updateTask').at(-1)?.args[1]).toEqual({ position: 150 });
  });

  it('drops onto a card of another column: status and position in one PATCH', async () => {
    const api = new FakeApi([
      at(1, 100),
      at(2, 100, { status: 'done' }),
      at(3, 200, { status: 'done' }),
    ]);
    await renderApp(api, { settings: { view: 'board' } });
    const todo = screen.getByRole('region', { name: /To do/ });
    const done = screen.getByRole('region', { name: /Done/ });
    const dataTransfer = dragData();
    fireEvent.dragStart(within(todo).getByRole('article', { name: 'Task 1' }), { dataTransfer });
    // The lower half of Task 2: after it.
    dropAt(within(done).getByRole('article', { name: 'Task 2' }), dataTransfer, 1);
    expect(cardTitles(done)).toEqual(['Task 2', 'Task 1', 'Task 3']);
    await waitFor(() =>
      expect(api.callsOf('updateTask').at(-1)?.args[1]).toEqual({ status: 'done', position: 150 }),
    );
  });

  it('moves the focused card with Alt+ArrowUp / Alt+ArrowDown', async () => {
    const api = new FakeApi([at(1, 100), at(2, 200), at(3, 300)]);
    await renderApp(api, { settings: { view: 'board' } });
    const todo = screen.getByRole('region', { name: /To do/ });
    const card = within(todo).getByRole('article', { name: 'Task 3' });
    card.focus();
    fireEvent.keyDown(card, { key: 'ArrowUp', altKey: true });
    expect(cardTitles(todo)).toEqual(['Task 1', 'Task 3', 'Task 2']);
    fireEvent.keyDown(within(todo).getByRole('article', { name: 'Task 3' }), {
      key: 'ArrowUp',
      altKey: true,
    });
    expect(cardTitles(todo)).toEqual(['Task 3', 'Task 1', 'Task 2']);
    // At the top already: nothing sent.
    fireEvent.keyDown(within(todo).getByRole('article', { name: 'Task 3' }), {
      key: 'ArrowUp',
      altKey: true,
    });
    await waitFor(() => expect(api.tasks.get(makeTask(3).id)?.position).toBe(100 - 1024));
    expect(api.callsOf('updateTask').map((c) => c.args[1])).toEqual([
      { position: 150 },
      { position: 100 - 1024 },
    ]);
  });
});

describe('how a reorder reads in the changes panel', () => {
  it('is a move with a new column, a reorder without', async () => {
    const { describeChange } = await import('../../renderer/src/store/changes.js');
    const base = {
      id: 'c1',
      key: 'k',
      taskId: 't',
      title: 'Card',
      createdAt: 0,
      kind: 'update' as const,
      state: { phase: 'scheduled' as const, until: 0 },
    };
    expect(describeChange({ ...base, patch: { status: 'done', position: 5 } })).toBe(
      'Move “Card” to Done',
    );
    expect(describeChange({ ...base, patch: { position: 5 } })).toBe('Reorder “Card”');
    expect(describeChange({ ...base, patch: { title: 'x', position: 5 } })).toBe('Edit “Card”');
  });
});
