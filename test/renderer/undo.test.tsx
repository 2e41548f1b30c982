// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportDocument } from '../../cluster/api/node.js';
import type { Task } from '../../cluster/api/task.js';
import type { ImportBody, WriteOptions } from '../../renderer/src/api/types.js';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import { isUndoKey } from '../../renderer/src/shell/undo-shortcut.js';
import { createUndoStore } from '../../renderer/src/store/undo.js';
import { FakeApi, makeTask } from './fake-api.js';
import { ManualClock } from './manual-clock.js';
import { renderApp, testStores } from './setup.js';

afterEach(cleanup);

const keyOf = (c: { args: readonly unknown[] }): string =>
  (c.args[c.args.length - 1] as WriteOptions).idempotencyKey;

/** The fake's import as the node does it for a Raftboard document: rows as given, ids kept. */
function acceptImports(api: FakeApi): ImportBody[] {
  const seen: ImportBody[] = [];
  api.importData = (body, o) => {
    api.calls.push({ method: 'importData', args: [body, o] });
    seen.push(body);
    const taskIds: string[] = [];
    if (body.kind === 'json') {
      for (const t of (body.document as ExportDocument).tasks) {
        if (api.tasks.has(t.id)) continue;
        api.tasks.set(t.id, { ...t, version: 1, raftIndex: ++api.index });
        taskIds.push(t.id);
      }
    }
    return Promise.resolve({
      projects: 0,
      tasks: taskIds.length,
      skipped: 0,
      taskIds,
      projectIds: [],
      raftIndex: api.index,
      servedBy: 1,
    });
  };
  return seen;
}

describe('undo store', () => {
  it('keeps an entry for 10 s, and undoes the newest first', async () => {
    const clock = new ManualClock();
    const undo = createUndoStore({ clock });
    const done: string[] = [];
    undo.getState().record('A.', 'Undo A', () => void done.push('a'));
    clock.advance(4000);
    undo.getState().record('B.', 'Undo B', () => void done.push('b'));
    expect(undo.getState().undoLast()).toBe(true);
    await Promise.resolve();
    expect(done).toEqual(['b']);
    expect(undo.getState().entries.map((e) => e.text)).toEqual(['A.']);
    clock.advance(6000);
    expect(undo.getState().entries).toEqual([]);
    expect(undo.getState().undoLast()).toBe(false);
  });

  it('shows why an undo failed', async () => {
    const undo = createUndoStore({ clock: new ManualClock() });
    const id = undo.getState().record('A.', 'Undo A', () => {
      throw new Error('gone');
    });
    await undo.getState().undo(id);
    expect(undo.getState().entries[0]).toMatchObject({ phase: 'failed', error: 'gone' });
  });

  it('knows Ctrl+Z from Cmd+Z by platform', () => {
    const ctrl = new KeyboardEvent('keydown', { key: 'z', ctrlKey: true });
    const cmd = new KeyboardEvent('keydown', { key: 'z', metaKey: true });
    expect(isUndoKey(ctrl, false)).toBe(true);
    expect(isUndoKey(cmd, false)).toBe(false);
    expect(isUndoKey(cmd, true)).toBe(true);
    expect(
      isUndoKey(new KeyboardEvent('keydown', { key: 'Z', ctrlKey: true, shiftKey: true }), false),
    ).toBe(false);
  });
});

describe('undo of changes', () => {
  it('undoes an edit from its toast, as a new change with a fresh key', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([makeTask(1)]);
    const { stores } = await renderApp(api);
    const id = makeTask(1).id;
    stores.tasks.getState().updateTask(id, { title: 'Renamed', priority: 'high' });
    await waitFor(() => expect(api.tasks.get(id)?.title).toBe('Renamed'));
    expect(screen.getByText('Edited “Task 1”.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Undo edit of “Task 1”' }));
    await waitFor(() => expect(api.tasks.get(id)?.title).toBe('Task 1'));
    const [edit, back] = api.callsOf('updateTask');
    expect(back?.args[1]).toEqual({ title: 'Task 1', priority: 'medium' });
    expect(keyOf(back ?? edit!)).not.toBe(keyOf(edit!));
    // The undo is not itself undoable: no toast left.
    await waitFor(() => expect(stores.undo.getState().entries).toEqual([]));
  });

  it('Ctrl+Z undoes the last change (a move to Done) but not while typing', async () => {
    const api = new FakeApi([makeTask(1)]);
    const { stores } = await renderApp(api);
    const id = makeTask(1).id;
    stores.tasks.getState().moveTask(id, 'done');
    await waitFor(() => expect(api.tasks.get(id)?.status).toBe('done'));
    expect(screen.getByText('Completed “Task 1”.')).toBeTruthy();

    const search = screen.getByRole('searchbox');
    fireEvent.keyDown(search, { key: 'z', ctrlKey: true });
    expect(stores.undo.getState().entries).toHaveLength(1);

    fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(api.tasks.get(id)?.status).toBe('todo'));
  });

  it('undoes a recurring completion: the task reopens with its rule, the next one goes', async () => {
    const api = new FakeApi([
      {
        ...makeTask(1),
        dueDate: '2026-12-04',
        recurrence: { rrule: 'FREQ=WEEKLY', from: 'due' },
      },
    ]);
    const { stores } = await renderApp(api);
    const id = makeTask(1).id;
    stores.tasks.getState().moveTask(id, 'done');
    await waitFor(() => expect(api.tasks.size).toBe(2));
    const nextId = [...api.tasks.keys()].find((k) => k !== id)!;

    fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(api.tasks.has(nextId)).toBe(false));
    await waitFor(() => expect(api.tasks.get(id)?.status).toBe('todo'));
    expect(api.tasks.get(id)?.recurrence).toEqual({ rrule: 'FREQ=WEEKLY', from: 'due' });
    // The undo is not itself undoable.
    await waitFor(() => expect(stores.undo.getState().entries).toEqual([]));
  });

  it('keeps the next occurrence when the reopen of a recurring task is refused', async () => {
    const api = new FakeApi([
      {
        ...makeTask(1),
        dueDate: '2026-12-04',
        recurrence: { rrule: 'FREQ=WEEKLY', from: 'due' },
      },
    ]);
    const { stores } = await renderApp(api);
    const id = makeTask(1).id;
    stores.tasks.getState().moveTask(id, 'done');
    await waitFor(() => expect(api.tasks.size).toBe(2));
    const nextId = [...api.tasks.keys()].find((k) => k !== id)!;

    // Someone else changed the task meanwhile: the reopen is refused.
    api.writeFailures.push(new ApiRequestError(409, 'version_conflict', 'task is at version 3'));
    fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(api.callsOf('updateTask')).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 50));
    // The series lives on in the occurrence: it was not deleted.
    expect(api.tasks.has(nextId)).toBe(true);
    expect(api.callsOf('deleteTask')).toHaveLength(0);
  });

  it('undoes a reorder that renumbered its column as one action', async () => {
    const tasks: Task[] = [
      makeTask(1, { position: 1 }),
      makeTask(2, { position: 1 + Number.EPSILON }),
      makeTask(3, { position: 5 }),
    ];
    const api = new FakeApi(tasks);
    const stores = testStores(api);
    await stores.tasks.getState().loadTasks();
    const { moveCard } = await import('../../renderer/src/tasks/reorder.js');
    const shown = Object.values(stores.tasks.getState().tasks);
    expect(moveCard(stores.tasks, shown, makeTask(3).id, 'todo', 1)).toBe(true);
    await Promise.resolve();
    expect(stores.undo.getState().entries.map((e) => e.text)).toEqual(['Moved “Task 3”.']);
    await waitFor(() => expect(api.callsOf('updateTask')).toHaveLength(3));
    await waitFor(() =>
      expect(stores.tasks.getState().changes.every((c) => c.state.phase === 'committed')).toBe(
        true,
      ),
    );

    await act(() => stores.undo.getState().undo(stores.undo.getState().entries[0]!.id));
    await waitFor(() =>
      expect(tasks.map((t) => api.tasks.get(t.id)?.position)).toEqual([1, 1 + Number.EPSILON, 5]),
    );
  });

  it('undoes a delete inside its window without sending anything', async () => {
    const api = new FakeApi([makeTask(1)]);
    const stores = testStores(api, { settings: { undoMs: 60_000 } });
    await stores.tasks.getState().loadTasks();
    stores.tasks.getState().deleteTask(makeTask(1).id);
    await Promise.resolve();
    expect(stores.undo.getState().undoLast()).toBe(true);
    await waitFor(() => expect(stores.undo.getState().entries).toEqual([]));
    expect(stores.tasks.getState().changes).toEqual([]);
    expect(api.callsOf('deleteTask')).toHaveLength(0);
  });

  it('undoes a sent delete by writing the task and its subtasks back with their ids', async () => {
    const parent = makeTask(1);
    const child = makeTask(2, { parentId: parent.id });
    const grandchild = makeTask(3, { parentId: child.id });
    const api = new FakeApi([grandchild, parent, child, makeTask(4)]);
    const imports = acceptImports(api);
    // The node deletes the subtasks in the same entry, and says which.
    const plainDelete = api.deleteTask.bind(api);
    api.deleteTask = async (id, o) => {
      const res = await plainDelete(id, o);
      api.tasks.delete(child.id);
      api.tasks.delete(grandchild.id);
      return { ...res, deletedIds: [id, child.id, grandchild.id] };
    };
    const stores = testStores(api);
    await stores.tasks.getState().loadTasks();
    stores.tasks.getState().deleteTask(parent.id);
    await waitFor(() => expect(api.tasks.size).toBe(1));
    await waitFor(() => expect(Object.keys(stores.tasks.getState().tasks)).toHaveLength(1));
    expect(stores.undo.getState().entries[0]?.text).toBe('Deleted “Task 1” and 2 subtasks.');

    await stores.undo.getState().undo(stores.undo.getState().entries[0]!.id);
    const doc = (imports[0] as { document: ExportDocument }).document;
    expect(doc.tasks.map((t) => t.id)).toEqual([parent.id, child.id, grandchild.id]);
    expect(doc.tasks[1]).toMatchObject({ title: 'Task 2', parentId: parent.id });
    const importKey = keyOf(api.callsOf('importData')[0]!);
    expect(importKey).not.toBe(keyOf(api.callsOf('deleteTask')[0]!));
    expect(Object.keys(stores.tasks.getState().tasks)).toHaveLength(4);
  });
});
