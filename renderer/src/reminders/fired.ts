/**
 * What this device has reminded already, and the snoozes it holds, kept in localStorage so a
 * reminder fires once per device, across reloads and across the windows open on it (each check
 * reads it afresh). Old entries are dropped after 30 days.
 */
export interface ReminderLog {
  /** Reads what other windows of this device wrote meanwhile. */
  refresh(): void;
  has(key: string): boolean;
  add(key: string, at: number): void;
  /** taskId → when to remind again. */
  snoozes(): ReadonlyMap<string, number>;
  snooze(taskId: string, until: number): void;
  unsnooze(taskId: string): void;
}

interface Saved {
  fired: Record<string, number>;
  snoozed: Record<string, number>;
}

const KEY = 'raftboard-reminders';
const KEEP_MS = 30 * 24 * 3600_000;

export function reminderLog(storage: Storage | null, now: () => number): ReminderLog {
  let saved: Saved = { fired: {}, snoozed: {} };
  const read = (): void => {
    try {
      const raw = storage?.getItem(KEY);
      if (raw) saved = { fired: {}, snoozed: {}, ...(JSON.parse(raw) as Partial<Saved>) };
    } catch {
      // Unreadable: keep what this page knows (at worst a reminder shows again).
    }
  };
  read();
  const cutoff = now() - KEEP_MS;
  for (const [k, at] of Object.entries(saved.fired)) if (at < cutoff) delete saved.fired[k];

  const save = (): void => {
    try {
      storage?.setItem(KEY, JSON.stringify(saved));
    } catch {
      // Full or refused: remembered for this page only.
    }
  };
  return {
    refresh: read,
    has: (key) => key in saved.fired,
    add(key, at) {
      saved.fired[key] = at;
      save();
    },
    snoozes: () => new Map(Object.entries(saved.snoozed)),
    snooze(taskId, until) {
      saved.snoozed[taskId] = until;
      save();
    },
    unsnooze(taskId) {
      delete saved.snoozed[taskId];
      save();
    },
  };
}
