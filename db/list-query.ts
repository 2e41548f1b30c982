/** The paging bounds of a task listing, checked the same way by every task store. */
import { StateMachineError } from './errors.js';
import type { ListQuery } from './statemachine.js';

export function checkListQuery(query: ListQuery): void {
  const { limit, offset } = query;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new StateMachineError(`limit must be a non-negative integer, got ${limit}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new StateMachineError(`offset must be a non-negative integer, got ${offset}`);
  }
}
