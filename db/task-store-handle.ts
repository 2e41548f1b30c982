/**
 * One connection's view of a store that outlives it (as a MySQL server outlives the node's
 * pool): close() ends this handle only; afterwards its calls fail as a closed state machine's do.
 */
import type { CommandResult, Project, Task } from '../cluster/api/task.js';
import { StateMachineError } from './errors.js';
import type {
  AppliedIndex,
  ApplyEntry,
  ListQuery,
  StateChecksum,
  StateSnapshot,
} from './statemachine.js';
import type { Decided, TaskStore } from './task-store.js';

export class TaskStoreHandle implements TaskStore {
  private closed = false;

  constructor(private readonly store: TaskStore) {}

  appliedIndex(): Promise<AppliedIndex> {
    return this.call(() => this.store.appliedIndex());
  }

  applyBatch(entries: readonly ApplyEntry[], decided?: Decided): Promise<(CommandResult | null)[]> {
    return this.call(() => this.store.applyBatch(entries, decided));
  }

  snapshot(): Promise<StateSnapshot> {
    return this.call(() => this.store.snapshot());
  }

  restore(index: number, term: number, data: string): Promise<void> {
    return this.call(() => this.store.restore(index, term, data));
  }

  list(query: ListQuery): Promise<Task[]> {
    return this.call(() => this.store.list(query));
  }

  get(id: string): Promise<Task | null> {
    return this.call(() => this.store.get(id));
  }

  listProjects(): Promise<Project[]> {
    return this.call(() => this.store.listProjects());
  }

  getProject(id: string): Promise<Project | null> {
    return this.call(() => this.store.getProject(id));
  }

  listTags(): Promise<{ name: string; count: number }[]> {
    return this.call(() => this.store.listTags());
  }

  checksum(): Promise<StateChecksum> {
    return this.call(() => this.store.checksum());
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StateMachineError('the state machine is closed');
    return fn();
  }
}
