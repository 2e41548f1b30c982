/**
 * A TaskStore that reports to the checks what really happens to a node's task database: which
 * entries a transaction applied (the store's applied index before and after), the state after
 * every transaction and every snapshot restore. It sits right on the in-memory store, under the
 * fault wrapper, so it sees applies as the database does, not as the node believes them.
 */
import { createHash } from 'node:crypto';
import type { CommandResult, Project, Task } from '../../api/task.js';
import type { Decided, TaskStore } from '../../../db/task-store.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from '../../../db/statemachine.js';

/** Every task, whatever the store's default page size. */
export const ALL_TASKS: ListQuery = { limit: 1_000_000, offset: 0 };

export interface StoreObserver {
  /**
   * One transaction: `entries` were handed in with the store at `before`; it is now at `after`
   * with state `digest`.
   */
  onApplyBatch(
    entries: readonly ApplyEntry[],
    results: readonly (CommandResult | null)[],
    before: number,
    after: AppliedIndex,
    digest: string,
  ): void;
  /** The whole state was replaced by a snapshot's. */
  onRestore(index: number, digest: string): void;
}

/** A short digest of a set of tasks (order-independent): equal states, equal digests. */
export function digestTasks(tasks: readonly Task[]): string {
  const sorted = tasks.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const h = createHash('sha256');
  for (const t of sorted) {
    h.update(
      JSON.stringify([
        t.id,
        t.title,
        t.description,
        t.status,
        t.priority,
        t.dueDate,
        t.createdAt,
        t.updatedAt,
        t.version,
        t.raftIndex,
      ]),
    );
    h.update('\n');
  }
  return h.digest('hex').slice(0, 16);
}

export class ObservedTaskStore implements TaskStore {
  constructor(
    private readonly inner: TaskStore,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  appliedIndex(): Promise<AppliedIndex> {
    return this.inner.appliedIndex();
  }

  async applyBatch(
    entries: readonly ApplyEntry[],
    decided?: Decided,
  ): Promise<(CommandResult | null)[]> {
    const obs = this.observer();
    if (obs === undefined) return this.inner.applyBatch(entries, decided);
    const before = (await this.inner.appliedIndex()).index;
    const results = await this.inner.applyBatch(entries, decided);
    const after = await this.inner.appliedIndex();
    obs.onApplyBatch(entries, results, before, after, await this.digest());
    return results;
  }

  snapshot(): Promise<StateSnapshot> {
    return this.inner.snapshot();
  }

  async restore(index: number, term: number, data: string): Promise<void> {
    await this.inner.restore(index, term, data);
    this.observer()?.onRestore(index, await this.digest());
  }

  list(query: ListQuery): Promise<Task[]> {
    return this.inner.list(query);
  }

  get(id: string): Promise<Task | null> {
    return this.inner.get(id);
  }

  listProjects(): Promise<Project[]> {
    return this.inner.listProjects();
  }

  getProject(id: string): Promise<Project | null> {
    return this.inner.getProject(id);
  }

  listTags(): Promise<{ name: string; count: number }[]> {
    return this.inner.listTags();
  }

  checksum(): Promise<StateChecksum> {
    return this.inner.checksum();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async digest(): Promise<string> {
    return digestTasks(await this.inner.list(ALL_TASKS));
  }
}
