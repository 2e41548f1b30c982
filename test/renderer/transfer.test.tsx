// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ShellCommand } from '../../cluster/api/bridge.js';
import type { ExportDocument } from '../../cluster/api/node.js';
import type { Project } from '../../cluster/api/task.js';
import type { ImportBody } from '../../renderer/src/api/types.js';
import { exportName } from '../../renderer/src/transfer/download.js';
import { listenToShell, runShellCommand } from '../../renderer/src/transfer/shell-commands.js';
import { importBody } from '../../renderer/src/transfer/transfer.js';
import { FakeApi, makeTask } from './fake-api.js';
import { renderApp, testStores } from './setup.js';

afterEach(cleanup);

const project: Project = {
  id: 'p-1',
  name: 'Home',
  color: null,
  position: 1,
  version: 1,
  createdAt: '2026-01-05T09:00:00.000Z',
  updatedAt: '2026-01-05T09:00:00.000Z',
};

/** The fake's import, export and projects as the node answers them. */
function withTransfer(api: FakeApi, duringImport?: () => void) {
  const projects: Project[] = [];
  const bodies: ImportBody[] = [];
  api.listProjects = () =>
    Promise.resolve({
      projects: [...projects],
      consistency: 'linearizable',
      servedBy: 1,
      appliedIndex: api.index,
      commitIndex: api.index,
    });
  api.deleteProject = (id, tasks, o) => {
    api.calls.push({ method: 'deleteProject', args: [id, tasks, o] });
    projects.splice(
      projects.findIndex((p) => p.id === id),
      1,
    );
    return Promise.resolve({ project: null, raftIndex: ++api.index, term: 3, servedBy: 1 });
  };
  api.importData = (body, o) => {
    api.calls.push({ method: 'importData', args: [body, o] });
    bodies.push(body);
    const parent = makeTask(7, { title: 'Imported', projectId: project.id });
    const child = makeTask(8, { title: 'Imported child', parentId: parent.id });
    api.tasks.set(parent.id, parent);
    api.tasks.set(child.id, child);
    projects.push(project);
    duringImport?.();
    return Promise.resolve({
      projects: 1,
      tasks: 2,
      skipped: 1,
      taskIds: [parent.id, child.id],
      projectIds: [project.id],
      raftIndex: ++api.index,
      servedBy: 1,
    });
  };
  const doc: ExportDocument = {
    format: 'raftboard/1',
    exportedAt: '2026-01-05T09:00:00.000Z',
    projects: [],
    tasks: [makeTask(1)],
  };
  api.exportData = () => Promise.resolve(doc);
  api.exportCsv = () => Promise.resolve('title\r\nTask 1\r\n');
  return { projects, bodies };
}

describe('import and export', () => {
  it('tells JSON from CSV by name, then by content', () => {
    expect(importBody('a.json', '{"format":"raftboard/1"}')).toEqual({
      kind: 'json',
      document: { format: 'raftboard/1' },
    });
    expect(importBody('todoist.csv', 'TYPE,CONTENT\n')).toEqual({
      kind: 'csv',
      text: 'TYPE,CONTENT\n',
    });
    expect(importBody('export', ' {"a":1}')).toMatchObject({ kind: 'json' });
    expect(() => importBody('a.json', '{oops')).toThrow(/a.json is not valid JSON/);
    expect(exportName('csv', new Date(2026, 0, 5))).toBe('raftboard-2026-01-05.csv');
  });

  it('imports a picked file, shows the counts, and Undo deletes what it created', async () => {
    const user = userEvent.setup();
    const api = new FakeApi([makeTask(1)]);
    const { projects, bodies } = withTransfer(api);
    const { stores } = await renderApp(api);
    const file = new File(['{"format":"raftboard/1","projects":[],"tasks":[]}'], 'backup.json', {
      type: 'application/json',
    });
    await user.upload(screen.getByLabelText('Import file'), file);

    await waitFor(() =>
      expect(screen.getByText('Imported 2 tasks and 1 project; 1 skipped.')).toBeTruthy(),
    );
    expect(bodies[0]).toEqual({
      kind: 'json',
      document: { format: 'raftboard/1', projects: [], tasks: [] },
    });
    const titles = Object.values(stores.tasks.getState().tasks).map((t) => t.title);
    expect(titles).toContain('Imported child');

    await user.click(screen.getByRole('button', { name: 'Undo import' }));
    await waitFor(() => expect(api.tasks.has(makeTask(7).id)).toBe(false));
    // The parent only: its subtask goes with it.
    expect(api.callsOf('deleteTask').map((c) => c.args[0])).toEqual([makeTask(7).id]);
    expect(api.callsOf('deleteProject').map((c) => c.args.slice(0, 2))).toEqual([['p-1', 'keep']]);
    expect(projects).toEqual([]);
  });

  it('Undo deletes only what the import wrote, not a task someone else made meanwhile', async () => {
    const api = new FakeApi([makeTask(1)]);
    const theirs = makeTask(9, { title: 'Made elsewhere during the import' });
    const other: Project = { ...project, id: 'p-2', name: 'Theirs' };
    const { projects } = withTransfer(api, () => {
      api.tasks.set(theirs.id, theirs);
      projects.push(other);
    });
    const stores = testStores(api);
    await runShellCommand(stores, { type: 'import', name: 'backup.json', text: '{}' });
    const entry = stores.undo.getState().entries.at(-1);
    expect(entry?.undoLabel).toBe('Undo import');
    await stores.undo.getState().undo(entry!.id);
    await waitFor(() => expect(api.tasks.has(makeTask(7).id)).toBe(false));
    expect(api.tasks.has(theirs.id)).toBe(true);
    expect(api.callsOf('deleteTask').map((c) => c.args[0])).toEqual([makeTask(7).id]);
    expect(api.callsOf('deleteProject').map((c) => c.args[0])).toEqual(['p-1']);
    expect(projects).toEqual([other]);
  });

  it('exports JSON and CSV as downloads', async () => {
    const api = new FakeApi([makeTask(1)]);
    withTransfer(api);
    const blobs: Blob[] = [];
    const names: string[] = [];
    URL.createObjectURL = (b: Blob) => {
      blobs.push(b);
      return `blob:${blobs.length}`;
    };
    URL.revokeObjectURL = () => undefined;
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      names.push(this.download);
    });
    await renderApp(api);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    await waitFor(() => expect(names).toHaveLength(1));
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Export CSV' }).hasAttribute('disabled')).toBe(
        false,
      ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(names).toHaveLength(2));
    expect(names[0]).toMatch(/^raftboard-\d{4}-\d{2}-\d{2}\.json$/);
    expect(names[1]).toMatch(/\.csv$/);
    expect(JSON.parse(await blobs[0]!.text())).toMatchObject({ format: 'raftboard/1' });
    expect(await blobs[1]!.text()).toBe('title\r\nTask 1\r\n');
    click.mockRestore();
  });
});

describe('commands from the app menu', () => {
  it('imports what the main process read, and shows a bad file as a notice', async () => {
    const api = new FakeApi([makeTask(1)]);
    const { bodies } = withTransfer(api);
    const stores = testStores(api);
    await runShellCommand(stores, { type: 'import', name: 'todoist.csv', text: 'TYPE,CONTENT\n' });
    expect(bodies).toEqual([{ kind: 'csv', text: 'TYPE,CONTENT\n' }]);
    expect(stores.undo.getState().entries.map((e) => e.undoLabel)).toEqual(['Undo import']);

    await runShellCommand(stores, { type: 'import', name: 'broken.json', text: '{' });
    expect(stores.undo.getState().entries.at(-1)).toMatchObject({
      phase: 'notice',
      text: expect.stringMatching(/broken.json is not valid JSON/),
    });
  });

  it('subscribes only where the shell offers commands', () => {
    const api = new FakeApi();
    const stores = testStores(api);
    let handler: ((c: ShellCommand) => void) | undefined;
    const win = {
      raftboardShell: {
        onCommand: (h: (c: ShellCommand) => void) => {
          handler = h;
          return () => undefined;
        },
      },
    } as unknown as Window;
    listenToShell(stores, win);
    const opened: string[] = [];
    stores.reminders.setState({ open: (key) => void opened.push(key) });
    handler?.({ type: 'notification-click', tag: 't@1' });
    expect(opened).toEqual(['t@1']);
    expect(listenToShell(stores, {} as Window)).toBeTypeOf('function');
  });
});
