/**
 * The reminders slice: the reminders showing in the window (each with Open and Snooze 10 min),
 * and whether desktop notifications are allowed. The scheduler (start.ts) fills it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Reminder } from './scheduler.js';

export type NotifyPermission = 'default' | 'granted' | 'denied' | 'unsupported';

export interface RemindersState {
  readonly shown: readonly Reminder[];
  readonly permission: NotifyPermission;
  show(r: Reminder): void;
  dismiss(key: string): void;
  setPermission(p: NotifyPermission): void;
  /** Set by the scheduler once started. */
  snooze(key: string): void;
  open(key: string): void;
}

export type RemindersStore = StoreApi<RemindersState>;

export function createRemindersStore(): RemindersStore {
  return createStore<RemindersState>()((set) => ({
    shown: [],
    permission: 'unsupported',
    show: (r) => set((s) => ({ shown: [...s.shown.filter((x) => x.taskId !== r.taskId), r] })),
    dismiss: (key) => set((s) => ({ shown: s.shown.filter((x) => x.key !== key) })),
    setPermission: (permission) => set({ permission }),
    snooze: () => undefined,
    open: () => undefined,
  }));
}
