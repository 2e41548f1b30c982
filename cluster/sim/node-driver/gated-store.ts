/**
 * A node process's connection to its task database. When the process dies, the connection dies
 * with it: calls made after that, and answers to calls in flight, never arrive (what was sent may
 * still commit in the database, as a statement in flight does when its client is killed).
 */
import type { CommandResult, Project, Task } from '../../api/task.js';
import type { Decided, TaskStore } from '../../../db/task-store.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from '../../../db/statemachine.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export class GatedTaskStore {
  private dead = false;

  constructor(private readonly alive: () => boolean) {}

  kill(): void {
    this.dead = true;
  }

  private get open(): boolean {
    return !this.dead && this.alive();
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.open) return never<T>();
    let value: T;
    try {
      value = await fn();
    } catch (e) {
      if (!this.open) return never<T>();
      throw e;
    }
    if (!this.open) return never<T>();
    return value;
  }

  wrap(inner: TaskStore): TaskStore {
    return {
      appliedIndex: (): Promise<AppliedIndex> => this.call(() => inner.appliedIndex()),
      applyBatch: (
        entries: readonly ApplyEntry[],
        decided?: Decided,
      ): Promise<(CommandResult | null)[]> => this.call(() => inner.applyBatch(entries, decided)),
      snapshot: (): Promise<StateSnapshot> => this.call(() => inner.snapshot()),
      restore: (index: number, term: number, data: string): Promise<void> =>
        this.call(() => inner.restore(index, term, data)),
      list: (query: ListQuery): Promise<Task[]> => this.call(() => inner.list(query)),
      get: (id: string): Promise<Task | null> => this.call(() => inner.get(id)),
      listProjects: (): Promise<Project[]> => this.call(() => inner.listProjects()),
      getProject: (id: string): Promise<Project | null> => this.call(() => inner.getProject(id)),
      listTags: (): Promise<{ name: string; count: number }[]> => this.call(() => inner.listTags()),
      checksum: (): Promise<StateChecksum> => this.call(() => inner.checksum()),
      close: (): Promise<void> => this.call(() => inner.close()),
    };
  }
}
