/**
 * The cluster operations of a lesson over the RaftboardApi, remembering what they changed so the
 * lesson can put the cluster back (cleanup.ts) when it ends or is left.
 */
import { isRetryable, toRequestError } from '../api/errors.js';
import { newIdempotencyKey } from '../api/keys.js';
import type { RaftboardApi } from '../api/types.js';
import type { LessonOps } from './model.js';

/** What a lesson did that the user did not ask for outside it. */
export interface Touched {
  /** Nodes the lesson paused, killed or restarted. */
  readonly nodes: Set<number>;
  /** The lesson changed the network (and has not healed it since). */
  network: boolean;
}

export interface OpsOptions {
  /** A write is retried with its key while there is no leader, for up to this long. */
  readonly writeForMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Each thing done, in words, for the lesson's log. */
  readonly onDone?: (text: string) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createOps(api: RaftboardApi, touched: Touched, o: OpsOptions = {}): LessonOps {
  const sleep = o.sleep ?? defaultSleep;
  const now = o.now ?? Date.now;
  const writeForMs = o.writeForMs ?? 30_000;
  const said = (text: string) => o.onDone?.(text);

  async function nodeAction(
    id: number,
    action: 'pause' | 'resume' | 'kill' | 'restart',
  ): Promise<void> {
    touched.nodes.add(id);
    const r = await api.nodeAction(id, action);
    said(r.message || `${action} node ${id}`);
  }

  return {
    pause: (id) => nodeAction(id, 'pause'),
    resume: (id) => nodeAction(id, 'resume'),
    kill: (id) => nodeAction(id, 'kill'),
    restart: (id) => nodeAction(id, 'restart'),
    async partition(groups) {
      touched.network = true;
      const r = await api.setNetwork({ partitions: groups });
      said(r.message || 'network partitioned');
    },
    async heal() {
      const r = await api.healNetwork();
      touched.network = false;
      said(r.message || 'network healed');
    },
    async createTask(title) {
      // One key for every attempt: a retried write is applied once (docs/contract.md §4).
      const key = newIdempotencyKey();
      const until = now() + writeForMs;
      for (;;) {
        try {
          const r = await api.createTask({ title, priority: 'low' }, { idempotencyKey: key });
          said(`wrote “${title}” at log index ${r.raftIndex} (term ${r.term})`);
          return { index: r.raftIndex, term: r.term };
        } catch (e) {
          const err = toRequestError(e);
          if (!isRetryable(err) || now() >= until) throw err;
          await sleep(Math.min(err.retryAfterMs ?? 500, 1000));
        }
      }
    },
  };
}
