/**
 * One lesson runner per window, made on first use and kept while the window lives, so a lesson
 * goes on while the user looks at the Cluster tab (switching tabs unmounts the Lessons view).
 */
import type { Stores } from '../store/stores.js';
import { createLessonRunner, type LessonRunner } from './runner.js';

const runners = new WeakMap<Stores, LessonRunner>();

export function runnerFor(stores: Stores): LessonRunner {
  let r = runners.get(stores);
  if (r === undefined) {
    r = createLessonRunner({
      api: stores.api,
      getStatus: () => stores.cluster.getState().status,
      subscribeStatus: (fn) =>
        stores.cluster.subscribe((s, prev) => {
          if (s.status !== null && s.status !== prev.status) fn(s.status);
        }),
    });
    runners.set(stores, r);
  }
  return r;
}
