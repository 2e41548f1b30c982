/**
 * Cluster events to the window: pushed only while its page asked for them (the preload asks on
 * the first subscription and stops after the last), and forgotten when the page navigates, since
 * the new page's preload subscribes afresh. Status snapshots come at 10 Hz; there is one window,
 * so no per-client throttling is needed.
 */
import type { ClusterEvent } from '../cluster/api/control.js';
import { EVENT_PUSH_CHANNEL } from './channels.js';

/** The part of a webContents the pusher uses. */
export interface PushTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export class EventPusher {
  private wanted = false;

  constructor(
    private readonly target: () => PushTarget | undefined,
    private readonly replay: () => readonly ClusterEvent[],
  ) {}

  /** The IPC answer to a subscription: the replay to start from, then pushes. */
  setWanted(on: boolean): readonly ClusterEvent[] {
    this.wanted = on;
    return on ? this.replay() : [];
  }

  /** The page navigated or reloaded: its preload will subscribe again. */
  reset(): void {
    this.wanted = false;
  }

  push(event: ClusterEvent): void {
    if (!this.wanted) return;
    const t = this.target();
    if (t === undefined || t.isDestroyed()) return;
    t.send(EVENT_PUSH_CHANNEL, event);
  }
}
