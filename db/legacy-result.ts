/**
 * Stored session answers (`client_sessions.result`) are read back through here. Answers
 * written before domain outcomes existed have the HTTP shape
 * `{ ok, status: 200|201|404|409|422, task, error, message }`; they are translated, so a retry
 * of a request answered by an older version gets the same answer in today's shape.
 */
import type { CommandResult, EntryRef } from '../cluster/api/task.js';
import { withTaskDefaults, type LegacyTask } from './task-defaults.js';

interface LegacyResult {
  readonly ok: boolean;
  readonly status: number;
  readonly task?: LegacyTask | null;
  readonly error?: string;
  readonly message?: string;
  readonly entry?: EntryRef;
}

/** Parses a stored answer, new or legacy. */
export function readStoredResult(text: string): CommandResult {
  const stored = JSON.parse(text) as CommandResult | LegacyResult;
  if ('outcome' in stored) return stored;
  return fromLegacy(stored);
}

export function fromLegacy(legacy: LegacyResult): CommandResult {
  const entry = legacy.entry === undefined ? {} : { entry: legacy.entry };
  const message = legacy.message ?? '';
  if (legacy.ok) {
    const task = legacy.task == null ? null : withTaskDefaults(legacy.task);
    if (legacy.status === 201 && task !== null) {
      return { ok: true, outcome: 'created', task, ...entry };
    }
    if (task !== null) return { ok: true, outcome: 'updated', task, ...entry };
    return { ok: true, outcome: 'deleted', task: null, deletedIds: [], ...entry };
  }
  switch (legacy.status) {
    case 404:
      return { ok: false, outcome: 'not_found', message, ...entry };
    case 422:
      return { ok: false, outcome: 'key_reused', message, ...entry };
    default:
      return { ok: false, outcome: 'version_conflict', message, ...entry };
  }
}
