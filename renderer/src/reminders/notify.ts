/**
 * Desktop notifications: the browser's Notification API in the web UI (once the user allowed
 * it), the app's own through the shell in Electron (where the page's permission requests are
 * refused). Clicking one opens its task.
 */
import type { Reminder } from './scheduler.js';
import type { NotifyPermission } from './store.js';

export interface Notifier {
  permission(): NotifyPermission;
  /** Asks the user (a click must be on the stack); answers the new state. */
  request(): Promise<NotifyPermission>;
  show(r: Reminder, body: string, onClick: () => void): void;
}

interface NotificationCtor {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): Notification;
}

/** The shell's notification function, when the Electron preload offers one. Its clicks come
 * back as `notification-click` commands (transfer/shell-commands.ts). */
interface ShellNotify {
  notify?(n: { title: string; body: string; tag: string }): Promise<unknown>;
}

export function webNotifier(win: Window = window): Notifier {
  const ctor = (win as unknown as { Notification?: NotificationCtor }).Notification;
  return {
    permission: () => (ctor === undefined ? 'unsupported' : ctor.permission),
    request: async () => (ctor === undefined ? 'unsupported' : ctor.requestPermission()),
    show(r, body, onClick) {
      if (ctor === undefined || ctor.permission !== 'granted') return;
      const n = new ctor(r.title, { body, tag: r.key });
      n.onclick = () => {
        win.focus();
        onClick();
        n.close();
      };
    },
  };
}

export function shellNotifier(shell: ShellNotify): Notifier {
  return {
    permission: () => 'granted',
    request: () => Promise.resolve('granted'),
    show(r, body) {
      void shell.notify?.({ title: r.title, body, tag: r.key }).catch(() => undefined);
    },
  };
}

/** The notifier for this window: the shell's when it has one, else the browser's. */
export function chooseNotifier(win: Window = window): Notifier {
  const shell = (win as unknown as { raftboardShell?: ShellNotify }).raftboardShell;
  if (shell?.notify !== undefined) return shellNotifier(shell);
  return webNotifier(win);
}
