/**
 * What a node-driver run checks, on top of the core's invariants (cluster/sim/invariants.ts:
 * election safety, log matching, leader completeness, state machine safety, applied ≤ committed):
 * - exactly once: each task store applies every entry once per incarnation, in order, and its
 *   applied index moves exactly over what it applied;
 * - same state: two stores at the same applied index hold the same tasks (digest);
 * - acknowledged writes: the entry a client was told about is the committed one, with its key
 *   (checked when the first store applies it: a write is answered before its store commits);
 * - stale reads: a read without a barrier shows a state some store passed through;
 * - at the end (final.ts): no acknowledged write lost, and the history is linearizable.
 */
import type { ConfChange, ConfState, NodeId } from '../../raft/index.js';
import type { CommandResult, Task, TaskCommand } from '../../api/task.js';
import type { AppliedIndex, ApplyEntry } from '../../../db/statemachine.js';
import { InvariantChecker, type LogView, type Violation } from '../invariants.js';
import { digestTasks, type StoreObserver } from './observed-store.js';

/** The digest of the empty store: every store starts there. */
const EMPTY_DIGEST = digestTasks([]);

/** What the checks need to ask of a running node. */
export interface NodeProbe {
  commitIndex(): number;
  term(): number;
}

export class NodeChecks {
  readonly invariants: InvariantChecker;
  /** State digest at each applied index, as the first store to reach it had it. */
  private readonly digestAt = new Map<number, { digest: string; by: NodeId }>();
  /** Every state a store has been in (stale reads must show one of these). */
  private readonly states = new Set<string>([EMPTY_DIGEST]);
  private maxAcked = 0;
  private readonly pendingReads: { id: NodeId; tasks: readonly Task[] }[] = [];
  acked = 0;
  staleReads = 0;
  /** Transactions whose every entry was at or below the store's applied index (replays). */
  replays = 0;

  /** Membership changes of the committed log, replayed up to `confUpTo`. */
  private readonly confs: { index: number; conf: ConfState }[];
  private confUpTo = 0;

  constructor(
    private readonly clock: () => { step: number; time: number },
    bootstrapVoters: readonly NodeId[],
  ) {
    this.confs = [{ index: 0, conf: { voters: [...bootstrapVoters], learners: [] } }];
    this.invariants = new InvariantChecker(clock);
    this.digestAt.set(0, { digest: EMPTY_DIGEST, by: 0 });
  }

  get ok(): boolean {
    return this.invariants.ok;
  }

  get violations(): readonly Violation[] {
    return this.invariants.violations;
  }

  get maxAckedIndex(): number {
    return this.maxAcked;
  }

  fail(kind: string, message: string): void {
    this.invariants.fail(kind, message);
  }

  onLeader(id: NodeId, term: number, log: LogView): void {
    this.invariants.onLeader(id, term, log);
  }

  /** The observer of node `id`'s store. */
  storeObserver(id: NodeId, probe: () => NodeProbe | undefined): StoreObserver {
    return {
      onApplyBatch: (entries, results, before, after, digest) =>
        this.onApplyBatch(id, probe(), entries, results, before, after, digest),
      onRestore: (index, digest) => {
        this.invariants.onRestore(id, index, 0);
        this.sameState(id, index, digest);
      },
    };
  }

  private onApplyBatch(
    id: NodeId,
    probe: NodeProbe | undefined,
    entries: readonly ApplyEntry[],
    results: readonly (CommandResult | null)[],
    before: number,
    after: AppliedIndex,
    digest: string,
  ): void {
    if (results.length !== entries.length) {
      this.fail(
        'exactly-once',
        `n${id}'s store gave ${results.length} answers for ${entries.length} entries`,
      );
      return;
    }
    const fresh = entries.filter((e) => e.index > before);
    const expected = fresh.length > 0 ? fresh[fresh.length - 1].index : before;
    if (after.index !== expected) {
      this.fail(
        'exactly-once',
        `n${id}'s store went from applied ${before} to ${after.index} on a batch of ` +
          `${entries[0]?.index ?? '-'}..${entries[entries.length - 1]?.index ?? '-'} (expected ${expected})`,
      );
      return;
    }
    if (fresh.length === 0) {
      this.replays++;
      const had = this.digestAt.get(before);
      // A replayed batch changes nothing (sessions answer it, or it is skipped).
      if (had !== undefined && had.digest !== digest && before === after.index) {
        this.fail(
          'exactly-once',
          `n${id} re-applied entries at or below ${before}: its state changed`,
        );
      }
      return;
    }
    this.noteCreates(entries, results, before);
    const commit = probe?.commitIndex();
    if (commit !== undefined) this.invariants.onCommit(id, commit);
    for (const e of fresh) {
      this.invariants.onApply(id, { ...e }, 0, probe?.term() ?? e.term);
      if (!this.ok) return;
      const later = this.laterAcks.get(e.index);
      const rec = later === undefined ? undefined : this.invariants.committedAt(e.index);
      if (later !== undefined && rec !== undefined) {
        this.laterAcks.delete(e.index);
        this.checkAck(later.key, e.index, later.term, rec);
        if (!this.ok) return;
      }
    }
    this.sameState(id, after.index, digest);
  }

  /** The task each keyed create made, from the answers of the stores that applied it. */
  readonly createdByKey = new Map<string, string>();

  private noteCreates(
    entries: readonly ApplyEntry[],
    results: readonly (CommandResult | null)[],
    before: number,
  ): void {
    entries.forEach((e, i) => {
      const r = results[i];
      if (e.index <= before || r === null || !r.ok || r.outcome !== 'created') return;
      const key = (JSON.parse(e.data) as TaskCommand).session?.key;
      if (key !== undefined && !this.createdByKey.has(key)) this.createdByKey.set(key, r.task.id);
    });
  }

  private sameState(id: NodeId, index: number, digest: string): void {
    this.states.add(digest);
    const had = this.digestAt.get(index);
    if (had === undefined) {
      this.digestAt.set(index, { digest, by: id });
    } else if (had.digest !== digest) {
      this.fail(
        'replica-divergence',
        `n${id}'s tasks at applied index ${index} differ from n${had.by}'s at the same index`,
      );
    }
  }

  /**
   * A client was told its write (Idempotency-Key `key`) committed at index/term: that entry must
   * be the committed one there, carrying the key.
   */
  onAck(key: string, index: number, term: number): void {
    this.acked++;
    const rec = this.invariants.committedAt(index);
    if (rec === undefined) {
      // Answered once decided, before the store committed it (applier.ts): checked when the
      // first store applies that index, and the final phase waits for that (unappliedAcks).
      this.laterAcks.set(index, { key, term });
      if (index > this.maxAcked) this.maxAcked = index;
      return;
    }
    this.checkAck(key, index, term, rec);
  }

  /** Acknowledged writes at indexes no store has applied yet, by index. */
  private readonly laterAcks = new Map<number, { key: string; term: number }>();

  /** Acknowledged writes that no store applied (the final phase fails on any). */
  unappliedAcks(): string[] {
    return [...this.laterAcks].map(([index, a]) => `${a.key} at ${index}@t${a.term}`);
  }

  private checkAck(
    key: string,
    index: number,
    term: number,
    rec: { readonly term: number; readonly data: string },
  ): void {
    let cmdKey: string | undefined;
    try {
      cmdKey = (JSON.parse(rec.data) as TaskCommand).session?.key;
    } catch {
      cmdKey = undefined;
    }
    if (rec.term !== term || cmdKey !== key) {
      this.fail(
        'client',
        `write ${key} was acknowledged at ${index}@t${term}, but ${index}@t${rec.term} ` +
          `carries ${cmdKey === undefined ? 'no key' : `key ${cmdKey}`}`,
      );
      return;
    }
    if (index > this.maxAcked) this.maxAcked = index;
  }

  /**
   * A stale read (no barrier) on node `id`: it must show a state some store was in. Checked at
   * the end of the step (`flushReads`), once every store has reported its new state.
   */
  onStaleRead(id: NodeId, tasks: readonly Task[]): void {
    this.staleReads++;
    this.pendingReads.push({ id, tasks });
  }

  flushReads(): void {
    for (const { id, tasks } of this.pendingReads.splice(0)) {
      if (!this.states.has(digestTasks(tasks))) {
        this.fail(
          'stale-read',
          `a stale read on n${id} returned ${tasks.length} tasks in a state no store was ever in`,
        );
        return;
      }
    }
  }

  /**
   * A node recorded a snapshot at `index` with membership `conf`: it must be the configuration
   * the committed log gives there (the bootstrap voters with every conf entry up to `index`).
   */
  onSnapshot(id: NodeId, index: number, conf: ConfState): void {
    const truth = this.confAt(index);
    if (truth === undefined) return; // an index no store applied: nothing to compare
    if (!sameConf(truth, conf)) {
      this.fail(
        'snapshot-membership',
        `n${id} recorded its snapshot at ${index} with voters [${sorted(conf.voters)}] learners ` +
          `[${sorted(conf.learners)}], but the log gives voters [${sorted(truth.voters)}] ` +
          `learners [${sorted(truth.learners)}] there`,
      );
    }
  }

  /** Membership after the committed entries up to `index`, replayed from the bootstrap. */
  private confAt(index: number): ConfState | undefined {
    while (this.confUpTo < index) {
      const rec = this.invariants.committedAt(this.confUpTo + 1);
      if (rec === undefined) return undefined;
      this.confUpTo++;
      if (rec.type === 'conf') {
        this.confs.push({ index: this.confUpTo, conf: applyChange(this.lastConf(), rec.data) });
      }
    }
    let conf = this.confs[0].conf;
    for (const c of this.confs) if (c.index <= index) conf = c.conf;
    return conf;
  }

  private lastConf(): ConfState {
    return this.confs[this.confs.length - 1].conf;
  }

  /** The state every store reached at `index` (undefined if none recorded). */
  digestOf(index: number): string | undefined {
    return this.digestAt.get(index)?.digest;
  }
}

/** The core's rule for one change (cluster/raft/raft.ts applyConfChange). */
function applyChange(conf: ConfState, data: string): ConfState {
  const cc = JSON.parse(data) as ConfChange;
  const v = new Set(conf.voters);
  const l = new Set(conf.learners);
  if (cc.type === 'addLearner') {
    if (!v.has(cc.nodeId)) l.add(cc.nodeId);
  } else if (cc.type === 'promote') {
    if (l.delete(cc.nodeId)) v.add(cc.nodeId);
  } else {
    v.delete(cc.nodeId);
    l.delete(cc.nodeId);
  }
  return { voters: [...v], learners: [...l] };
}

function sorted(ids: readonly NodeId[]): string {
  return [...ids].sort((a, b) => a - b).join(',');
}

function sameConf(a: ConfState, b: ConfState): boolean {
  return sorted(a.voters) === sorted(b.voters) && sorted(a.learners) === sorted(b.learners);
}
