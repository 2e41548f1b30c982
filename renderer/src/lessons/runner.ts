/**
 * Runs one lesson against the live cluster: enters a step, runs its action when the user asks,
 * watches every status the window receives until the step's condition holds, and keeps what it
 * learned (facts) for the next steps' texts and actions. Back/forward only change which finished
 * step is shown: what was done to the cluster is not undone, and only the newest step is live.
 * Leaving, restarting or finishing puts the cluster back (cleanup.ts).
 *
 * A zustand store without React, so the tests drive it with a fake API and hand-made statuses.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ClusterStatus } from '../../../cluster/api/control.js';
import { toRequestError } from '../api/errors.js';
import type { RaftboardApi } from '../api/types.js';
import { cleanUp } from './cleanup.js';
import type { Facts, Lesson, Step } from './model.js';
import { createOps, type OpsOptions, type Touched } from './ops.js';

/**
 * `ready`: explained, its action not run yet; `acting`: the action runs; `waiting`: for the
 * condition; `done`: it held (or there was nothing to wait for); `failed`: the action failed.
 */
export type StepPhase = 'ready' | 'acting' | 'waiting' | 'done' | 'failed';

export interface LessonRunState {
  readonly lesson: Lesson | null;
  /** The live step (the furthest reached). */
  readonly current: number;
  /** The step on screen: `current`, or an earlier finished one (Back). */
  readonly viewing: number;
  readonly phase: StepPhase;
  readonly facts: Facts;
  /** Facts as they were when each step finished, so Back shows that step's own numbers. */
  readonly factsAt: readonly Facts[];
  readonly error: string | null;
  /** What the lesson did to the cluster, in words, newest last. */
  readonly log: readonly string[];
  /** The last step is done and clean-up ran. */
  readonly finished: boolean;
  readonly cleaning: boolean;
  /** What the last clean-up did (or could not do). */
  readonly cleanupNotes: readonly string[];

  start(lesson: Lesson): void;
  /** Runs the live step's action (again, after a failure). */
  act(): Promise<void>;
  next(): void;
  back(): void;
  /** Cleans up and starts the same lesson from its first step. */
  restart(): Promise<void>;
  /** Cleans up and shows the lesson list again. */
  leave(): Promise<void>;
  /** After the last step: cleans up and marks the lesson finished. */
  finish(): Promise<void>;
}

export type LessonRunner = StoreApi<LessonRunState>;

export interface RunnerDeps {
  readonly api: RaftboardApi;
  readonly getStatus: () => ClusterStatus | null;
  /** Every status the window receives; answers the unsubscribe. */
  readonly subscribeStatus: (fn: (status: ClusterStatus) => void) => () => void;
  readonly ops?: OpsOptions;
}

const LOG_MAX = 50;

export function createLessonRunner(deps: RunnerDeps): LessonRunner & { dispose(): void } {
  const touched: Touched = { nodes: new Set(), network: false };
  /** Bumped on every start/leave, so an action still running for an old step lands nowhere. */
  let generation = 0;
  let observeStatus: (status: ClusterStatus) => void = () => undefined;
  /** The action running now: clean-up waits for it, or a pause could land after the resume. */
  let inFlight: Promise<unknown> = Promise.resolve();

  const store = createStore<LessonRunState>()((set, get) => {
    const ops = createOps(deps.api, touched, {
      ...deps.ops,
      onDone: (text) => set((s) => ({ log: [...s.log, text].slice(-LOG_MAX) })),
    });

    const step = (): Step | undefined => {
      const s = get();
      return s.lesson?.steps[s.current];
    };

    /** Done when the condition holds now (or there is none); else waiting for statuses. */
    function awaitCondition(): void {
      const st = step();
      if (st === undefined) return;
      if (st.until === undefined) {
        complete({});
        return;
      }
      set({ phase: 'waiting' });
      const status = deps.getStatus();
      if (status !== null) observe(status);
    }

    function complete(learned: Facts): void {
      set((s) => {
        const facts = { ...s.facts, ...learned };
        const factsAt = [...s.factsAt];
        factsAt[s.current] = facts;
        return { phase: 'done', facts, factsAt, error: null };
      });
    }

    function enter(index: number): void {
      set({ current: index, viewing: index, error: null });
      if (step()?.action === undefined) awaitCondition();
      else set({ phase: 'ready' });
    }

    function observe(status: ClusterStatus): void {
      const s = get();
      if (s.phase !== 'waiting') return;
      const st = step();
      if (st?.until === undefined) return;
      let learned: Facts | null;
      try {
        learned = st.until.check(status, s.facts);
      } catch (e) {
        set({ phase: 'failed', error: (e as Error).message });
        return;
      }
      if (learned !== null) complete(learned);
    }

    observeStatus = observe;

    async function tidy(): Promise<void> {
      set({ cleaning: true });
      await inFlight;
      const notes = await cleanUp(deps.api, touched, deps.getStatus());
      set((s) => ({
        cleaning: false,
        cleanupNotes: notes,
        log: [...s.log, ...notes].slice(-LOG_MAX),
      }));
    }

    return {
      lesson: null,
      current: 0,
      viewing: 0,
      phase: 'ready',
      facts: {},
      factsAt: [],
      error: null,
      log: [],
      finished: false,
      cleaning: false,
      cleanupNotes: [],

      start(lesson) {
        generation++;
        set({ lesson, facts: {}, factsAt: [], log: [], finished: false, cleanupNotes: [] });
        enter(0);
      },

      async act() {
        const s = get();
        const st = step();
        if (st?.action === undefined || s.viewing !== s.current) return;
        if (s.phase !== 'ready' && s.phase !== 'failed') return;
        const status = deps.getStatus();
        if (status === null) {
          set({ phase: 'failed', error: 'The cluster status is not known yet.' });
          return;
        }
        const gen = generation;
        set({ phase: 'acting', error: null });
        const running = st.action.run(ops, s.facts, status);
        inFlight = running.catch(() => undefined);
        try {
          const learned = (await running) ?? {};
          if (gen !== generation) return;
          set((x) => ({ facts: { ...x.facts, ...learned } }));
          awaitCondition();
        } catch (e) {
          if (gen !== generation) return;
          set({ phase: 'failed', error: toRequestError(e).message });
        }
      },

      next() {
        const s = get();
        if (s.lesson === null) return;
        if (s.viewing < s.current) {
          set({ viewing: s.viewing + 1 });
          return;
        }
        if (s.phase !== 'done' || s.current + 1 >= s.lesson.steps.length) return;
        enter(s.current + 1);
      },

      back() {
        set((s) => ({ viewing: Math.max(0, s.viewing - 1) }));
      },

      async restart() {
        const lesson = get().lesson;
        generation++;
        await tidy();
        if (lesson !== null) get().start(lesson);
      },

      async leave() {
        generation++;
        set({ lesson: null, phase: 'ready', current: 0, viewing: 0 });
        await tidy();
      },

      async finish() {
        const s = get();
        if (s.lesson === null || s.phase !== 'done') return;
        if (s.current !== s.lesson.steps.length - 1) return;
        await tidy();
        set({ finished: true });
      },
    };
  });

  // Every status the window receives may complete the waiting step.
  const unsubscribe = deps.subscribeStatus((status) => observeStatus(status));
  return Object.assign(store, { dispose: unsubscribe });
}
