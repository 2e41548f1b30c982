/**
 * What of a store's writes a crash of its host keeps: everything committed more than
 * `durableAfterMs` ago (InnoDB with innodb_flush_log_at_trx_commit=2 flushes its log once a
 * second). Kept as a base snapshot plus the writes since, with their commit times; `revert`
 * restores the base and replays the writes that were durable. Works over any TaskStore whose
 * writes all go through it (applyBatch is a pure function of the entries, so replaying gives
 * the same state). Callers serialise the calls.
 */
import type { CommandResult } from '../../api/task.js';
import type { Clock } from '../../node/clock.js';
import type { ApplyEntry, StateSnapshot } from '../../../db/statemachine.js';
import type { Decided, TaskStore } from '../../../db/task-store.js';

type Write =
  | { readonly at: number; readonly kind: 'batch'; readonly entries: readonly ApplyEntry[] }
  | {
      readonly at: number;
      readonly kind: 'restore';
      readonly index: number;
      readonly term: number;
      readonly data: string;
    };

export class CommitLog {
  /** The durable state the writes below start from (taken before the first write). */
  private base: StateSnapshot | undefined;
  private writes: Write[] = [];

  constructor(
    private readonly store: TaskStore,
    private readonly clock: Clock,
    private readonly durableAfterMs: number,
  ) {}

  async applyBatch(
    entries: readonly ApplyEntry[],
    decided?: Decided,
  ): Promise<(CommandResult | null)[]> {
    await this.fold();
    const results = await this.store.applyBatch(entries, decided);
    this.writes.push({ at: this.clock.now(), kind: 'batch', entries });
    return results;
  }

  async restore(index: number, term: number, data: string): Promise<void> {
    await this.fold();
    await this.store.restore(index, term, data);
    this.writes.push({ at: this.clock.now(), kind: 'restore', index, term, data });
  }

  /** Back to the durable state; returns how many writes were lost. */
  async revert(): Promise<number> {
    if (this.base === undefined) return 0;
    const durable = this.writes.filter((w) => this.isDurable(w));
    const lost = this.writes.length - durable.length;
    if (lost === 0) return 0;
    await this.store.restore(this.base.index, this.base.term, this.base.data);
    for (const w of durable) {
      if (w.kind === 'batch') await this.store.applyBatch(w.entries);
      else await this.store.restore(w.index, w.term, w.data);
    }
    this.base = await this.store.snapshot();
    this.writes = [];
    return lost;
  }

  /** Before a write: when every write so far is durable, the current state becomes the base. */
  private async fold(): Promise<void> {
    if (
      this.base === undefined ||
      (this.writes.length > 0 && this.writes.every((w) => this.isDurable(w)))
    ) {
      this.base = await this.store.snapshot();
      this.writes = [];
    }
  }

  private isDurable(w: Write): boolean {
    return this.clock.now() - w.at > this.durableAfterMs;
  }
}
