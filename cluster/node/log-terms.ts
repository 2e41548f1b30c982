/**
 * The term of each of a node's last log entries, run-length encoded, for the control room's log
 * strip (a colour per term). Runs, not one number per entry: a log is mostly long runs of one
 * term, so a status report stays a few dozen bytes however busy the cluster is.
 */
import type { LogTermRun } from '../api/node.js';

/** How many of the newest entries the strip shows. */
export const LOG_TERMS_WINDOW = 200;

/**
 * Runs over the entries in (max(snapshot, last - window), last]: entries at or before the
 * snapshot are compacted, so their terms are gone and the strip shows them as the snapshot.
 * `termOf` answers the term of a stored entry (Storage.term).
 */
export function logTermRuns(
  snapshotIndex: number,
  lastIndex: number,
  termOf: (index: number) => number,
  window = LOG_TERMS_WINDOW,
): LogTermRun[] {
  const runs: { term: number; from: number; to: number }[] = [];
  const first = Math.max(snapshotIndex + 1, lastIndex - window + 1, 1);
  for (let i = first; i <= lastIndex; i++) {
    const term = termOf(i);
    const run = runs[runs.length - 1];
    if (run !== undefined && run.term === term && run.to === i - 1) run.to = i;
    else runs.push({ term, from: i, to: i });
  }
  return runs;
}
