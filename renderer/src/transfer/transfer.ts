/**
 * Export (a Raftboard JSON document or a CSV of the tasks) and import (either, or a Todoist CSV)
 * for the window. An import is undoable for 10 s like any change: the undo deletes what it
 * created: exactly the ids the node answered (never a task someone else made meanwhile).
 */
import type { ImportResponse } from '../../../cluster/api/node.js';
import type { Task } from '../../../cluster/api/task.js';
import { newIdempotencyKey } from '../api/keys.js';
import type { ImportBody } from '../api/types.js';
import type { Stores } from '../store/stores.js';
import { downloadText, exportName } from './download.js';

export type ExportFormat = 'json' | 'csv';

export async function exportAs(stores: Stores, format: ExportFormat): Promise<void> {
  if (format === 'json') {
    const doc = await stores.api.exportData();
    downloadText(exportName('json'), 'application/json', `${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const csv = await stores.api.exportCsv();
    downloadText(exportName('csv'), 'text/csv', csv);
  }
}

/** A chosen file as an import body: JSON by name or content, CSV otherwise. */
export function importBody(name: string, text: string): ImportBody {
  const json = /\.json$/i.test(name) || (!/\.csv$/i.test(name) && /^\s*[{[]/.test(text));
  if (!json) return { kind: 'csv', text };
  try {
    return { kind: 'json', document: JSON.parse(text) as unknown };
  } catch (e) {
    throw new Error(`${name} is not valid JSON: ${(e as Error).message}`);
  }
}

export function importText(r: ImportResponse): string {
  const n = (k: number, one: string): string => `${k} ${one}${k === 1 ? '' : 's'}`;
  return `Imported ${n(r.tasks, 'task')} and ${n(r.projects, 'project')}; ${r.skipped} skipped.`;
}

/** Top-level among `ids`: deleting these deletes the rest with them. */
function roots(tasks: Readonly<Record<string, Task>>, ids: ReadonlySet<string>): string[] {
  return [...ids].filter((id) => {
    const parent = tasks[id]?.parentId;
    return parent === null || parent === undefined || !ids.has(parent);
  });
}

export async function importFile(
  stores: Stores,
  name: string,
  text: string,
): Promise<ImportResponse> {
  const { api, tasks, undo } = stores;
  const body = importBody(name, text);
  const res = await api.importData(body, { idempotencyKey: newIdempotencyKey() });

  await tasks.getState().loadTasks();
  const now = tasks.getState().tasks;
  // What the import wrote, as the node answered it: a diff of before and after would also take
  // tasks another client (or this one's outbox) created meanwhile.
  const createdTasks = new Set(res.taskIds);
  const createdProjects = [...res.projectIds];
  const taskRoots = roots(now, createdTasks);

  undo.getState().record(importText(res), 'Undo import', async () => {
    stores.unrecorded(() => {
      for (const id of taskRoots) tasks.getState().deleteTask(id);
    });
    for (const id of createdProjects) {
      // `keep`: anything else put in it meanwhile stays, in no project.
      await api.deleteProject(id, 'keep', { idempotencyKey: newIdempotencyKey() });
    }
  });
  return res;
}
