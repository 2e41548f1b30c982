/**
 * Applies committed entries to this node's MySQL, off the Raft loop. The loop hands entries over
 * and moves on; this queue applies them in order, several Ready batches per transaction, and
 * when MySQL is down it keeps the queue, reports `down`, retries with backoff and catches up.
 * A MySQL error never reaches the Raft loop. The one thing it does not retry: a database that is
 * not this node's (another cluster's or node's stamp, or an applied index/term that is not in
 * this node's log, checked at the first connection); that is reported through `onFatal`.
 *
 * A frozen MySQL (SIGSTOP, a hung disk) gives no error at all: every statement has a time limit
 * (`queryTimeoutMs`, then `down`), and a watchdog that does not depend on the work in flight
 * reports `stalled` as soon as one operation has run for `stalledAfterMs`.
 */
import type { Entry, Snapshot } from '../raft/index.js';
import type { CommandResult } from '../api/task.js';
import type { MySqlStatus } from '../api/node.js';
import type { OpenTaskStore, TaskStore } from '../../db/task-store.js';
import { ClusterIdentityError, MySqlUnavailableError } from '../../db/errors.js';
import type { NodeIdentity } from '../../db/identity.js';
import { checkAppliedAgainstLog, type LogView } from './applied-check.js';
import type { Logger } from './log.js';
import { DEFAULT_STALLED_AFTER_MS } from './config.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { Failpoints } from './failpoints.js';

type Work =
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'restore'; readonly snapshot: Snapshot };

export interface ApplierOptions {
  /** Connects to the node's task database (MySQL in production). */
  readonly openStore: OpenTaskStore;
  /** Names the database in messages. */
  readonly database: string;
  /** Stamped into the database, or checked against its stamp. */
  readonly identity: NodeIdentity;
  /** This node's Raft log, to check the database's applied index/term against. */
  readonly raftLog: () => LogView;
  /** The database is not this node's: the node must not run (nothing is retried). */
  readonly onFatal: (error: Error) => void;
  readonly log: Logger;
  /** The newest snapshot on disk (the WAL's): restored into MySQL if MySQL is behind it. */
  readonly diskSnapshot: () => Snapshot;
  /** Every applied entry with the state machine's answer (null for no-ops and conf entries). */
  readonly onApplied: (entry: Entry, result: CommandResult | null) => void;
  /** Called after each transaction with the new applied index. */
  readonly onProgress: (appliedIndex: number) => void;
  readonly onStatus: (status: MySqlStatus, error?: string) => void;
  /** At most this many entries per transaction. */
  readonly maxBatch?: number;
  /** An operation running this long makes the status `stalled` (default 3 s). */
  readonly stalledAfterMs?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** `apply-after-answer`, `apply-mid-batch`, `snapshot-install` (failpoints.ts). Default: none. */
  readonly failpoints?: Failpoints;
}

/** What MySQL is busy with, and since when (for the watchdog). */
type Operation = 'connect' | 'apply' | 'restore' | 'ping';

const BACKOFF_FIRST_MS = 100;
const BACKOFF_CAP_MS = 3_000;
const PING_MS = 1_000;
/** close() waits this long for the work in flight, then for the connections to close. */
const CLOSE_WAIT_MS = 2_000;

export class Applier {
  private sm: TaskStore | undefined;
  private readonly queue: Work[] = [];
  private running = false;
  private closed = false;
  /** The database was refused: nothing more is tried. */
  private refused = false;
  private backoffMs = BACKOFF_FIRST_MS;
  private retryTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private watchdogTimer: TimerHandle | undefined;
  /** The operation MySQL is working on, if any. */
  private busy: { readonly op: Operation; readonly since: number } | undefined;
  private wake: (() => void) | undefined;
  private _applied = 0;
  private _status: MySqlStatus = 'connecting';
  private _error: string | undefined;
  private readonly maxBatch: number;
  private readonly stalledAfterMs: number;
  private readonly clock: Clock;

  constructor(private readonly opts: ApplierOptions) {
    this.clock = opts.clock ?? systemClock;
    this.maxBatch = opts.maxBatch ?? 500;
    this.stalledAfterMs = opts.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS;
  }

  /** Applied to MySQL (0 until the first connection tells). */
  get applied(): number {
    return this._applied;
  }

  get status(): MySqlStatus {
    return this._status;
  }

  get error(): string | undefined {
    return this._error;
  }

  /** The open state machine when MySQL is up; reads go through it. */
  stateMachine(): TaskStore {
    if (this.sm === undefined || this._status !== 'up') {
      throw new MySqlUnavailableError(
        `MySQL is ${this._status}${this._error !== undefined ? `: ${this._error}` : ''}`,
      );
    }
    return this.sm;
  }

  /** Starts connecting (in the background) and applying. */
  start(): void {
    this.kick();
    // An idle node would not notice MySQL going away until the next write: look once a second.
    this.pingTimer = this.clock.setInterval(() => this.ping(), PING_MS);
    this.pingTimer.unref();
    // Busy work is not pinged: the watchdog looks at it instead, a few times per bound.
    this.watchdogTimer = this.clock.setInterval(
      () => this.watchdog(),
      Math.max(25, Math.min(250, Math.floor(this.stalledAfterMs / 4))),
    );
    this.watchdogTimer.unref();
  }

  private ping(): void {
    if (this.running || this.closed || this._status !== 'up' || this.sm === undefined) return;
    this.running = true;
    const sm = this.sm;
    void this.timed('ping', () => sm.appliedIndex())
      .then(
        () => {
          if (this._status === 'stalled') this.setStatus('up');
        },
        (error: unknown) => {
          if (error instanceof MySqlUnavailableError) this.setStatus('down', error.message);
        },
      )
      .finally(() => {
        this.running = false;
        if (this._status !== 'up' || this.queue.length > 0) this.kick();
      });
  }

  /**
   * `stalled` once an operation has run past the bound. A snapshot restore is exempt: it is
   * long by nature (tens of MB), and each of its statements has the query time limit anyway.
   */
  private watchdog(): void {
    const b = this.busy;
    if (b === undefined || b.op === 'restore' || this._status !== 'up' || this.closed) return;
    const ms = this.clock.now() - b.since;
    if (ms < this.stalledAfterMs) return;
    const message = `MySQL has not answered for ${ms} ms (${b.op})`;
    this.opts.log.warn(`${message}: reporting stalled`);
    this.setStatus('stalled', message);
  }

  /** Runs one MySQL operation under the watchdog's eye. */
  private async timed<T>(op: Operation, fn: () => Promise<T>): Promise<T> {
    this.busy = { op, since: this.clock.now() };
    try {
      return await fn();
    } finally {
      this.busy = undefined;
    }
  }

  enqueueEntries(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    this.queue.push({ kind: 'entries', entries });
    this.kick();
  }

  enqueueSnapshot(snapshot: Snapshot): void {
    this.queue.push({ kind: 'restore', snapshot });
    this.kick();
  }

  /** A read failed because MySQL went away: reconnect and report it. */
  reportUnavailable(error: unknown): void {
    // Only from `up`: the refusals stateMachine() itself throws are reported here too.
    if (!(error instanceof MySqlUnavailableError) || this._status !== 'up') return;
    this.setStatus('down', error.message);
    this.kick();
  }

  /**
   * Stops applying and closes the connections. Bounded: with a frozen MySQL neither the work in
   * flight nor a polite close would ever finish, and a node must still exit on SIGTERM. What is
   * left unapplied is in the WAL and applied at the next start.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.clock.clearTimer(this.retryTimer);
    this.clock.clearTimer(this.pingTimer);
    this.clock.clearTimer(this.watchdogTimer);
    this.wake?.();
    const deadline = this.clock.now() + CLOSE_WAIT_MS;
    while (this.running && this.clock.now() < deadline)
      await new Promise((r) => this.clock.setTimeout(() => r(undefined), 10));
    if (this.sm === undefined) return;
    let timer: TimerHandle | undefined;
    await Promise.race([
      this.sm.close(),
      new Promise((resolve) => {
        timer = this.clock.setTimeout(() => resolve(undefined), CLOSE_WAIT_MS);
      }),
    ]);
    this.clock.clearTimer(timer);
  }

  private kick(): void {
    if (this.running || this.closed || this.refused) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
      // Work queued while the loop was finishing would otherwise wait for the next kick.
      if (this.queue.length > 0 && !this.closed) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.sm === undefined || (this._status !== 'up' && this._status !== 'stalled')) {
          await this.timed('connect', () => this.connect());
        }
        if (this.queue.length === 0) return;
        await this.applyNext();
        // The slow operation finished after all: MySQL answers again.
        if (this._status === 'stalled') this.setStatus('up');
        this.backoffMs = BACKOFF_FIRST_MS;
      } catch (error) {
        if (this.closed) return;
        if (error instanceof ClusterIdentityError) {
          this.refused = true;
          this.setStatus('down', error.message);
          this.opts.onFatal(error);
          return;
        }
        if (error instanceof MySqlUnavailableError) {
          if (this._status !== 'down' || this._error !== error.message) {
            this.opts.log.warn(`MySQL unavailable, will retry: ${error.message}`);
          }
          this.setStatus(this.sm === undefined ? 'connecting' : 'down', error.message);
        } else {
          // Not a connectivity problem (a bug, or a schema that cannot migrate): keep the
          // entries, say what is wrong, and try again later rather than crash the member.
          this.opts.log.error(
            `applying to MySQL failed: ${(error as Error).stack ?? String(error)}`,
          );
          this.setStatus('down', (error as Error).message);
        }
        await this.sleep(this.backoffMs);
        this.backoffMs = Math.min(BACKOFF_CAP_MS, this.backoffMs * 2);
      }
    }
  }

  private async connect(): Promise<void> {
    if (this.sm === undefined) {
      this.sm = await this.opts.openStore({
        identity: this.opts.identity,
        // Once, before anything is applied or stamped: is what MySQL holds in this node's log?
        verifyApplied: (applied) =>
          checkAppliedAgainstLog(this.opts.database, applied, this.opts.raftLog()),
        log: (line) => this.opts.log.info(line),
      });
    }
    const at = await this.sm.appliedIndex();
    this._applied = at.index;
    await this.catchUpFromDisk();
    this.setStatus('up');
    this.opts.onProgress(this._applied);
  }

  /** MySQL behind the WAL's snapshot (a crash between saving a snapshot and restoring it). */
  private async catchUpFromDisk(): Promise<void> {
    const snap = this.opts.diskSnapshot();
    if (snap.metadata.index <= this._applied || snap.data === '') return;
    this.opts.log.info(
      `MySQL is at ${this._applied}, behind the snapshot at ${snap.metadata.index}: restoring it`,
    );
    await this.sm!.restore(snap.metadata.index, snap.metadata.term, snap.data);
    this._applied = snap.metadata.index;
  }

  private async applyNext(): Promise<void> {
    const sm = this.sm!;
    const head = this.queue[0];
    if (head.kind === 'restore') {
      const { index, term } = head.snapshot.metadata;
      if (index > this._applied && head.snapshot.data !== '') {
        // The leader's snapshot is in the WAL already (persisted before apply).
        this.opts.failpoints?.hit('snapshot-install');
        await this.timed('restore', () => sm.restore(index, term, head.snapshot.data));
        this._applied = index;
        this.opts.log.info(`installed snapshot at ${index}/${term} into MySQL`);
      }
      this.queue.shift();
      this.opts.onProgress(this._applied);
      return;
    }
    // Merge queued entry batches into one transaction, up to maxBatch entries. A longer batch
    // (a follower catching up gets thousands in one Ready) is split, so each transaction stays
    // small and the applied index moves while it catches up.
    if (head.entries.length > this.maxBatch) {
      const rest = head.entries.slice(this.maxBatch);
      this.queue.splice(
        0,
        1,
        { kind: 'entries', entries: head.entries.slice(0, this.maxBatch) },
        {
          kind: 'entries',
          entries: rest,
        },
      );
    }
    const batch: Entry[] = [];
    let taken = 0;
    while (taken < this.queue.length) {
      const w = this.queue[taken];
      if (
        w.kind !== 'entries' ||
        (batch.length > 0 && batch.length + w.entries.length > this.maxBatch)
      )
        break;
      batch.push(...w.entries);
      taken++;
    }
    const first = batch[0].index;
    if (first > this._applied + 1) await this.timed('restore', () => this.catchUpFromDisk());
    const from = this._applied;
    let answered = false;
    const answer = (results: readonly (CommandResult | null)[]): void => {
      batch.forEach((e, i) => {
        // Entries at or below what MySQL had are answered from their session (or null).
        if (e.index > from || results[i] !== null) this.opts.onApplied(e, results[i]);
      });
    };
    // Answered as soon as the store has decided the answers, before its COMMIT is done: they
    // are final then (statemachine.ts applyInTransaction says why), every entry of the batch is
    // committed in Raft (durable on a quorum), and a read still waits for `applied`, moved only
    // after COMMIT below. A failed transaction is retried and decides the same answers again
    // (a second answer finds no waiter). A store that never calls the hook is answered after.
    const decided = (results: readonly (CommandResult | null)[]): Promise<void> | undefined => {
      answered = true;
      answer(results);
      const failpoints = this.opts.failpoints;
      if (failpoints?.isArmed?.('apply-after-answer') !== true) return undefined;
      // Armed only: one turn for the answers to leave (the HTTP responses are written in
      // microtasks), then the process crashes there, before the store's COMMIT answered.
      return new Promise<void>((resolve) => this.clock.soon(resolve)).then(() =>
        failpoints.hit('apply-after-answer'),
      );
    };
    const results = await this.timed('apply', () => sm.applyBatch(batch, decided));
    // Committed in the store, not yet recorded here (each part of a split batch).
    this.opts.failpoints?.hit('apply-mid-batch');
    this.queue.splice(0, taken);
    const last = batch[batch.length - 1].index;
    this._applied = Math.max(this._applied, last);
    if (!answered) answer(results);
    this.opts.onProgress(this._applied);
  }

  private setStatus(status: MySqlStatus, error?: string): void {
    const changed = status !== this._status || error !== this._error;
    this._status = status;
    this._error = status === 'up' ? undefined : error;
    if (changed) this.opts.onStatus(status, this._error);
    if (changed && status === 'up') this.opts.log.info('MySQL is up');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.retryTimer = this.clock.setTimeout(resolve, ms);
    });
  }
}
