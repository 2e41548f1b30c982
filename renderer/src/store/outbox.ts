/**
 * The outbox: every change not yet acknowledged by the cluster, written down (IndexedDB in the
 * window: outbox-idb.ts) so that a reload or a crash loses none. Each attempt is written down,
 * with the If-Match it carries, before it is sent; on load the changes of the earlier page are
 * sent again in their order with the same Idempotency-Keys. The node answers a repeated key with
 * its first answer, so a change that did land before the reload is not applied twice.
 * A record goes once its change commits, fails for good, or is withdrawn (undo).
 */
import type { TaskInput, TaskPatch } from '../../../cluster/api/task.js';
import { isUnsettled, type Change } from './changes.js';
import type { ResumedChange, TasksState, TasksStore } from './tasks.js';

export interface OutboxRecord {
  /** The change's Idempotency-Key: one record per request. */
  readonly key: string;
  /** Order of the changes as they were made. */
  readonly seq: number;
  readonly kind: Change['kind'];
  readonly taskId: string;
  readonly title: string;
  readonly createdAt: number;
  readonly ifMatch?: number | undefined;
  readonly input?: TaskInput;
  readonly patch?: TaskPatch;
}

export interface OutboxStorage {
  all(): Promise<OutboxRecord[]>;
  put(record: OutboxRecord): Promise<void>;
  remove(key: string): Promise<void>;
}

export function toRecord(c: Change, seq: number): OutboxRecord {
  const base = {
    key: c.key,
    seq,
    kind: c.kind,
    taskId: c.taskId,
    title: c.title,
    createdAt: c.createdAt,
    ...(c.ifMatch === undefined ? {} : { ifMatch: c.ifMatch }),
  };
  if (c.kind === 'create') return { ...base, input: c.input };
  if (c.kind === 'update') return { ...base, patch: c.patch };
  return base;
}

export function fromRecord(r: OutboxRecord): ResumedChange | null {
  const base = {
    key: r.key,
    taskId: r.taskId,
    title: r.title,
    createdAt: r.createdAt,
    ifMatch: r.ifMatch,
  };
  if (r.kind === 'create' && r.input !== undefined)
    return { ...base, kind: 'create', input: r.input };
  if (r.kind === 'update' && r.patch !== undefined)
    return { ...base, kind: 'update', patch: r.patch };
  if (r.kind === 'delete') return { ...base, kind: 'delete' };
  return null; // written by a newer or broken page: nothing safe to send
}

/** Kept in memory only: for tests, and where IndexedDB is refused. */
export function memoryOutbox(initial: readonly OutboxRecord[] = []): OutboxStorage & {
  readonly records: Map<string, OutboxRecord>;
} {
  const records = new Map(initial.map((r) => [r.key, r]));
  return {
    records,
    all: () => Promise.resolve([...records.values()]),
    put: (r) => {
      records.set(r.key, r);
      return Promise.resolve();
    },
    remove: (key) => {
      records.delete(key);
      return Promise.resolve();
    },
  };
}

export interface Outbox {
  /** Resolves once the earlier page's changes were taken over. */
  readonly ready: Promise<void>;
  /** The tasks slice's beforeSend: writes the attempt down, then lets it go. */
  beforeSend(change: Change): Promise<void>;
  /** Resolves once every write so far reached the storage (tests). */
  flushed(): Promise<void>;
  stop(): void;
}

export interface OutboxOptions {
  readonly tasks: TasksStore;
  readonly storage: OutboxStorage;
  /** Runs the take-over without making undo entries of it. */
  readonly unrecorded?: <T>(fn: () => T) => T;
}

export function startOutbox(o: OutboxOptions): Outbox {
  const { tasks, storage } = o;
  /** What the storage holds (or will, once the queue is through), by key. */
  const written = new Map<string, string>();
  const seqs = new Map<string, number>();
  let nextSeq = Date.now() * 1000;
  // One queue for every storage write, so a put and the remove after it land in that order.
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  const enqueue = (op: () => Promise<void>): Promise<void> => {
    queue = queue.then(op).catch((e: unknown) => {
      console.warn('raftboard outbox:', e);
    });
    return queue;
  };

  const write = (c: Change): Promise<void> => {
    let seq = seqs.get(c.key);
    if (seq === undefined) {
      seq = nextSeq++;
      seqs.set(c.key, seq);
    }
    const record = toRecord(c, seq);
    const json = JSON.stringify(record);
    if (written.get(c.key) === json) return queue;
    written.set(c.key, json);
    return enqueue(() => storage.put(record));
  };

  const sync = (s: TasksState): void => {
    if (stopped) return;
    const live = new Set<string>();
    for (const c of s.changes) {
      if (!isUnsettled(c)) continue;
      live.add(c.key);
      void write(c);
    }
    for (const key of [...written.keys()]) {
      if (live.has(key)) continue;
      written.delete(key);
      seqs.delete(key);
      void enqueue(() => storage.remove(key));
    }
  };

  const ready = (async () => {
    let earlier: OutboxRecord[] = [];
    try {
      earlier = await storage.all();
    } catch (e) {
      console.warn('raftboard outbox: could not read the unsent changes', e);
    }
    if (stopped) return;
    earlier.sort((a, b) => a.seq - b.seq);
    for (const r of earlier) {
      written.set(r.key, JSON.stringify(r));
      seqs.set(r.key, r.seq);
      nextSeq = Math.max(nextSeq, r.seq + 1);
    }
    const resumed = earlier.map(fromRecord).filter((c): c is ResumedChange => c !== null);
    const take = (): void => tasks.getState().resume(resumed);
    if (resumed.length > 0) {
      if (o.unrecorded) o.unrecorded(take);
      else take();
    }
    // Records nothing can send again are dropped.
    sync(tasks.getState());
  })();

  const unsubscribe = tasks.subscribe((s, prev) => {
    if (s.changes !== prev.changes) sync(s);
  });
  sync(tasks.getState());

  return {
    ready,
    beforeSend: (c) => write(c),
    flushed: () => queue,
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}

/** True while some change has not reached the cluster: leaving now would lose nothing (the
 * outbox has it), but it would not be sent until the app is opened again. */
export function hasUnsent(s: TasksState): boolean {
  return s.changes.some(isUnsettled);
}
