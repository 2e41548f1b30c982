/**
 * The one Ready loop: it turns the pure core's Readys into I/O, for the node process, the
 * simulator and the core's unit tests alike (they differ only in the ReadyIO they pass).
 *
 * The contract, for each Ready and in this order (etcd-io/raft's `Ready` doc):
 *  1. persist: the snapshot, the entries, then the hard state — durable before step 2;
 *  2. send the messages (a vote or an append acknowledgement promises what step 1 made durable);
 *  3. apply: the snapshot, the committed entries, the read states;
 *  4. advance the core; only then is the next Ready taken.
 *
 * A Ready that only appends entries may be made durable in the background (`appendAsync`: the
 * node's fdatasync in the thread pool). Meanwhile the core keeps stepping inputs, which gather
 * into the next Ready (the group commit); no other Ready is taken until this one finishes.
 *
 * Frozen (the supervisor's in-process pause): no Ready is handled; a background write that
 * finishes meanwhile is held and finished at thaw.
 */
import type { HardState, Message, RawNode, Ready, SaveBatch } from '../raft/index.js';

export interface ReadyIO {
  /** Persists synchronously: durable when it returns (throws when the disk failed). */
  save(batch: SaveBatch): void;
  /**
   * Persists entries in the background (optional): `done(null)` once durable, always later
   * (never inside the call). An error means the disk's state is unknown: see `onDiskError`.
   */
  appendAsync?(entries: Ready['entries'], done: (error: Error | null) => void): void;
  /** The hard state this Ready must write (default: the Ready's own, whenever it changed). */
  hardStateToPersist?(rd: Ready): HardState | undefined;
  send(messages: readonly Message[]): void;
  /** Step 3: the snapshot, the committed entries and the read states. */
  apply(rd: Ready): void;
  /** After advance(): membership changes have taken effect in the core. */
  afterAdvance?(rd: Ready): void;
  /** Sees every Ready as it is taken, before it is handled (the simulator's checks). */
  observe?(rd: Ready): void;
  /** Runs before each Ready is taken (inputs the driver buffers, e.g. unreachable peers). */
  beforeReady?(): void;
  /** A background write failed: fatal for a node (its disk state is unknown). */
  onDiskError?(error: Error): void;
}

export class ReadyDriver {
  /** A Ready was taken and is not finished (advance() not called yet). */
  private busy = false;
  private draining = false;
  private frozen = false;
  private stopped = false;
  /** A background write finished while frozen: the rest of its Ready runs at thaw. */
  private durableWhileFrozen: Ready | undefined;
  private pendingWrite: Promise<void> | undefined;

  constructor(
    protected readonly raw: RawNode,
    protected readonly io: ReadyIO,
  ) {}

  /** Handles every pending Ready, one at a time, until the core has nothing more or one waits. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.handleNext());
    } finally {
      this.draining = false;
    }
  }

  /**
   * Takes one Ready, if there is one and none is in progress, and handles it. Returns whether
   * one was taken (a scripted scenario steps a node one Ready at a time with it).
   */
  handleNext(): boolean {
    if (this.busy || this.stopped || this.frozen) return false;
    this.io.beforeReady?.();
    if (this.busy || this.stopped || this.frozen || !this.raw.hasReady()) return false;
    const rd = this.raw.ready();
    this.busy = true;
    this.io.observe?.(rd);
    this.handle(rd);
    return true;
  }

  /** A Ready was taken and is not finished yet. */
  get handling(): boolean {
    return this.busy;
  }

  /** A background write is in flight (the node's stop waits for it). */
  get writing(): Promise<void> | undefined {
    return this.pendingWrite;
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    const rd = this.durableWhileFrozen;
    this.durableWhileFrozen = undefined;
    if (rd) this.resume(rd);
    else this.drain();
  }

  /** No more Readys; a background write still finishes (and is awaited through `writing`). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * One Ready: persist, then {@link complete}. Test-only subclasses override this to plant
   * driver bugs (e.g. send before persisting); a deferred handler ends with {@link resume}.
   */
  protected handle(rd: Ready): void {
    const hardState = this.io.hardStateToPersist ? this.io.hardStateToPersist(rd) : rd.hardState;
    try {
      if (
        this.io.appendAsync &&
        rd.entries.length > 0 &&
        rd.snapshot === undefined &&
        hardState === undefined
      ) {
        this.persistInBackground(rd);
        return;
      }
      this.io.save({ snapshot: rd.snapshot, entries: rd.entries, hardState });
    } catch (e) {
      this.diskFailed(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.complete(rd);
  }

  /**
   * The disk's state is unknown: nothing of this Ready may leave, and no other Ready is taken.
   * Fatal for the node whatever drained it (a tick, a message, a client's read or write): the
   * caller that happened to trigger the write is not the one to hear about it.
   */
  private diskFailed(error: Error): void {
    this.stopped = true;
    if (this.io.onDiskError) this.io.onDiskError(error);
    else throw error;
  }

  /** Steps 2–4 of a persisted Ready. */
  protected complete(rd: Ready): void {
    this.io.send(rd.messages);
    this.finish(rd);
  }

  /** Steps 3–4: apply, then advance (the next Ready may be taken after this). */
  protected finish(rd: Ready): void {
    this.io.apply(rd);
    this.raw.advance();
    this.busy = false;
    this.io.afterAdvance?.(rd);
  }

  /** Completes a Ready whose handling was deferred, then handles what gathered meanwhile. */
  protected resume(rd: Ready): void {
    this.resumeWith(() => this.complete(rd));
  }

  /** Runs the rest of a deferred Ready (it must end in {@link finish}), then drains. */
  protected resumeWith(rest: () => void): void {
    if (this.stopped) return;
    this.draining = true;
    try {
      rest();
    } finally {
      this.draining = false;
    }
    this.drain();
  }

  /** Step 1 for the whole Ready, synchronously (test-only variants reorder it). */
  protected persist(rd: Ready): void {
    this.io.save({ snapshot: rd.snapshot, entries: rd.entries, hardState: rd.hardState });
  }

  /** Throws (synchronously) when the write itself fails; a failed fdatasync comes to `done`. */
  private persistInBackground(rd: Ready): void {
    let written!: () => void;
    this.pendingWrite = new Promise((resolve) => {
      written = resolve;
    });
    const done = (error: Error | null): void => {
      this.pendingWrite = undefined;
      written();
      if (error) {
        this.diskFailed(error);
        return;
      }
      if (this.stopped) return;
      if (this.frozen) {
        this.durableWhileFrozen = rd;
        return;
      }
      this.resume(rd);
    };
    try {
      this.io.appendAsync!(rd.entries, done);
    } catch (e) {
      this.pendingWrite = undefined;
      written();
      throw e;
    }
  }
}
