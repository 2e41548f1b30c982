/**
 * The undo slice: the user's recent actions, each undoable for a while (10 s) from its toast or,
 * newest first, with Ctrl+Z / Cmd+Z. An entry holds the function that undoes it; undoing is
 * itself a new change (a fresh Idempotency-Key), never a rollback of the log.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { systemClock, type Clock } from './clock.js';

export interface UndoEntry {
  readonly id: string;
  /** What was done, as the toast says it: `Deleted “Buy milk”.` */
  readonly text: string;
  /** The Undo button's accessible name: `Undo delete of “Buy milk”`. */
  readonly undoLabel: string;
  readonly until: number;
  /** `notice`: a message with nothing to undo (an import from the menu that failed). */
  readonly phase: 'ready' | 'undoing' | 'failed' | 'notice';
  readonly error?: string;
}

/** Undoes the action; a rejection is shown in the toast. */
export type Inverse = () => void | Promise<void>;

export interface UndoState {
  /** Oldest first. */
  readonly entries: readonly UndoEntry[];
  record(text: string, undoLabel: string, inverse: Inverse): string;
  /** Shows a message in the toasts, dismissable, gone after the same 10 s. */
  notice(text: string): string;
  undo(id: string): Promise<void>;
  /** Undoes the newest entry still ready; false when there is none. */
  undoLast(): boolean;
  dismiss(id: string): void;
  dispose(): void;
}

export interface UndoStoreOptions {
  readonly clock?: Clock;
  /** How long an action stays undoable. */
  readonly windowMs?: number;
}

export const UNDO_WINDOW_MS = 10_000;

export type UndoStore = StoreApi<UndoState>;

export function createUndoStore(options: UndoStoreOptions = {}): UndoStore {
  const clock = options.clock ?? systemClock;
  const windowMs = options.windowMs ?? UNDO_WINDOW_MS;
  const inverses = new Map<string, Inverse>();
  const timers = new Map<string, unknown>();
  let nextId = 1;

  return createStore<UndoState>()((set, get) => {
    const drop = (id: string): void => {
      const h = timers.get(id);
      if (h !== undefined) clock.clearTimeout(h);
      timers.delete(id);
      inverses.delete(id);
      set((s) => ({ entries: s.entries.filter((e) => e.id !== id) }));
    };
    const patch = (id: string, p: Partial<UndoEntry>): void =>
      set((s) => ({ entries: s.entries.map((e) => (e.id === id ? { ...e, ...p } : e)) }));

    return {
      entries: [],

      record(text, undoLabel, inverse) {
        const id = `u${nextId++}`;
        inverses.set(id, inverse);
        const until = clock.now() + windowMs;
        set((s) => ({ entries: [...s.entries, { id, text, undoLabel, until, phase: 'ready' }] }));
        timers.set(
          id,
          clock.setTimeout(() => {
            timers.delete(id);
            // A failed undo stays until dismissed, so its reason can be read.
            if (get().entries.find((e) => e.id === id)?.phase !== 'failed') drop(id);
          }, windowMs),
        );
        return id;
      },

      notice(text) {
        const id = `u${nextId++}`;
        const until = clock.now() + windowMs;
        set((s) => ({
          entries: [...s.entries, { id, text, undoLabel: '', until, phase: 'notice' }],
        }));
        timers.set(
          id,
          clock.setTimeout(() => {
            timers.delete(id);
            drop(id);
          }, windowMs),
        );
        return id;
      },

      async undo(id) {
        const inverse = inverses.get(id);
        const entry = get().entries.find((e) => e.id === id);
        if (inverse === undefined || entry?.phase !== 'ready') return;
        patch(id, { phase: 'undoing' });
        try {
          await inverse();
          drop(id);
        } catch (e) {
          inverses.delete(id);
          patch(id, { phase: 'failed', error: e instanceof Error ? e.message : String(e) });
        }
      },

      undoLast() {
        const ready = get().entries.filter((e) => e.phase === 'ready');
        const last = ready[ready.length - 1];
        if (last === undefined) return false;
        void get().undo(last.id);
        return true;
      },

      dismiss: drop,

      dispose() {
        for (const h of timers.values()) clock.clearTimeout(h);
        timers.clear();
        inverses.clear();
      },
    };
  });
}
