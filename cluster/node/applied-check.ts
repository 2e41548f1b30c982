/**
 * The start check of a node's database against its log (review H4): MySQL's applied index must
 * be in this node's log, with the same term where the log still holds it. A database applied
 * from another log would otherwise take this log's entries up to its index as done.
 */
import { ClusterIdentityError } from '../../db/errors.js';
import type { AppliedIndex } from '../../db/statemachine.js';

export interface LogView {
  readonly lastIndex: number;
  /** The term of the entry at `index`, or undefined when the log no longer holds it. */
  readonly termAt: (index: number) => number | undefined;
}

export function checkAppliedAgainstLog(
  database: string,
  applied: AppliedIndex,
  log: LogView,
): void {
  if (applied.index > log.lastIndex) {
    throw new ClusterIdentityError(
      `database ${database} has applied index ${applied.index} (term ${applied.term}), but ` +
        `this node's log ends at index ${log.lastIndex}: the database was applied from another ` +
        'log (another cluster, or a data dir that was replaced); refusing to start. Start the ' +
        'cluster with --fresh to empty it, or give this node another database',
    );
  }
  const term = log.termAt(applied.index);
  if (term !== undefined && term !== applied.term) {
    throw new ClusterIdentityError(
      `database ${database} has applied index ${applied.index} in term ${applied.term}, but ` +
        `this node's log has index ${applied.index} in term ${term}: the database was applied ` +
        'from another log; refusing to start. Start the cluster with --fresh to empty it, or ' +
        'give this node another database',
    );
  }
}
